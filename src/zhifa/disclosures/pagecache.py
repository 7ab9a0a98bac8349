"""Cached portal list pages (PUB-12).

The decision list is the same for every anonymous visitor, and rendering it
costs about 10 ms of CPU (bench/portal_load.py). A page is kept for
``ZHIFA_DISCLOSURE_PAGE_CACHE_SECONDS`` under a key that holds the publication mark: the
highest disclosure and disclosure-event ids. Every publication, withdrawal,
correction, withholding and expiry writes a ``DisclosureEvent``, so a takedown
changes the mark and the next request renders afresh — nothing withdrawn is
served from the cache (PUB-09). The mark costs two index look-ups. What the
mark does not follow (an agency renamed in the filter list) is at most the
cache time late. Signed-in users, who may see their own links, are never
served from it.
"""

from __future__ import annotations

import functools
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max
from django.http import HttpResponse
from django.utils import timezone

from zhifa.disclosures.models import Disclosure, DisclosureEvent


def publication_mark() -> str:
    disclosure = Disclosure.objects.aggregate(m=Max("pk"))["m"] or 0
    event = DisclosureEvent.objects.aggregate(m=Max("pk"))["m"] or 0
    return f"{disclosure}.{event}.{timezone.localdate().isoformat()}"


def _key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
    return f"portal-page:{publication_mark()}:{path}"


def cached_list(view):
    """Serve an anonymous GET of ``view`` from the cache while nothing on the
    portal has changed."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        seconds = getattr(settings, "ZHIFA_DISCLOSURE_PAGE_CACHE_SECONDS", 60)
        if (
            not seconds
            or request.method != "GET"
            or settings.SESSION_COOKIE_NAME in request.COOKIES
        ):
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
        return response

    return wrapper
