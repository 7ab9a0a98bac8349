from django.urls import path

from zhifa.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ZhifaLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("agencies/", views.agency_list_view, name="agency-list"),
    path("agencies/new/", views.agency_create_view, name="agency-create"),
    path("agencies/<int:pk>/", views.agency_detail_view, name="agency-detail"),
    path("agencies/<int:pk>/edit/", views.agency_edit_view, name="agency-edit"),
    path("agencies/<int:pk>/units/new/", views.unit_create_view, name="unit-create"),
    path("agencies/<int:pk>/officers/new/", views.officer_create_view, name="officer-create"),
    path("officers/", views.officer_list_view, name="officer-list"),
    path("officers/<int:pk>/", views.officer_detail_view, name="officer-detail"),
    path("officers/<int:pk>/password/", views.officer_password_view, name="officer-password"),
    path("officers/<int:pk>/roles/new/", views.role_grant_view, name="role-grant"),
    path("officers/<int:pk>/roles/<str:role>/revoke/", views.role_revoke_view, name="role-revoke"),
    path(
        "officers/<int:pk>/credentials/new/", views.credential_issue_view, name="credential-issue"
    ),
    path("credentials/", views.credential_list_view, name="credential-list"),
    path("credentials/<int:pk>/status/", views.credential_status_view, name="credential-status"),
]
