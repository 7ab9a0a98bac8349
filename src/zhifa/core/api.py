"""Shared pieces of the REST door."""

from __future__ import annotations

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
    """The index of /api/v1/: every resource with its address."""

    resources = {
        "agencies": "agency",
        "units": "unit",
        "officers": "officer",
        "credentials": "credential",
        "matters": "matter",
        "cases": "case",
        "instruments": "instrument",
        "casefiles": "casefile",
        "media": "media",
        "media-requirements": "media-requirement",
        "devices": "device",
        "rooms": "room",
        "equipment-ratios": "equipment-ratio",
    }

    @extend_schema(exclude=True)
    def get(self, request):
        return Response(
            {
                plural: reverse(f"api:{name}-list", request=request)
                for plural, name in self.resources.items()
            }
            | {"schema": reverse("api-schema", request=request)}
        )
