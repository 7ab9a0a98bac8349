from rest_framework.routers import SimpleRouter

from zhifa.assist.api import views

router = SimpleRouter()
router.register("transcriptions", views.TranscriptionViewSet, basename="transcription")
router.register("transcript-segments", views.SegmentSearchViewSet, basename="transcript-segment")
urlpatterns = router.urls
