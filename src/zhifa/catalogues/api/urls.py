from rest_framework.routers import SimpleRouter

from zhifa.catalogues.api import views

router = SimpleRouter()
router.register("matters", views.MatterViewSet, basename="matter")
urlpatterns = router.urls
