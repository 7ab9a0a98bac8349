from django import forms
from django.utils import timezone


class EvaluationDrawForm(forms.Form):
    agency = forms.ModelChoiceField(queryset=None, label="被评查机关")
    year = forms.IntegerField(label="结案年度", min_value=2000)
    size = forms.IntegerField(label="抽取数量（卷）", min_value=1, initial=5)
    seed = forms.CharField(
        label="随机种子",
        required=False,
        help_text="留空则随机生成；填写 32–64 位十六进制可复现抽样",
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["year"].initial = timezone.localdate().year
