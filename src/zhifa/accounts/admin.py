from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group

from zhifa.accounts import models
from zhifa.core.admin import ReadOnlyAdmin

admin.site.unregister(get_user_model())
admin.site.unregister(Group)


@admin.register(get_user_model())
class ReadOnlyUserAdmin(ReadOnlyAdmin, UserAdmin):
    pass


@admin.register(models.Region)
class RegionAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "level", "parent")
    search_fields = ("code", "name")


@admin.register(models.Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "domain", "region")
    list_filter = ("kind", "domain")
    search_fields = ("name",)


@admin.register(models.Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "agency")
    list_filter = ("kind",)


@admin.register(models.Officer)
class OfficerAdmin(ReadOnlyAdmin):
    list_display = ("name", "agency", "unit", "post", "is_active")
    search_fields = ("name",)
    exclude = ("id_number",)


@admin.register(models.RoleGrant)
class RoleGrantAdmin(ReadOnlyAdmin):
    list_display = ("officer", "role", "granted_at")
    list_filter = ("role",)


@admin.register(models.Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ("number", "officer", "kind", "valid_until", "status")
    list_filter = ("status", "kind")
    search_fields = ("number", "officer__name")


@admin.register(models.LoginAttempt)
class LoginAttemptAdmin(ReadOnlyAdmin):
    list_display = ("username", "succeeded", "ip_address", "attempted_at")
    list_filter = ("succeeded",)
