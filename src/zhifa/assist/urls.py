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
]
