from django.urls import path

from zhifa.casefiles import views

app_name = "casefiles"

urlpatterns = [
    path("casefiles/", views.casefile_list_view, name="list"),
    path("casefiles/overdue/", views.archive_overdue_view, name="overdue"),
    path("cases/<int:pk>/casefile/", views.casefile_detail_view, name="detail"),
    path("cases/<int:pk>/casefile/assemble/", views.casefile_assemble_view, name="assemble"),
    path("cases/<int:pk>/casefile/archive/", views.casefile_archive_view, name="archive"),
    path(
        "cases/<int:pk>/casefile/supplements/new/",
        views.casefile_supplement_view,
        name="supplement",
    ),
    path("cases/<int:pk>/casefile/pdf/", views.casefile_pdf_view, name="pdf"),
    path("cases/<int:pk>/casefile/zip/", views.casefile_zip_view, name="zip"),
    path(
        "cases/<int:pk>/casefile/entries/<int:entry_pk>/pdf/",
        views.casefile_entry_pdf_view,
        name="entry-pdf",
    ),
]
