from django.urls import path

from zhifa.reasons import views

app_name = "reasons"

urlpatterns = [
    path("cases/<int:pk>/reasons/", views.reasons_detail_view, name="detail"),
    path("cases/<int:pk>/reasons/edit/", views.reasons_edit_view, name="edit"),
    path("cases/<int:pk>/reasons/requests/new/", views.request_create_view, name="request-create"),
    path(
        "cases/<int:pk>/reasons/exemptions/new/",
        views.exemption_create_view,
        name="exemption-create",
    ),
    path("cases/<int:pk>/reasons/oral/new/", views.oral_create_view, name="oral-create"),
    path("cases/<int:pk>/reasons/grounds/new/", views.ground_create_view, name="ground-create"),
    path("reasons/grounds/<int:pk>/withdraw/", views.ground_withdraw_view, name="ground-withdraw"),
    # The portal's form for the party (RSN-05, PUB-10): no login.
    path("reasons/requests/", views.request_list_view, name="request-list"),
    path("reasons/requests/<int:pk>/answer/", views.request_answer_view, name="request-answer"),
    path(
        "reasons/exemptions/<int:pk>/objection/",
        views.exemption_objection_view,
        name="exemption-objection",
    ),
]
