from rest_framework.routers import SimpleRouter

from zhifa.instruments.api import views

router = SimpleRouter()
router.register("instruments", views.InstrumentViewSet, basename="instrument")
urlpatterns = router.urls
