from __future__ import annotations

import secrets

from django import forms

from zhifa.accounts.models import Agency
from zhifa.disclosures.models import Disclosure, PublicRequest

_CHALLENGE_KEY = "zhifa_portal_challenge"


def new_challenge(session) -> str:
    """A small sum, asked once per form (PUB-10: a simple challenge against scripts)."""
    a, b = secrets.randbelow(9) + 1, secrets.randbelow(9) + 1
    session[_CHALLENGE_KEY] = a + b
    return f"{a} 加 {b} 等于几？"


class PublicRequestForm(forms.Form):
    kind = forms.ChoiceField(label="类型", choices=PublicRequest.Kind.choices)
    agency = forms.ModelChoiceField(
        label="所涉执法主体", queryset=Agency.objects.filter(is_active=True).order_by("name")
    )
    disclosure = forms.IntegerField(
        label="所涉公示信息编号",
        required=False,
        min_value=1,
        help_text="更正申请必填：公示信息页面地址中的数字",
    )
    requester_name = forms.CharField(label="姓名或名称", max_length=64)
    requester_contact = forms.CharField(
        label="联系方式", max_length=128, help_text="电话或电子邮箱，仅用于处理本件，不公开"
    )
    content = forms.CharField(label="请求内容及理由", widget=forms.Textarea, max_length=5000)
    evidence = forms.FileField(
        label="证据材料", required=False, help_text="PDF、JPEG 或 PNG，不超过 10 MB"
    )
    answer = forms.IntegerField(label="验证问题")

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.session = session
        self.expected = session.get(_CHALLENGE_KEY)
        self.fields["answer"].label = "验证问题：" + new_challenge(session)

    def clean_answer(self):
        answer = self.cleaned_data["answer"]
        if self.expected is None or answer != self.expected:
            raise forms.ValidationError("验证问题回答不正确，请重新计算。")
        return answer


class RequestStatusForm(forms.Form):
    tracking_number = forms.CharField(label="查询编号", max_length=32)
    access_code = forms.CharField(label="查询码", max_length=32)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea)


class GroundForm(forms.Form):
    ground = forms.CharField(
        label="不公开依据", widget=forms.Textarea, help_text="如：涉及商业秘密，依据……第……条"
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label="处理结果", widget=forms.Textarea)


class ExAnteForm(forms.Form):
    topic = forms.ChoiceField(label="类别", choices=Disclosure.Topic.choices)
    title = forms.CharField(label="标题", max_length=255)
    body = forms.CharField(
        label="正文",
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text="执法流程图：每行写一个步骤，公示平台按顺序绘制流程。",
    )


class WindowForm(forms.Form):
    """A service window and its board (PUB-05)."""

    name = forms.CharField(label="窗口名称", max_length=64)
    location = forms.CharField(label="办公地点", max_length=255)
    hours = forms.CharField(
        label="办公时间",
        max_length=128,
        required=False,
        help_text="如：工作日 9:00–12:00，13:30–17:00",
    )
    phone = forms.CharField(label="咨询电话", max_length=32, required=False)
    supervision_phone = forms.CharField(label="监督电话", max_length=32)
    matters = forms.MultipleChoiceField(
        label="办理事项", required=False, widget=forms.CheckboxSelectMultiple
    )
    staff = forms.CharField(
        label="窗口工作人员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一人：姓名|岗位|执法证件编号（非执法人员不填证件编号），如：李明|受理审核岗|"
        "99010200001",
    )
    is_active = forms.BooleanField(label="在用", required=False, initial=True)

    def __init__(self, *args, matters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matters"].choices = [(m.code, f"{m.code} {m.name}") for m in matters]


class WindowImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
