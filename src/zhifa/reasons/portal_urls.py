"""The reasons app's public doors on the portal: a party's request for written
reasons and its status page (RSN-05, PUB-10). They sit beside the portal's
other forms, outside ``/workbench/``, which a deployment may keep internal."""

from django.urls import path

from zhifa.reasons import views

app_name = "reasons-portal"

urlpatterns = [
    path("reasons-requests/new/", views.public_request_view, name="public-request"),
    path("reasons-requests/status/", views.public_status_view, name="public-status"),
]
