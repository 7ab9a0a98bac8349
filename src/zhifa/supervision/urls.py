from django.urls import path

from zhifa.supervision import views

app_name = "supervision"

urlpatterns = [
    path("supervision/", views.dashboard_view, name="dashboard"),
    path("supervision/refresh/", views.dashboard_refresh_view, name="dashboard-refresh"),
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
    path(
        "supervision/evaluations/files/<int:pk>/",
        views.evaluation_file_view,
        name="evaluation-file",
    ),
    path("supervision/rubric/", views.rubric_view, name="rubric"),
    path("supervision/notices/", views.notice_list_view, name="notice-list"),
    path("supervision/notices/<int:pk>/", views.notice_detail_view, name="notice-detail"),
    path("supervision/assessment/", views.assessment_view, name="assessment"),
    path("supervision/filings/", views.filing_list_view, name="filing-list"),
    path("supervision/filings/<int:pk>/", views.filing_detail_view, name="filing-detail"),
    path("supervision/reports/", views.report_list_view, name="report-list"),
    path("supervision/reports/<int:pk>/pdf/", views.report_pdf_view, name="report-pdf"),
]
