from rest_framework.routers import SimpleRouter

from zhifa.equipment.api import views

router = SimpleRouter()
router.register("devices", views.DeviceViewSet, basename="device")
router.register("rooms", views.RoomViewSet, basename="room")
router.register("equipment-ratios", views.EquipmentRatioViewSet, basename="equipment-ratio")
urlpatterns = router.urls
