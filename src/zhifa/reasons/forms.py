"""Workbench forms for the structured reasons: one formset per part (RSN-01, RSN-03)."""

from __future__ import annotations

from django import forms

from zhifa.catalogues.models import Band, DiscretionBenchmark, FactorEffect
from zhifa.disclosures.forms import _CHALLENGE_KEY as CHALLENGE_KEY
from zhifa.disclosures.forms import new_challenge
from zhifa.reasons.content import ANSWERS, EVIDENCE_SOURCES, POINT_SOURCES
from zhifa.reasons.models import DetailedGround, ReasonsExemption, ReasonsRequest

TEXTAREA = forms.Textarea(attrs={"rows": 2})
ADOPTED = (("", "未定"), ("yes", "予以采信"), ("no", "不予采信"))
EFFECT_BY_LABEL = {label: value for value, label in FactorEffect.choices}


class FactForm(forms.Form):
    id = forms.CharField(label="编号", max_length=8, required=False)
    text = forms.CharField(label="认定的事实", widget=TEXTAREA, required=False)
    evidence = forms.CharField(
        label="证明该事实的证据编号", required=False, help_text="以逗号分隔，如：E1,E2"
    )

    def as_row(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("text") and not d.get("evidence"):
            return None
        links = [x.strip() for x in d["evidence"].replace("，", ",").split(",") if x.strip()]
        return {"id": d["id"], "text": d["text"], "evidence": links}


class EvidenceForm(forms.Form):
    id = forms.CharField(label="编号", max_length=8, required=False)
    name = forms.CharField(label="证据名称", required=False)
    record = forms.TypedChoiceField(label="对应记录", required=False, coerce=int, empty_value=None)
    source = forms.ChoiceField(label="来源", choices=EVIDENCE_SOURCES.items())
    favourable = forms.BooleanField(label="有利于当事人", required=False)
    legality = forms.CharField(label="合法性", required=False)
    relevance = forms.CharField(label="关联性", required=False)
    authenticity = forms.CharField(label="真实性", required=False)
    probative_force = forms.CharField(label="证明力", required=False)
    adopted = forms.ChoiceField(label="是否采信", choices=ADOPTED, required=False)
    reason = forms.CharField(label="采信或不予采信的理由", widget=TEXTAREA, required=False)

    def __init__(self, *args, records=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "（无）"), *records]

    def as_row(self) -> dict | None:
        d = self.cleaned_data
        if not d.get("name"):
            return None
        return {
            **{
                k: d[k]
                for k in (
                    "id",
                    "name",
                    "record",
                    "source",
                    "favourable",
                    "legality",
                    "relevance",
                    "authenticity",
                    "probative_force",
                    "reason",
                )
            },
            "adopted": {"yes": True, "no": False}.get(d["adopted"]),
        }


class ProvisionForm(forms.Form):
    citation = forms.CharField(
        label="引用",
        required=False,
        help_text="如：《中华人民共和国行政处罚法》第三十二条第一款第（一）项",
    )
    quoted_text = forms.CharField(
        label="条文内容", widget=TEXTAREA, required=False, help_text="留空时自动填入法规库原文"
    )
    why = forms.CharField(label="适用理由", widget=TEXTAREA, required=False)

    def as_row(self) -> dict | None:
        d = self.cleaned_data
        return dict(d) if d.get("citation") or d.get("why") else None


class PointForm(forms.Form):
    id = forms.CharField(label="编号", max_length=8, required=False)
    source = forms.ChoiceField(label="来源", choices=POINT_SOURCES.items())
    content = forms.CharField(label="当事人提出的事实、理由或证据", widget=TEXTAREA, required=False)
    answer = forms.ChoiceField(label="采纳情况", choices=ANSWERS.items())
    reply = forms.CharField(label="答复及理由", widget=TEXTAREA, required=False)

    def as_row(self) -> dict | None:
        d = self.cleaned_data
        return dict(d) if d.get("content") else None


class DiscretionForm(forms.Form):
    benchmark = forms.ModelChoiceField(
        label="适用的裁量基准", queryset=DiscretionBenchmark.objects.none(), required=False
    )
    band = forms.ChoiceField(label="裁量阶次", choices=[("", "—"), *Band.choices], required=False)
    amount_involved = forms.DecimalField(label="涉案金额（元）", required=False, decimal_places=2)
    factors = forms.CharField(
        label="裁量情节",
        widget=TEXTAREA,
        required=False,
        help_text="每行一项，如：从轻：主动消除违法行为危害后果",
    )
    reasons = forms.CharField(
        label="裁量理由",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="主观意图、手段、情节、危害后果及从重、从轻、减轻情节的综合权衡",
    )
    amount = forms.DecimalField(label="罚款金额（元）", required=False, decimal_places=2)
    out_of_range_reason = forms.CharField(
        label="超出建议幅度的书面理由", widget=TEXTAREA, required=False
    )

    def __init__(self, *args, agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        if agency is not None:
            self.fields["benchmark"].queryset = DiscretionBenchmark.objects.filter(agency=agency)

    def clean_factors(self):
        rows = []
        for line in self.cleaned_data["factors"].splitlines():
            if not line.strip():
                continue
            label, _, text = line.replace(":", "：").partition("：")
            effect = EFFECT_BY_LABEL.get(label.strip())
            if effect is None or not text.strip():
                raise forms.ValidationError(
                    f"“{line}”应写成“从轻：情节”（从轻、减轻、从重、不予处罚）。"
                )
            rows.append({"effect": effect, "description": text.strip()})
        return rows

    def as_part(self) -> dict:
        d = self.cleaned_data
        return {
            "benchmark": d["benchmark"].pk if d.get("benchmark") else None,
            "band": d["band"],
            "amount_involved": d["amount_involved"],
            "factors": d["factors"],
            "reasons": d["reasons"],
            "amount": d["amount"],
            "out_of_range_reason": d["out_of_range_reason"],
        }

    @staticmethod
    def initial_from(d: dict) -> dict:
        return {
            **d,
            "factors": "\n".join(
                f"{FactorEffect(f['effect']).label}：{f['description']}" for f in d["factors"]
            ),
        }


FactFormSet = forms.formset_factory(FactForm, extra=2)
EvidenceFormSet = forms.formset_factory(EvidenceForm, extra=2)
ProvisionFormSet = forms.formset_factory(ProvisionForm, extra=2)
PointFormSet = forms.formset_factory(PointForm, extra=1)


class RequestForm(forms.Form):
    requester = forms.CharField(label="申请人", max_length=128)
    contact = forms.CharField(label="联系方式", max_length=128, required=False)
    channel = forms.ChoiceField(
        label="申请渠道",
        choices=[c for c in ReasonsRequest.Channel.choices if c[0] != "portal"],
    )
    content = forms.CharField(label="申请内容", widget=TEXTAREA)
    requested_on = forms.DateField(label="申请日期", widget=forms.DateInput(attrs={"type": "date"}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label="书面说明理由", widget=forms.Textarea(attrs={"rows": 6}))
    answered_on = forms.DateField(label="答复日期", widget=forms.DateInput(attrs={"type": "date"}))


class ExemptionForm(forms.Form):
    ground = forms.ChoiceField(label="不说明理由的情形", choices=ReasonsExemption.Ground.choices)
    explanation = forms.CharField(label="具体情况", widget=TEXTAREA)


class ObjectionForm(forms.Form):
    objector = forms.CharField(label="提出异议的第三人", max_length=128)
    objection = forms.CharField(label="异议内容", widget=TEXTAREA)


class OralForm(forms.Form):
    given_at = forms.DateTimeField(
        label="说明时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    facts = forms.CharField(label="告知的事实", widget=TEXTAREA)
    basis = forms.CharField(label="告知的依据", widget=TEXTAREA)
    reasons = forms.CharField(label="说明的理由", widget=TEXTAREA)
    party_statement = forms.CharField(label="当事人当场陈述申辩", widget=TEXTAREA, required=False)
    av_reference = forms.CharField(label="音像记录编号", required=False)


class GroundForm(forms.Form):
    ground = forms.ChoiceField(label="须详细说明理由的情形", choices=DetailedGround.Ground.choices)
    note = forms.CharField(label="具体情况", widget=TEXTAREA)


class WithdrawalForm(forms.Form):
    reason = forms.CharField(label="撤回原因", widget=TEXTAREA)


class PublicRequestForm(forms.Form):
    """The party's request for written reasons on the portal (RSN-05, PUB-10),
    with the portal's simple challenge (``disclosures.forms.new_challenge``)."""

    decision_number = forms.CharField(
        label="决定书文号", max_length=64, help_text="如：示市监罚〔2026〕1号"
    )
    party = forms.CharField(
        label="当事人名称、统一社会信用代码或身份证号码",
        max_length=128,
        help_text="须与决定书载明的当事人一致",
    )
    requester = forms.CharField(label="申请人", max_length=128)
    contact = forms.CharField(
        label="联系方式", max_length=128, help_text="电话或电子邮箱，仅用于答复本申请，不公开"
    )
    content = forms.CharField(label="申请说明的内容", widget=TEXTAREA, max_length=5000)
    answer = forms.IntegerField(label="验证问题")

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = session.get(CHALLENGE_KEY)
        self.fields["answer"].label = "验证问题：" + new_challenge(session)

    def clean_answer(self):
        answer = self.cleaned_data["answer"]
        if self.expected is None or answer != self.expected:
            raise forms.ValidationError("验证问题回答不正确，请重新计算。")
        return answer
