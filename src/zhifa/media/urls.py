from django.urls import path

from zhifa.media import views

app_name = "media"

urlpatterns = [
    path("media/requirements/", views.requirement_list_view, name="requirement-list"),
    path("media/requirements/new/", views.requirement_create_view, name="requirement-create"),
    path("media/requirements/seed/", views.requirement_seed_view, name="requirement-seed"),
    path("media/requirements/import/", views.requirement_import_view, name="requirement-import"),
    path(
        "media/requirements/template.xlsx",
        views.requirement_template_view,
        name="requirement-template",
    ),
    path("media/requirements/<int:pk>/edit/", views.requirement_edit_view, name="requirement-edit"),
    path(
        "media/requirements/<int:pk>/delete/",
        views.requirement_delete_view,
        name="requirement-delete",
    ),
    path("cases/<int:case_pk>/media/", views.case_media_view, name="case-list"),
    path("cases/<int:case_pk>/media/upload/", views.upload_view, name="upload"),
    path("media/<int:pk>/", views.detail_view, name="detail"),
    path("media/<int:pk>/file", views.file_view, name="file"),
    path("media/<int:pk>/poster.jpg", views.poster_view, name="poster"),
]
