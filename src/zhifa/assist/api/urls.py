from rest_framework.routers import SimpleRouter

from zhifa.assist.api import views

router = SimpleRouter()
router.register("transcriptions", views.TranscriptionViewSet, basename="transcription")
router.register("transcript-segments", views.SegmentSearchViewSet, basename="transcript-segment")
router.register("assist/hints", views.HintViewSet, basename="assist-hint")
router.register("assist/documents", views.DocumentViewSet, basename="assist-document")
router.register("assist/document-pages", views.PageSearchViewSet, basename="assist-document-page")
urlpatterns = router.urls
