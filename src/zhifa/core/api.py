"""Shared pieces of the REST door."""

from __future__ import annotations

from django.urls import NoReverseMatch, get_resolver
from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from zhifa.accounts.selectors import officer_of
from zhifa.core.errors import ZhifaError


def exception_handler(exc, context):
    """Turn a ``ZhifaError`` into its HTTP status with the Chinese message."""
    if isinstance(exc, ZhifaError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.details:
            body["errors"] = exc.details
        return Response(body, status=exc.status)
    return drf_exception_handler(exc, context)


def created(data) -> Response:
    return Response(data, status=status.HTTP_201_CREATED)


def validated(view, **kwargs) -> dict:
    """The request body checked by ``view``'s serializer (``partial=True`` for a
    PATCH): its validated fields, or a 400 with the field errors."""
    given = view.get_serializer(data=view.request.data, **kwargs)
    given.is_valid(raise_exception=True)
    return dict(given.validated_data)


def own_agency(request, given):
    """The agency named in the request, or the requester's own."""
    if given is not None:
        return given
    officer = officer_of(request.user)
    if officer is None:
        raise serializers.ValidationError({"agency": ["请指定执法主体。"]})
    return officer.agency


class APIRootView(APIView):
    """The index of /api/v1/: every resource with its address, read from the URL
    configuration so that a new resource is listed without being named here."""

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {name: reverse(f"api:{route}", request=request) for name, route in _list_routes()}
            | {"schema": reverse("api-schema", request=request)}
        )


def _list_routes() -> list[tuple[str, str]]:
    """(resource, route name) of every top-level list route under ``api:``."""
    _, api = get_resolver().namespace_dict["api"]
    found = []
    for name in api.reverse_dict:
        if not isinstance(name, str) or not name.endswith("-list"):
            continue
        try:
            path = django_reverse(f"api:{name}")
        except NoReverseMatch:
            continue  # nested under another resource (a case's records …)
        found.append((path.rstrip("/").rsplit("/", 1)[-1], name))
    return sorted(found)
