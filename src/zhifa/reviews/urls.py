from django.urls import path

from zhifa.reviews import views

app_name = "reviews"

urlpatterns = [
    path("reviews/", views.queue_view, name="queue"),
    path("reviews/case/<int:pk>/", views.case_view, name="case"),
    path("reviews/case/<int:pk>/submit/", views.submit_view, name="submit"),
    path("reviews/case/<int:pk>/flag/", views.flag_view, name="flag"),
    path("reviews/case/<int:pk>/deliberate/", views.deliberate_view, name="deliberate"),
    path("reviews/submissions/<int:pk>/check/", views.check_view, name="check"),
    path("reviews/submissions/<int:pk>/notice.docx", views.notice_view, name="notice"),
    path("reviews/submissions/<int:pk>/pause/", views.pause_view, name="pause"),
    path("reviews/submissions/<int:pk>/resume/", views.resume_view, name="resume"),
    path("reviews/submissions/<int:pk>/extend/", views.extend_view, name="extend"),
    path("reviews/submissions/<int:pk>/decide/", views.decide_view, name="decide"),
    path("reviews/opinions/<int:pk>/respond/", views.respond_view, name="respond"),
    path("reviews/opinions/<int:pk>/<str:which>.<str:fmt>", views.document_view, name="document"),
    path("reviews/rules/", views.rule_list_view, name="rule-list"),
    path("reviews/rules/new/", views.rule_create_view, name="rule-create"),
    path("reviews/rules/import/", views.rule_import_view, name="rule-import"),
    path("reviews/rules/disclose/", views.catalogue_disclose_view, name="catalogue-disclose"),
    path("reviews/filings/", views.filing_list_view, name="filing-list"),
    path("reviews/filings/new/", views.filing_create_view, name="filing-create"),
    path("reviews/filings/<int:pk>/", views.filing_view, name="filing"),
    path("reviews/filings/<int:pk>/answer/", views.filing_answer_view, name="filing-answer"),
    path("reviews/preliminary/", views.preliminary_setting_view, name="preliminary-setting"),
    path("reviews/case/<int:pk>/preliminary/", views.preliminary_view, name="preliminary"),
    path(
        "reviews/submissions/<int:pk>/advisers/", views.adviser_invite_view, name="adviser-invite"
    ),
    path("reviews/advisers/<int:pk>/opinion/", views.adviser_opinion_view, name="adviser-opinion"),
    path("reviews/advisers/<int:pk>/recheck/", views.adviser_recheck_view, name="adviser-recheck"),
    path(
        "reviews/advisers/<int:pk>/document/",
        views.adviser_document_view,
        name="adviser-document",
    ),
    path("reviews/opinions/<int:pk>/forward/", views.forward_view, name="forward"),
    path("reviews/forwardings/", views.forwarding_list_view, name="forwarding-list"),
    path("reviews/forwardings/<int:pk>/answer/", views.forward_answer_view, name="forward-answer"),
]
