from django.urls import path

from zhifa.cases.views import cases, records

app_name = "cases"

urlpatterns = [
    path("cases/", cases.case_list_view, name="case-list"),
    path("cases/new/", cases.case_create_view, name="case-create"),
    path("cases/<int:pk>/", cases.case_detail_view, name="case-detail"),
    path("cases/<int:pk>/advance/", cases.case_advance_view, name="case-advance"),
    path("cases/<int:pk>/suspend/", cases.case_suspend_view, name="case-suspend"),
    path("cases/<int:pk>/resume/", cases.case_resume_view, name="case-resume"),
    path("cases/<int:pk>/parties/new/", cases.party_add_view, name="party-add"),
    path("cases/<int:pk>/officers/new/", cases.officer_assign_view, name="officer-assign"),
    path(
        "cases/<int:pk>/officers/<int:officer_pk>/release/",
        cases.officer_release_view,
        name="officer-release",
    ),
    path("cases/<int:pk>/records/new/", records.record_create_view, name="record-create"),
    path(
        "cases/<int:pk>/records/<int:rid>/correct/",
        records.record_correct_view,
        name="record-correct",
    ),
    path("cases/<int:pk>/records/<int:rid>/sign/", records.record_sign_view, name="record-sign"),
    path(
        "cases/<int:pk>/signatures/<int:sid>/image/",
        records.signature_image_view,
        name="signature-image",
    ),
]
