from __future__ import annotations

from itertools import groupby

from zhifa.accounts.models import Agency


def portal_agencies() -> list[tuple[str, list[Agency]]]:
    """Active agencies grouped by region, with only their public profile fields."""
    agencies = (
        Agency.objects.filter(is_active=True)
        .select_related("region")
        .only(
            "name", "kind", "domain", "complaint_phone", "address", "region__name", "region__code"
        )
        .order_by("region__code", "kind", "name")
    )
    return [(region, list(items)) for region, items in groupby(agencies, lambda a: a.region.name)]
