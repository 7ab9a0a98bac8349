from rest_framework.routers import SimpleRouter

from zhifa.media.api import views

router = SimpleRouter()
router.register("media-requirements", views.MediaRequirementViewSet, basename="media-requirement")
router.register("media", views.MediaItemViewSet, basename="media")
router.register("media-uploads", views.UploadViewSet, basename="media-upload")
urlpatterns = router.urls
