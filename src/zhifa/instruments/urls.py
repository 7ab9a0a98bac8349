from django.urls import path

from zhifa.instruments import views

app_name = "instruments"

urlpatterns = [
    path("cases/<int:case_pk>/instruments/", views.case_instruments_view, name="case"),
    path("cases/<int:case_pk>/instruments/issue/<str:kind>/", views.issue_view, name="issue"),
    path("instruments/<int:pk>/", views.detail_view, name="detail"),
    path("instruments/<int:pk>/file.<str:fmt>", views.download_view, name="download"),
    path("instruments/templates/", views.template_list_view, name="template-list"),
    path("instruments/templates/upload/", views.template_upload_view, name="template-upload"),
    path(
        "instruments/templates/default/<str:kind>.docx",
        views.template_default_view,
        name="template-default",
    ),
    path(
        "instruments/templates/<int:pk>/file.docx", views.template_file_view, name="template-file"
    ),
    path(
        "instruments/templates/<int:pk>/deactivate/",
        views.template_deactivate_view,
        name="template-deactivate",
    ),
    path("instruments/numbers/", views.pattern_list_view, name="pattern-list"),
    path(
        "instruments/numbers/<int:agency_pk>/<str:kind>/",
        views.pattern_set_view,
        name="pattern-set",
    ),
    path("instruments/onspot/", views.batch_list_view, name="batch-list"),
    path("instruments/onspot/new/", views.batch_create_view, name="batch-create"),
]
