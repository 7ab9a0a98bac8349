from django.urls import path

from zhifa.assist import views

app_name = "assist"

urlpatterns = [
    path("media/<int:pk>/transcript/", views.transcript_view, name="transcript"),
    path("media/<int:pk>/transcript/start/", views.start_view, name="start"),
    path("media/<int:pk>/transcript/cancel/", views.cancel_view, name="cancel"),
    path("media/<int:pk>/transcript/progress/", views.progress_view, name="progress"),
    path("media/<int:pk>/transcript/correct/", views.correct_view, name="correct"),
    path("transcripts/search/", views.search_view, name="search"),
    path("cases/<int:pk>/assist/", views.case_hints_view, name="case-hints"),
    path("cases/<int:pk>/assist/points/new/", views.point_add_view, name="point-add"),
    path("cases/<int:pk>/documents/new/", views.document_upload_view, name="document-upload"),
    path("documents/<int:pk>/", views.document_view, name="document"),
    path("documents/<int:pk>/progress/", views.document_progress_view, name="document-progress"),
    path("documents/<int:pk>/retry/", views.document_retry_view, name="document-retry"),
]
