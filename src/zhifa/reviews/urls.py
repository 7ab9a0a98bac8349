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
]
