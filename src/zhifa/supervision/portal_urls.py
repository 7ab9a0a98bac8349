"""The supervision platform's one public door: the satisfaction survey under a
published decision on the portal (SUP-03)."""

from django.urls import path

from zhifa.supervision import views

app_name = "supervision-portal"

urlpatterns = [
    path("decisions/<int:pk>/survey/", views.survey_view, name="survey"),
]
