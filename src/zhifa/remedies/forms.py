from django import forms

from zhifa.remedies.models import Remedy


class RemedyForm(forms.Form):
    channel = forms.ChoiceField(label="渠道", choices=Remedy.Channel.choices)
    instance = forms.ChoiceField(
        label="审级",
        choices=[("", "（行政诉讼填写）"), *Remedy.Instance.choices],
        required=False,
    )
    outcome = forms.ChoiceField(label="结果", choices=Remedy.Outcome.choices)
    body = forms.CharField(
        label="复议机关或人民法院",
        max_length=128,
        required=False,
        help_text="自行纠正可不填，即本机关",
    )
    document_number = forms.CharField(
        label="文书文号",
        max_length=64,
        required=False,
        help_text="复议决定书、判决书或纠正决定的文号",
    )
    filed_on = forms.DateField(
        label="申请（起诉）日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    decided_on = forms.DateField(
        label="决定（裁判）日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="审理中的事项不填",
    )
    summary = forms.CharField(
        label="结果摘要", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    correction_reason = forms.CharField(
        label="更正原因", max_length=255, required=False, help_text="更正已登记的结果时必填"
    )

    confirmed = forms.BooleanField(
        label="我已核对：登记后不能修改，只能由新的登记取代；撤销、确认违法、变更或责令重作的结果"
        "将立即撤下本案已公示的行政执法决定",
        required=True,
    )
