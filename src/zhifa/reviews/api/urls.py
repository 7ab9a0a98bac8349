from rest_framework.routers import SimpleRouter

from zhifa.reviews.api import views

router = SimpleRouter()
router.register("review-rules", views.RuleViewSet, basename="review-rule")
router.register("review-submissions", views.SubmissionViewSet, basename="review-submission")
router.register("reviews", views.ReviewViewSet, basename="review")
router.register("review-deliberations", views.DeliberationViewSet, basename="review-deliberation")
router.register("review-cases", views.ReviewCaseViewSet, basename="review-case")
router.register("review-filings", views.FilingViewSet, basename="review-filing")
router.register(
    "review-catalogue-disclosures",
    views.CatalogueDisclosureViewSet,
    basename="review-catalogue-disclosure",
)
router.register(
    "review-preliminary-settings",
    views.PreliminarySettingViewSet,
    basename="review-preliminary-setting",
)
router.register("review-advisers", views.AdviserViewSet, basename="review-adviser")
router.register("review-forwardings", views.ForwardingViewSet, basename="review-forwarding")
urlpatterns = router.urls
