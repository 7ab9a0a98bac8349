from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from zhifa.core.api import APIRootView

api_v1 = [
    path("", APIRootView.as_view(), name="root"),
    path("", include("zhifa.accounts.api.urls")),
    path("", include("zhifa.catalogues.api.urls")),
    path("", include("zhifa.cases.api.urls")),
    path("", include("zhifa.media.api.urls")),
    path("", include("zhifa.instruments.api.urls")),
    path("", include("zhifa.casefiles.api.urls")),
    path("", include("zhifa.equipment.api.urls")),
    path("", include("zhifa.reviews.api.urls")),
    path("", include("zhifa.reasons.api.urls")),
    path("", include("zhifa.remedies.api.urls")),
    path("", include("zhifa.inspections.api.urls")),
    path("", include("zhifa.supervision.api.urls")),
    path("", include("zhifa.assist.api.urls")),
    path("", include("zhifa.disclosures.api.urls")),
]

urlpatterns = [
    path("", include("zhifa.disclosures.urls")),
    path("", include("zhifa.supervision.portal_urls")),
    path("", include("zhifa.reasons.portal_urls")),
    path("workbench/", include("zhifa.accounts.urls")),
    path("workbench/", include("zhifa.catalogues.urls")),
    path("workbench/", include("zhifa.ledger.urls")),
    path("workbench/", include("zhifa.cases.urls")),
    path("workbench/", include("zhifa.media.urls")),
    path("workbench/", include("zhifa.instruments.urls")),
    path("workbench/", include("zhifa.casefiles.urls")),
    path("workbench/", include("zhifa.equipment.urls")),
    path("workbench/", include("zhifa.reviews.urls")),
    path("workbench/", include("zhifa.reasons.urls")),
    path("workbench/", include("zhifa.remedies.urls")),
    path("workbench/", include("zhifa.inspections.urls")),
    path("workbench/", include("zhifa.supervision.urls")),
    path("workbench/", include("zhifa.assist.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

admin.site.site_header = "Zhifa 行政执法平台管理后台"
admin.site.site_title = "Zhifa 管理后台"
