from rest_framework.routers import SimpleRouter

from zhifa.accounts.api import views

router = SimpleRouter()
router.register("agencies", views.AgencyViewSet, basename="agency")
router.register("units", views.UnitViewSet, basename="unit")
router.register("officers", views.OfficerViewSet, basename="officer")
router.register("credentials", views.CredentialViewSet, basename="credential")
urlpatterns = router.urls
