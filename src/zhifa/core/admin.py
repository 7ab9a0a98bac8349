"""Django admin is a read-only window onto the data.

Every change must go through a service so that it is checked and leaves its
ledger entry; an admin form would write behind both. The workbench is where
data is changed.
"""

from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
