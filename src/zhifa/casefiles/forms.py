"""The one form of the case-file pages: a supplement after the archive."""

from __future__ import annotations

from django import forms

from zhifa.casefiles.models import CatalogueEntry


class SupplementForm(forms.Form):
    title = forms.CharField(
        label="题名", max_length=CatalogueEntry._meta.get_field("title").max_length
    )
    file = forms.FileField(
        label="材料文件",
        help_text="PDF、Word（DOCX/DOC）、ODT、RTF、HTML 文件或 PNG/JPG 图片；"
        "非 PDF 文件自动转换为 PDF。",
    )
    note = forms.CharField(
        label="说明",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="材料的来源，以及归档后才补充的原因；记入卷内目录的备注。",
    )
