from django.urls import path

from zhifa.catalogues.views import calendar, matters

app_name = "catalogues"

urlpatterns = [
    path("matters/", matters.matter_list_view, name="matter-list"),
    path("matters/import/", matters.matter_import_view, name="matter-import"),
    path("calendar/", calendar.calendar_view, name="calendar"),
]
