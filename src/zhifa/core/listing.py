"""Workbench lists: search, sort, pagination and Excel export, the same way on
every page. Views describe their columns; the rules stay in selectors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from operator import or_
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.utils import timezone

from zhifa.core.excel import workbook_response


@dataclass(frozen=True)
class Column:
    label: str
    value: str | Callable[[Any], Any]
    sort: str | None = None
    link: Callable[[Any], str] | None = None

    def get(self, obj) -> Any:
        if callable(self.value):
            return self.value(obj)
        result = obj
        for part in self.value.split("."):
            result = getattr(result, part, None)
            if result is None:
                return ""
            if callable(result):
                result = result()
        return result


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.strftime("%Y-%m-%d")
    return value


@dataclass
class Listing:
    title: str
    columns: Sequence[Column]
    search_fields: Sequence[str] = ()
    default_sort: str = ""
    export_name: str = ""
    page_size: int = 25
    actions: list[tuple[str, str]] = field(default_factory=list)

    def sort_keys(self) -> set[str]:
        return {c.sort for c in self.columns if c.sort}

    def filter(self, request, queryset: QuerySet) -> tuple[QuerySet, str, str]:
        q = request.GET.get("q", "").strip()
        if q and self.search_fields:
            queryset = queryset.filter(
                reduce(or_, (Q(**{f"{f}__icontains": q}) for f in self.search_fields))
            )
        sort = request.GET.get("sort", self.default_sort)
        if sort.lstrip("-") not in self.sort_keys():
            sort = self.default_sort
        if sort:
            queryset = queryset.order_by(sort, "pk")
        return queryset, q, sort

    def respond(
        self,
        request,
        queryset: QuerySet,
        *,
        template: str = "core/list.html",
        context: dict | None = None,
    ):
        queryset, q, sort = self.filter(request, queryset)
        if request.GET.get("export") == "xlsx":
            return workbook_response(
                filename=f"{self.export_name or self.title}.xlsx",
                title=self.title,
                headers=[c.label for c in self.columns],
                rows=(
                    [_plain(c.get(obj)) for c in self.columns]
                    for obj in queryset.iterator(chunk_size=2000)
                ),
            )
        page = Paginator(queryset, self.page_size).get_page(request.GET.get("page"))
        rows = [
            [(_plain(c.get(obj)), c.link(obj) if c.link else "") for c in self.columns]
            for obj in page.object_list
        ]
        headers = [
            {
                "label": c.label,
                "sort": c.sort,
                "active": sort.lstrip("-") == c.sort,
                "descending": sort.startswith("-"),
            }
            for c in self.columns
        ]
        params = request.GET.copy()
        params.pop("page", None)
        full = {
            "listing": self,
            "page": page,
            "rows": rows,
            "headers": headers,
            "q": q,
            "sort": sort,
            "querystring": params.urlencode(),
            **(context or {}),
        }
        if request.htmx and request.htmx.target == "list-table":
            return render(request, "core/_table.html", full)
        return render(request, template, full)
