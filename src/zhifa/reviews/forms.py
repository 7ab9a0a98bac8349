"""Workbench forms of the legal review: shape only; the services decide."""

from __future__ import annotations

from django import forms

from zhifa.cases.forms import (
    DATETIME_FORMATS,
    IMAGE_MAGIC,
    MAX_DRAWING_BYTES,
    datetime_input,
    sniff,
)
from zhifa.catalogues.models import ActionKind
from zhifa.reviews.models import (
    AdviserOpinion,
    AmountOf,
    CollectiveDeliberation,
    Finding,
    Material,
    Opinion,
    OpinionResponse,
    Participant,
    PartyType,
    PenaltyKind,
    PreliminaryReview,
    ReviewPause,
    ReviewPoint,
    Trait,
)


class SubmitForm(forms.Form):
    urgent = forms.BooleanField(label="情况紧急（1 个工作日内审核）", required=False)
    note = forms.CharField(
        label="送审说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Material.choices:
            self.fields[f"m_{code}"] = forms.CharField(
                label=label, required=False, help_text="所附材料及页码；未附则留空"
            )

    def materials(self) -> dict:
        return {
            code: self.cleaned_data.get(f"m_{code}", "")
            for code in Material.values
            if self.cleaned_data.get(f"m_{code}")
        }


class CheckForm(forms.Form):
    missing = forms.CharField(
        label="缺少的材料",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项；系统按材料清单自动补充。留空且材料齐全即受理。",
    )
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def missing_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["missing"].splitlines() if line.strip()]


class DecideForm(forms.Form):
    opinion = forms.ChoiceField(label="审核意见", choices=Opinion.choices)
    text = forms.CharField(label="意见内容", widget=forms.Textarea(attrs={"rows": 4}))
    adviser_opinions = forms.CharField(
        label="法律顾问、公职律师书面意见及复核情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for point, label in ReviewPoint.choices:
            self.fields[f"f_{point}"] = forms.ChoiceField(
                label=label, choices=Finding.choices, initial=Finding.OK
            )
            self.fields[f"n_{point}"] = forms.CharField(label="说明", required=False)

    def findings(self) -> list[dict]:
        return [
            {
                "point": p,
                "finding": self.cleaned_data[f"f_{p}"],
                "note": self.cleaned_data.get(f"n_{p}", ""),
            }
            for p in ReviewPoint.values
        ]


class RespondForm(forms.Form):
    kind = forms.ChoiceField(label="处理", choices=OpinionResponse.Kind.choices)
    reasons = forms.CharField(
        label="理由",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="申请复审须书面说明理由",
    )


class RuleForm(forms.Form):
    code = forms.CharField(label="条目编号", max_length=32, help_text="同一编号再次保存即为新版本")
    name = forms.CharField(label="情形", max_length=255)
    action_kind = forms.ChoiceField(
        label="执法类别", choices=[("", "不限"), *ActionKind.choices], required=False
    )
    penalty_kinds = forms.MultipleChoiceField(
        label="处罚种类",
        choices=PenaltyKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    traits = forms.MultipleChoiceField(
        label="其他情形", choices=Trait.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    party_type = forms.ChoiceField(label="当事人类型", choices=PartyType.choices)
    amount_of = forms.ChoiceField(label="金额种类", choices=AmountOf.choices)
    amount_threshold = forms.DecimalField(
        label="金额标准（元）", required=False, max_digits=14, decimal_places=2
    )
    amount_inclusive = forms.BooleanField(
        label="含本数（以上含本数）", required=False, initial=True
    )
    hearing_required = forms.BooleanField(label="须经听证", required=False)
    effective_from = forms.DateField(
        label="施行日期", widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        label="废止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    basis = forms.CharField(label="依据", required=False, max_length=255)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class PauseForm(forms.Form):
    kind = forms.ChoiceField(label="中止事由", choices=ReviewPause.Kind.choices)
    reason = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}))
    starts_on = forms.DateField(
        label="中止开始日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="留空为今天；审核已超期的，只能自今天起中止",
    )


class EmptyForm(forms.Form):
    pass


class DeliberationForm(forms.Form):
    held_at = forms.DateTimeField(
        label="时间", widget=datetime_input(), input_formats=DATETIME_FORMATS
    )
    place = forms.CharField(label="地点", max_length=255)
    chair = forms.CharField(label="主持人", max_length=64)
    recorder = forms.CharField(label="记录人", max_length=64)
    attendees = forms.CharField(label="列席人员", required=False)
    handler_report = forms.CharField(label="承办机构汇报", widget=forms.Textarea(attrs={"rows": 3}))
    proposal = forms.CharField(label="承办机构处理意见", widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label="讨论结果", choices=CollectiveDeliberation.Outcome.choices)
    decision = forms.CharField(label="集体讨论决定", widget=forms.Textarea(attrs={"rows": 3}))
    difference = forms.CharField(
        label="与法制审核意见不一致的情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="决定与审核意见不一致的，必须注明",
    )


class ParticipantForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=64, required=False)
    post = forms.CharField(label="职务", max_length=64, required=False)
    view = forms.CharField(
        label="发言内容", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    vote = forms.ChoiceField(label="表决", choices=Participant.Vote.choices)
    signature = forms.FileField(
        label="签名（扫描件或手写签名图片）",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )

    def clean_signature(self):
        upload = self.cleaned_data.get("signature")
        if not upload:
            return None
        data = upload.read()
        if len(data) > MAX_DRAWING_BYTES:
            raise forms.ValidationError("签名图片不能超过 2 MB。")
        kind = sniff(data, IMAGE_MAGIC)
        if kind is None:
            raise forms.ValidationError("签名须是 PNG 或 JPEG 图片。")
        return data, *kind


ParticipantFormSet = forms.formset_factory(ParticipantForm, extra=7, max_num=15)


class FilingAnswerForm(forms.Form):
    accepted = forms.TypedChoiceField(
        label="审查结论",
        choices=[("1", "予以备案"), ("0", "退回修改")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(
        label="审查意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="退回修改的须写明意见",
    )


class AdviserInviteForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AdviserOpinion.Kind.choices)
    name = forms.CharField(label="姓名", max_length=64)
    organisation = forms.CharField(label="工作单位", max_length=128)


class AdviserOpinionForm(forms.Form):
    text = forms.CharField(
        label="书面意见",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="录入意见全文，或上传书面意见原件（至少其一）",
    )
    document = forms.FileField(label="书面意见原件（PDF、Word 或图片）", required=False)


class AdviserRecheckForm(forms.Form):
    recheck = forms.ChoiceField(
        label="复核结论", choices=AdviserOpinion.Recheck.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="复核理由", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class PreliminaryForm(forms.Form):
    result = forms.ChoiceField(
        label="初审意见", choices=PreliminaryReview.Result.choices, widget=forms.RadioSelect
    )
    reasons = forms.CharField(
        label="意见内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="退回的须写明理由",
    )


class PreliminarySettingForm(forms.Form):
    required = forms.BooleanField(label="送审前须经承办机构负责人初审", required=False)


class ForwardForm(forms.Form):
    note = forms.CharField(
        label="报送说明", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ForwardAnswerForm(forms.Form):
    agreed = forms.TypedChoiceField(
        label="司法局审核意见",
        choices=[("1", "同意"), ("0", "不同意")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="意见内容", widget=forms.Textarea(attrs={"rows": 5}))
