from rest_framework.routers import SimpleRouter

from zhifa.catalogues.api import library, views

router = SimpleRouter()
router.register("matters", views.MatterViewSet, basename="matter")
router.register("legal-bases", library.LegalBasisViewSet, basename="legal-basis")
router.register("benchmarks", library.BenchmarkViewSet, basename="benchmark")
urlpatterns = router.urls
