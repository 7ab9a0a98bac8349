from rest_framework.routers import SimpleRouter

from zhifa.casefiles.api import views

router = SimpleRouter()
router.register("casefiles", views.CaseFileViewSet, basename="casefile")
urlpatterns = router.urls
