from django.urls import path

from zhifa.equipment import views

app_name = "equipment"

urlpatterns = [
    path("equipment/devices/", views.device_list_view, name="device-list"),
    path("equipment/devices/new/", views.device_create_view, name="device-create"),
    path("equipment/devices/import/", views.device_import_view, name="device-import"),
    path("equipment/devices/template.xlsx", views.device_template_view, name="device-template"),
    path("equipment/devices/<int:pk>/", views.device_detail_view, name="device-detail"),
    path("equipment/devices/<int:pk>/edit/", views.device_edit_view, name="device-edit"),
    path(
        "equipment/devices/<int:pk>/checkout/", views.device_checkout_view, name="device-checkout"
    ),
    path("equipment/devices/<int:pk>/return/", views.device_return_view, name="device-return"),
    path("equipment/devices/<int:pk>/fault/", views.device_fault_view, name="device-fault"),
    path("equipment/devices/<int:pk>/resolve/", views.device_resolve_view, name="device-resolve"),
    path("equipment/devices/<int:pk>/retire/", views.device_retire_view, name="device-retire"),
    path("equipment/rooms/", views.room_list_view, name="room-list"),
    path("equipment/rooms/new/", views.room_create_view, name="room-create"),
    path("equipment/rooms/<int:pk>/edit/", views.room_edit_view, name="room-edit"),
    path("equipment/ratio/", views.ratio_view, name="ratio"),
]
