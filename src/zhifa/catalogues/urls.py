from django.urls import path

from zhifa.catalogues.views import calendar, library, matters

app_name = "catalogues"

urlpatterns = [
    path("matters/", matters.matter_list_view, name="matter-list"),
    path("matters/import/", matters.matter_import_view, name="matter-import"),
    path("matters/template.xlsx", matters.matter_template_view, name="matter-template"),
    path("matters/new/", matters.matter_create_view, name="matter-create"),
    path("matters/<int:pk>/edit/", matters.matter_edit_view, name="matter-edit"),
    path("legal-bases/", library.legal_basis_list_view, name="legal-basis-list"),
    path("legal-bases/import/", library.legal_basis_import_view, name="legal-basis-import"),
    path("legal-bases/<int:pk>/", library.legal_basis_detail_view, name="legal-basis-detail"),
    path("benchmarks/", library.benchmark_list_view, name="benchmark-list"),
    path("benchmarks/import/", library.benchmark_import_view, name="benchmark-import"),
    path(
        "benchmarks/<int:pk>/versions/",
        library.benchmark_versions_view,
        name="benchmark-versions",
    ),
    path("calendar/", calendar.calendar_view, name="calendar"),
    path("calendar/years/", calendar.calendar_year_add_view, name="calendar-year-add"),
    path("calendar/days/", calendar.calendar_day_set_view, name="calendar-day-set"),
    path(
        "calendar/<int:year>/publish/",
        calendar.calendar_year_publish_view,
        name="calendar-year-publish",
    ),
]
