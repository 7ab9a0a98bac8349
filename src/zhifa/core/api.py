"""Shared pieces of the REST door."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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
