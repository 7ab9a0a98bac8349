from rest_framework.routers import SimpleRouter

from zhifa.disclosures.api import views

router = SimpleRouter()
router.register("disclosures", views.PublishedItemViewSet, basename="disclosure")
router.register("disclosure-items", views.WorkItemViewSet, basename="disclosure-item")
urlpatterns = router.urls
