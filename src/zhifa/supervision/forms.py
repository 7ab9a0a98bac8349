from django import forms
from django.utils import timezone

from zhifa.supervision.models import Filing, SatisfactionResponse


class EvaluationCommitForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=None, label="被评查机关")
    year = forms.IntegerField(label="结案年度", min_value=2000)
    size = forms.IntegerField(label="抽取数量（卷）", min_value=1, initial=5)
    beacon_source = forms.CharField(
        label="公共随机数来源",
        max_length=255,
        help_text="写明尚未产生的公共随机数，如“福利彩票双色球第 2026150 期开奖号码”；"
        "承诺登记后公布，开奖后据以抽取",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["year"].initial = timezone.localdate().year


class EvaluationDrawForm(forms.Form):
    beacon_value = forms.CharField(
        label="公共随机数", max_length=255, help_text="按公布的原样填写，如“03 07 12 19 25 31 06”"
    )


class ScoreForm(forms.Form):
    score = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.IntegerField(label="评定分", min_value=0)
    comment = forms.CharField(
        label="评查意见", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class NoticeForm(forms.Form):
    file = forms.ModelChoiceField(queryset=None, label="所涉案卷", required=False)
    content = forms.CharField(label="问题与整改要求", widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(
        label="整改期限", required=False, help_text="留空则按规定的工作日数计算"
    )

    def __init__(self, *args, files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].queryset = files


class ReplyForm(forms.Form):
    reply = forms.CharField(label="整改情况", widget=forms.Textarea(attrs={"rows": 4}))


class ReviewForm(forms.Form):
    accept = forms.ChoiceField(
        label="审核结论",
        choices=[("1", "同意（销号/备案）"), ("0", "退回")],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class FilingForm(forms.Form):
    kind = forms.ChoiceField(label="备案类型", choices=Filing.Kind.choices)
    title = forms.CharField(label="标题", max_length=255, required=False)
    upload = forms.FileField(
        label="备案文件",
        required=False,
        help_text="音像记录事项清单、法制审核人员名册可不上传，由平台按现有清单生成",
    )


class RubricItemForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    points = forms.IntegerField(label="分值", min_value=1)
    is_active = forms.BooleanField(label="启用", required=False)


class SurveyForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="您对该执法决定的公开及执法工作是否满意？",
        choices=SatisfactionResponse.Rating.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="意见建议（选填）",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
