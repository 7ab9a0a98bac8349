"""A fixed-window rate limit per client address for the portal's forms and the
credential check (PUB-04, PUB-10). It counts in Django's cache: with several
processes, configure a shared cache (database or Redis) in production."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def client_address(request) -> str:
    """The visitor's address. Behind the proxy (``ZHIFA_BEHIND_PROXY``) every
    request comes from the proxy, which appends the address it saw to
    X-Forwarded-For: the last one is the only one it vouches for (the earlier
    ones are whatever the client sent, and could be forged to dodge a limit)."""
    if settings.ZHIFA_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            return last
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request, bucket: str, *, limit: int, period_seconds: int) -> bool:
    """Count one use of ``bucket`` by this client; False once over ``limit``."""
    window = int(time.time() // period_seconds)
    key = f"zhifa:rl:{bucket}:{client_address(request)}:{window}"
    if cache.add(key, 1, timeout=period_seconds + 5):
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period_seconds + 5)
        count = 1
    return count <= limit
