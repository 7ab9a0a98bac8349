from rest_framework.routers import SimpleRouter

from zhifa.reasons.api import views

router = SimpleRouter()
router.register("reasons", views.ReasonsViewSet, basename="reasons")
router.register("reasons-requests", views.ReasonsRequestViewSet, basename="reasons-request")
router.register("reasons-exemptions", views.ExemptionViewSet, basename="reasons-exemption")
router.register("reasons-grounds", views.GroundViewSet, basename="reasons-ground")
router.register("oral-reasons", views.OralReasonsViewSet, basename="oral-reasons")
urlpatterns = router.urls
