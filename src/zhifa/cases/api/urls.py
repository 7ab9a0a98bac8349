from rest_framework.routers import SimpleRouter

from zhifa.cases.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register(r"cases/(?P<case_pk>[0-9]+)/records", views.RecordViewSet, basename="case-record")
urlpatterns = router.urls
