from django.urls import path

from zhifa.disclosures import views

app_name = "portal"

urlpatterns = [
    path("", views.portal_home, name="home"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency-detail"),
    path("agencies/<int:pk>/embed/", views.agency_embed, name="agency-embed"),
    path("matters/", views.matter_list, name="matter-list"),
    path("decisions/", views.decision_list, name="decision-list"),
    path("decisions/feed.atom", views.decision_feed, name="decision-feed"),
    path("decisions/export.<str:fmt>", views.decision_export, name="decision-export"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision-detail"),
    path("inspection-results/", views.inspection_result_list, name="inspection-result-list"),
    path(
        "inspection-results/<int:pk>/",
        views.inspection_result_detail,
        name="inspection-result-detail",
    ),
    path("inspection-draws/", views.draw_list, name="draw-list"),
    path("takedowns/", views.takedown_list, name="takedown-list"),
    path("officers/verify", views.officer_verify, name="officer-verify"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/status/", views.request_status, name="request-status"),
    # The legal unit's publication queue, in the workbench.
    path("workbench/disclosures/", views.queue, name="wb-queue"),
    path("workbench/disclosures/new/", views.ex_ante_new, name="wb-ex-ante-new"),
    path(
        "workbench/disclosures/prepare/<int:pk>/",
        views.prepare_decision,
        name="wb-prepare",
    ),
    path(
        "workbench/disclosures/prepare-execution/<int:pk>/",
        views.prepare_execution,
        name="wb-prepare-execution",
    ),
    path("workbench/disclosures/<int:pk>/", views.detail, name="wb-detail"),
    path("workbench/disclosures/<int:pk>/submit/", views.submit, name="wb-submit"),
    path("workbench/disclosures/<int:pk>/publish/", views.publish, name="wb-publish"),
    path("workbench/disclosures/<int:pk>/return/", views.return_view, name="wb-return"),
    path("workbench/disclosures/<int:pk>/withhold/", views.withhold, name="wb-withhold"),
    path("workbench/disclosures/<int:pk>/withdraw/", views.withdraw, name="wb-withdraw"),
    path(
        "workbench/disclosures/requests/<int:pk>/",
        views.request_answer,
        name="wb-request",
    ),
    path("workbench/windows/", views.window_list, name="wb-windows"),
    path("workbench/windows/new/", views.window_new, name="wb-window-new"),
    path("workbench/windows/import/", views.window_import, name="wb-window-import"),
    path("workbench/windows/export.xlsx", views.window_export, name="wb-window-export"),
    path("workbench/windows/<int:pk>/", views.window_detail, name="wb-window"),
    path("workbench/windows/<int:pk>/edit/", views.window_edit, name="wb-window-edit"),
    path(
        "workbench/windows/<int:pk>/board-<str:size>.pdf",
        views.window_board,
        name="wb-window-board",
    ),
    path(
        "workbench/disclosures/credentials/<int:pk>/qr.svg",
        views.credential_qr,
        name="wb-credential-qr",
    ),
]
