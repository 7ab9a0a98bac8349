import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_schema_is_public(client):
    # The schema describes the endpoints, not their data; integrators read it
    # before they have an account, as with Open Zaak's published schemas.
    response = client.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/matters/" in response.content


def test_the_docs_page_answers_a_logged_in_user(client, county):
    client.force_login(county.market_admin)
    assert client.get(reverse("api-docs")).status_code == 200
