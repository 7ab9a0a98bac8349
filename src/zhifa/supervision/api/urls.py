from rest_framework.routers import SimpleRouter

from zhifa.supervision.api import views

router = SimpleRouter()
router.register("supervision/watch-counts", views.WatchCountViewSet, basename="watch-count")
router.register("supervision/findings", views.FindingViewSet, basename="finding")
router.register(
    "supervision/assessment", views.AssessmentViewSet, basename="supervision-assessment"
)
router.register("supervision/notices", views.NoticeViewSet, basename="rectification-notice")
router.register("supervision/filings", views.FilingViewSet, basename="supervision-filing")
urlpatterns = router.urls
