"""Workbench forms of 双随机、一公开. They check the shape of the input only;
whether the action is allowed is for the services to say."""

from __future__ import annotations

from django import forms

from zhifa.accounts.models import Agency, Officer
from zhifa.inspections.models import (
    InspectionMatter,
    InspectionResult,
    InspectionTarget,
    Plan,
    ResultReview,
)


def _max(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class DateInput(forms.DateInput):
    input_type = "date"


class MatterForm(forms.Form):
    agency = forms.ModelChoiceField(
        label="抽查主体", queryset=Agency.objects.none(), empty_label="请选择执法主体"
    )
    code = forms.CharField(label="事项编码", max_length=_max(InspectionMatter, "code"))
    name = forms.CharField(label="抽查事项", max_length=_max(InspectionMatter, "name"))
    basis = forms.CharField(label="抽查依据", widget=forms.Textarea(attrs={"rows": 3}))
    content = forms.CharField(
        label="抽查内容", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    method = forms.CharField(
        label="抽查方式", max_length=_max(InspectionMatter, "method"), required=False
    )
    category = forms.CharField(
        label="执法类别",
        max_length=_max(InspectionMatter, "category"),
        help_text="检查人员的执法证件须载有此执法类别，如：市场监管",
    )

    def __init__(self, *args, agencies: list[Agency], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])
        if len(agencies) == 1:
            field.initial = agencies[0]
            field.widget = forms.HiddenInput()


class TargetForm(forms.Form):
    kind = forms.ChoiceField(label="对象类型", choices=InspectionTarget.Kind.choices)
    name = forms.CharField(label="名称", max_length=_max(InspectionTarget, "name"))
    credit_code = forms.CharField(label="统一社会信用代码", max_length=32, required=False)
    address = forms.CharField(
        label="地址", max_length=_max(InspectionTarget, "address"), required=False
    )
    category = forms.CharField(
        label="执法类别",
        max_length=_max(InspectionTarget, "category"),
        required=False,
        help_text="不填时为抽查事项的执法类别",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Excel 文件（.xlsx）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"})
    )


class PoolForm(forms.Form):
    officer = forms.ModelChoiceField(label="检查人员", queryset=Officer.objects.none())

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers


class ConflictForm(forms.Form):
    officer = forms.ModelChoiceField(label="检查人员", queryset=Officer.objects.none())
    target = forms.ModelChoiceField(label="检查对象", queryset=InspectionTarget.objects.none())
    reason = forms.CharField(label="回避理由", max_length=255)

    def __init__(self, *args, officers, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers
        self.fields["target"].queryset = targets


class PlanForm(forms.Form):
    matter = forms.ModelChoiceField(label="抽查事项", queryset=InspectionMatter.objects.none())
    name = forms.CharField(label="计划名称", max_length=_max(Plan, "name"))
    ratio_percent = forms.DecimalField(
        label="抽查比例（%）",
        max_digits=6,
        decimal_places=2,
        required=False,
        help_text="与抽查数量二选一",
    )
    count = forms.IntegerField(label="抽查数量", required=False, min_value=1)
    frequency = forms.ChoiceField(label="抽查频次", choices=Plan.Frequency.choices)
    period_start = forms.DateField(label="抽查开始日期", widget=DateInput)
    period_end = forms.DateField(label="抽查结束日期", widget=DateInput)
    inspectors_per_target = forms.IntegerField(
        label="每户检查人员数",
        min_value=2,
        required=False,
        help_text="不填时按系统设置（默认 2 人）",
    )

    def __init__(self, *args, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].queryset = matters


class CommitForm(forms.Form):
    beacon_source = forms.CharField(
        label="公开随机数来源",
        max_length=_max(Plan, "beacon_source"),
        help_text="抽取时将采用的、现在尚未产生的公开随机数，如：福利彩票3D 2026年第320期开奖号码",
    )


class DrawForm(forms.Form):
    beacon_value = forms.CharField(
        label="公开随机数", max_length=_max(Plan, "beacon_value"), help_text="按公布的原文填写"
    )


class ResultForm(forms.Form):
    checked_on = forms.DateField(label="检查日期", widget=DateInput)
    outcome = forms.ChoiceField(label="检查结果", choices=InspectionResult.Outcome.choices)
    detail = forms.CharField(
        label="检查情况", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    follow_up = forms.CharField(
        label="后续处置措施", widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    completed_on = forms.DateField(label="办结日期", widget=DateInput, required=False)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核意见", choices=ResultReview.Decision.choices)
    opinion = forms.CharField(
        label="审核说明",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="退回或不通过的须说明理由",
    )
