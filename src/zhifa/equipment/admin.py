from django.contrib import admin

from zhifa.core.admin import ReadOnlyAdmin
from zhifa.equipment import models


@admin.register(models.Device)
class DeviceAdmin(ReadOnlyAdmin):
    list_display = ("asset_number", "kind", "model", "agency", "status")
    list_filter = ("kind", "status")
    search_fields = ("asset_number", "model", "serial_number")


@admin.register(models.DeviceCheckout)
class DeviceCheckoutAdmin(ReadOnlyAdmin):
    list_display = ("device", "officer", "checked_out_at", "returned_at")


@admin.register(models.DeviceFault)
class DeviceFaultAdmin(ReadOnlyAdmin):
    list_display = ("device", "reported_by", "reported_at", "resolved_at")


@admin.register(models.Room)
class RoomAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "agency", "has_av_recording", "is_active")
    list_filter = ("kind", "is_active")
