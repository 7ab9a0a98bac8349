"""The security tests every REST endpoint inherits (after NetBox's APIViewTestCases).

A test module declares an endpoint once and gets the same checks as every
other endpoint, so no endpoint can forget one::

    class MatterEndpoint:
        list_url_name = "api:matter-list"

        def make_object(self, build, county):
            return matter_create(actor=county.market_admin, agency=county.market, ...)


    class TestMatterRead(MatterEndpoint, APIReadTests):
        pass


    class TestMatterUpdate(MatterEndpoint, APIWriteTests):
        write_method = "patch"
        ledger_action = "matter.update"

        def write_payload(self, county, obj):
            return {"name": "新名称"}

The object belongs to agency A (``county.market``). By default the allowed
user is A's admin and the other user is the admin of another agency of the
same county (``county.safety``), which is the nearest neighbour a scope bug
would leak to. Objects are made through the services, never by hand.

Anonymous requests may be answered 401 or 403: DRF answers 403 when the first
authentication class (session) sends no ``WWW-Authenticate`` challenge.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models
from django.urls import reverse

from zhifa.ledger.models import LedgerEntry
from zhifa.ledger.selectors import entries_for

REFUSED_ANONYMOUS = (401, 403)


class APIEndpoint:
    """What the suite needs to know about one endpoint."""

    #: The router's list route, e.g. ``"api:matter-list"``; ``-detail`` is derived.
    list_url_name: str

    def make_object(self, build, county) -> models.Model:
        """An object owned by agency A (``county.market``), made through the services."""
        raise NotImplementedError

    def allowed_user(self, county):
        """A user of agency A who may read (and, for writes, make) the change."""
        return county.market_admin

    def other_user(self, county):
        """A user of another agency, to whom agency A's object must not exist."""
        return county.safety_admin

    @pytest.fixture
    def obj(self, build, county):
        return self.make_object(build, county)

    def list_url(self) -> str:
        return reverse(self.list_url_name)

    def detail_url(self, obj: models.Model) -> str:
        return reverse(self.list_url_name.removesuffix("-list") + "-detail", args=[obj.pk])


def listed_ids(response) -> list:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) and "results" in body else body
    return [row["id"] for row in rows]


class APIReadTests(APIEndpoint):
    """Anonymous → refused; other agency → 404 and absent from its list; allowed → 200."""

    def test_anonymous_list_is_refused(self, client, obj):
        assert client.get(self.list_url()).status_code in REFUSED_ANONYMOUS

    def test_anonymous_detail_is_refused(self, client, obj):
        assert client.get(self.detail_url(obj)).status_code in REFUSED_ANONYMOUS

    def test_other_agency_gets_404_on_detail(self, client, county, obj):
        client.force_login(self.other_user(county))
        # 404 and not 403: a refusal would tell the caller the object exists.
        assert client.get(self.detail_url(obj)).status_code == 404

    def test_other_agency_does_not_list_the_object(self, client, county, obj):
        client.force_login(self.other_user(county))
        response = client.get(self.list_url())
        assert response.status_code == 200
        assert obj.pk not in listed_ids(response)

    def test_allowed_user_lists_the_object(self, client, county, obj):
        client.force_login(self.allowed_user(county))
        response = client.get(self.list_url())
        assert response.status_code == 200
        assert obj.pk in listed_ids(response)

    def test_allowed_user_reads_the_detail(self, client, county, obj):
        client.force_login(self.allowed_user(county))
        response = client.get(self.detail_url(obj))
        assert response.status_code == 200
        assert response.json()["id"] == obj.pk


class APIWriteTests(APIEndpoint):
    """Anonymous → refused; other agency → refused with nothing changed; allowed →
    success and a ledger entry for the object with ``ledger_action``.

    A subclass sets ``write_method`` and ``ledger_action``, and gives the payload
    in ``write_payload``. By default a POST goes to the list (a create) and a
    PATCH to the object; set ``write_action`` to the url name of a detail action
    (``"status"`` for ``api:credential-status``) to POST there instead.
    """

    write_method: str = "post"
    write_action: str | None = None
    ledger_action: str
    #: How another agency's write is refused: 404 where it names A's object in
    #: the URL; 400 for a create, where A's agency is an unknown id in the payload.
    other_status: tuple[int, ...] = (404,)

    def write_payload(self, county, obj) -> dict[str, Any]:
        raise NotImplementedError

    def writer(self, county):
        """Who may make the write; by default the user allowed to read."""
        return self.allowed_user(county)

    def is_create(self) -> bool:
        return self.write_method == "post" and self.write_action is None

    def write_url(self, obj) -> str:
        if self.write_action:
            name = self.list_url_name.removesuffix("-list") + "-" + self.write_action
            return reverse(name, args=[obj.pk])
        return self.list_url() if self.is_create() else self.detail_url(obj)

    def send(self, client, county, obj):
        send = getattr(client, self.write_method)
        payload = self.write_payload(county, obj)
        return send(self.write_url(obj), payload, content_type="application/json")

    def written_object(self, response, obj) -> models.Model:
        """The object the write changed: the new one for a create, else ``obj``."""
        if self.is_create():
            return type(obj).objects.get(pk=response.json()["id"])
        return obj

    @staticmethod
    def snapshot(obj) -> tuple:
        """Everything a refused write must leave as it was."""
        model = type(obj)
        row = model.objects.get(pk=obj.pk)
        fields = {f.attname: getattr(row, f.attname) for f in model._meta.concrete_fields}
        return LedgerEntry.objects.count(), model.objects.count(), fields

    def test_anonymous_write_is_refused(self, client, county, obj):
        before = self.snapshot(obj)
        assert self.send(client, county, obj).status_code in REFUSED_ANONYMOUS
        assert self.snapshot(obj) == before

    def test_other_agency_write_is_refused_and_changes_nothing(self, client, county, obj):
        before = self.snapshot(obj)
        client.force_login(self.other_user(county))
        response = self.send(client, county, obj)
        assert response.status_code in self.other_status, response.content.decode()
        assert self.snapshot(obj) == before

    def test_allowed_write_succeeds_and_is_in_the_ledger(self, client, county, obj):
        writer = self.writer(county)
        client.force_login(writer)
        response = self.send(client, county, obj)
        assert response.status_code in (200, 201), response.content.decode()
        written = self.written_object(response, obj)
        entry = entries_for(written).filter(action=self.ledger_action).last()
        assert entry is not None, f"没有 {self.ledger_action} 台账记录"
        assert entry.actor_id == writer.pk
