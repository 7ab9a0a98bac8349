from django.urls import path

from zhifa.remedies import views

app_name = "remedies"

urlpatterns = [
    path("remedies/", views.remedy_list_view, name="list"),
    path("cases/<int:pk>/remedies/", views.case_remedies_view, name="case"),
    path("cases/<int:pk>/remedies/new/", views.remedy_create_view, name="create"),
    path(
        "cases/<int:pk>/remedies/<int:rid>/supersede/",
        views.remedy_supersede_view,
        name="supersede",
    ),
]
