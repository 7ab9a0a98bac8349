import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


def test_the_admin_is_read_only_for_every_model(client_for, county):
    client = client_for(county.sysadmin)
    for model, model_admin in admin.site._registry.items():
        request = type("R", (), {"user": county.sysadmin})()
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert client.get(url).status_code == 200, url
        assert client.get(url + "add/").status_code == 403, url
