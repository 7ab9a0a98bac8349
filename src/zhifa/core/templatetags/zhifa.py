from django import template

from zhifa.accounts.models import Role
from zhifa.accounts.selectors import officer_of, roles_of

register = template.Library()


@register.simple_tag
def actor_roles(user):
    return [Role(r).label for r in sorted(roles_of(user))]


@register.filter
def has_role(user, role: str) -> bool:
    return role in roles_of(user)


@register.simple_tag
def actor_officer(user):
    return officer_of(user)


@register.simple_tag
def sort_link(querystring: str, key: str, current: str) -> str:
    direction = "-" if current == key else ""
    base = "&".join(p for p in querystring.split("&") if p and not p.startswith("sort="))
    return f"?{base}&sort={direction}{key}" if base else f"?sort={direction}{key}"
