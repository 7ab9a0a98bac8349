from rest_framework.routers import SimpleRouter

from zhifa.remedies.api import views

router = SimpleRouter()
router.register("remedies", views.RemedyViewSet, basename="remedy")
urlpatterns = router.urls
