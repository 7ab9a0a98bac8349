from django.urls import path

from zhifa.supervision import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.dashboard_view, name="dashboard"),
    path("supervision/watch/<slug:key>/", views.watch_list_view, name="watch-list"),
    path("supervision/warnings/", views.warning_list_view, name="warning-list"),
    path(
        "supervision/warnings/<slug:kind>/<path:key>",
        views.warning_detail_view,
        name="warning-detail",
    ),
    path("supervision/annual/", views.annual_view, name="annual"),
    path("supervision/evaluations/", views.evaluation_list_view, name="evaluation-list"),
    path(
        "supervision/evaluations/<int:pk>/",
        views.evaluation_detail_view,
        name="evaluation-detail",
    ),
]
