from django.urls import path

from zhifa.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.ZhifaLoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("agencies/", views.agency_list_view, name="agency-list"),
    path("agencies/<int:pk>/", views.agency_detail_view, name="agency-detail"),
    path("officers/", views.officer_list_view, name="officer-list"),
    path("officers/<int:pk>/", views.officer_detail_view, name="officer-detail"),
    path("credentials/", views.credential_list_view, name="credential-list"),
    path("credentials/<int:pk>/status/", views.credential_status_view, name="credential-status"),
]
