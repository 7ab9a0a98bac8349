from rest_framework.routers import SimpleRouter

from zhifa.supervision.api import views

router = SimpleRouter()
router.register("supervision/watch-counts", views.WatchCountViewSet, basename="watch-count")
router.register("supervision/findings", views.FindingViewSet, basename="finding")
urlpatterns = router.urls
