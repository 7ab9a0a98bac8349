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


def test_api_root_lists_the_resources(client, county):
    assert client.get("/api/v1/").status_code in (401, 403)
    client.force_login(county.market_admin)
    body = client.get("/api/v1/").json()
    assert body["matters"].endswith("/api/v1/matters/")
    assert set(body) >= {"agencies", "units", "officers", "credentials", "matters", "schema"}
    # Every list route is there, with no list kept by hand: a new resource appears.
    assert set(body) >= {"cases", "instruments", "media", "devices", "reviews", "inspection-plans"}
    assert "records" not in body  # nested under a case: reached from the case
