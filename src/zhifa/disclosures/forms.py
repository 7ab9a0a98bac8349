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
