from rest_framework.routers import SimpleRouter

from zhifa.inspections.api import views

router = SimpleRouter()
router.register("inspection-matters", views.InspectionMatterViewSet, basename="inspection-matter")
router.register("inspection-targets", views.InspectionTargetViewSet, basename="inspection-target")
router.register("inspection-pool", views.PoolMemberViewSet, basename="inspection-pool")
router.register("inspection-conflicts", views.ConflictViewSet, basename="inspection-conflict")
router.register("inspection-plans", views.PlanViewSet, basename="inspection-plan")
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("inspection-draws", views.PublicDrawViewSet, basename="inspection-draw")
urlpatterns = router.urls
