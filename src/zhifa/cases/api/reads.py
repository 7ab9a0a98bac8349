"""API reads of things that belong to a case (reasons, reviews, …) put the look
on record (REC-12): a detail as a look at its case, a list once per case on the
page it returns."""

from __future__ import annotations

from rest_framework.response import Response

from zhifa.cases.services import case_viewed


# A mixin without a docstring: the schema would take one as every endpoint's description.
class LoggedReads:
    logged_as = ""
    case_path = "case"  # from the item to its case, e.g. "submission__case"

    def case_of(self, item):
        for part in self.case_path.split("__"):
            item = getattr(item, part)
        return item

    def retrieve(self, request, pk=None):
        item = self.get_object()
        case = self.case_of(item)
        case_viewed(actor=request.user, case=case, what=f"{self.logged_as}:{item.pk}")
        return Response(self.get_serializer(item).data)

    def list(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset()).select_related(self.case_path)
        page = self.paginate_queryset(rows)
        shown = list(page if page is not None else rows)
        cases = {}
        for row in shown:
            case = self.case_of(row)
            cases[case.pk] = case
        for case in cases.values():
            case_viewed(actor=request.user, case=case, what=self.logged_as)
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)
