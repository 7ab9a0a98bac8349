"""Helpers shared by the workbench doors. They hold no rule: who may act is
asked of the services' own ``require_*`` checks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from zhifa.accounts.selectors import agency_list
from zhifa.core.errors import Forbidden, ZhifaError


def permitted(check, *args) -> bool:
    """Whether a ``services.require_*`` check passes: only usable buttons are shown."""
    try:
        check(*args)
    except Forbidden:
        return False
    return True


def managed_agencies(user, check) -> list:
    """The agencies visible to ``user`` for which ``check(user, agency)`` passes,
    by name: those whose lists the user may maintain."""
    return [a for a in agency_list(actor=user).order_by("name") if permitted(check, user, a)]


def require(check, *args) -> None:
    """Refuse the page (403) to whom the service would refuse the action."""
    try:
        check(*args)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from None


def form_page(request, form, *, save, title, cancel_url, template, **extra):
    """Show ``form``; on a valid POST, ``save(cleaned_data)`` calls the service and
    returns the success message and the next URL. A ``ZhifaError`` goes on the form
    as a non-field error, and the service's transaction has changed nothing."""
    if request.method == "POST" and form.is_valid():
        try:
            message, next_url = save(form.cleaned_data)
        except ZhifaError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, message)
            return redirect(next_url)
    context = {"title": title, "form": form, "cancel_url": cancel_url, **extra}
    return render(request, template, context)
