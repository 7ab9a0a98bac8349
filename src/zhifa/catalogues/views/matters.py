from django.contrib.auth.decorators import login_required
from django.urls import reverse

from zhifa.catalogues.selectors import matter_list
from zhifa.core.listing import Column, Listing

MATTER_LISTING = Listing(
    title="执法事项清单",
    columns=[
        Column("项目编码", "code", sort="code"),
        Column("事项名称", "name", sort="name"),
        Column("事项类别", "get_action_kind_display", sort="action_kind"),
        Column("执法主体", "agency.name", sort="agency__name"),
        Column("承办机构", "unit.name"),
        Column("执法依据", "legal_basis"),
        Column("办理时限（工作日）", "time_limit_days", sort="time_limit_days"),
    ],
    search_fields=("code", "name", "legal_basis", "agency__name"),
    default_sort="code",
)


@login_required
def matter_list_view(request):
    MATTER_LISTING.actions = [("导入 Excel", reverse("catalogues:matter-import"))]
    return MATTER_LISTING.respond(request, matter_list(actor=request.user))


@login_required
def matter_import_view(request):
    raise NotImplementedError
