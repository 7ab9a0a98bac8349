from rest_framework.routers import SimpleRouter

from zhifa.reviews.api import views

router = SimpleRouter()
router.register("review-rules", views.RuleViewSet, basename="review-rule")
router.register("review-submissions", views.SubmissionViewSet, basename="review-submission")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("review-deliberations", views.DeliberationViewSet, basename="review-deliberation")
router.register("review-cases", views.ReviewCaseViewSet, basename="review-case")
urlpatterns = router.urls
