"""REST endpoints for equipment and rooms (REC-15).

Reads come from the selectors, so another agency's device or room is a 404;
writes go through ``zhifa.equipment.services``, which decide who may act and
what is valid. A ``ZhifaError`` becomes its HTTP status in
``zhifa.core.api.exception_handler``.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zhifa.accounts.selectors import agency_list, officer_of
from zhifa.core.api import created, own_agency, validated
from zhifa.equipment import selectors, services
from zhifa.equipment.api.serializers import (
    CheckoutRequestSerializer,
    CheckoutSerializer,
    ChecksSerializer,
    DeviceCreateSerializer,
    DeviceDetailSerializer,
    DeviceSerializer,
    EquipmentRatioSerializer,
    FaultRequestSerializer,
    FaultSerializer,
    ResolveRequestSerializer,
    RetireRequestSerializer,
    RoomCreateSerializer,
    RoomSerializer,
    RoomUpdateSerializer,
)
from zhifa.equipment.models import DeviceCheckout, DeviceFault


@extend_schema_view(
    list=extend_schema(summary="执法装备列表"),
    retrieve=extend_schema(summary="执法装备详情", description="含借用记录和故障记录。"),
    create=extend_schema(
        summary="登记执法装备",
        description="由本机关的机关管理员、内设机构负责人或机关负责人登记，新设备为在库状态。",
        request=DeviceCreateSerializer,
        responses={201: DeviceSerializer},
    ),
)
class DeviceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    # No PUT/PATCH/DELETE: a device's status moves only through the actions
    # below, and a device leaves the list by being retired, never deleted.
    search_fields = ["asset_number", "model", "serial_number", "note", "agency__name"]
    ordering_fields = ["asset_number", "kind", "model", "status", "agency__name", "created_at"]

    def get_queryset(self):
        devices = selectors.device_list(actor=self.request.user)
        if self.action == "retrieve":
            devices = devices.prefetch_related(
                Prefetch("checkouts", DeviceCheckout.objects.select_related("officer")),
                Prefetch("faults", DeviceFault.objects.select_related("reported_by")),
            )
        return devices

    def get_serializer_class(self):
        return {
            "retrieve": DeviceDetailSerializer,
            "create": DeviceCreateSerializer,
        }.get(self.action, DeviceSerializer)

    def _device_data(self, device):
        # Re-read through the selector for the annotated holder.
        device = selectors.device_list(actor=self.request.user).get(pk=device.pk)
        return DeviceSerializer(device, context=self.get_serializer_context()).data

    def _given(self, serializer_class):
        given = serializer_class(data=self.request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)

    def create(self, request):
        fields = self._given(DeviceCreateSerializer)
        agency = own_agency(request, fields.pop("agency", None))
        device = services.device_create(actor=request.user, agency=agency, **fields)
        return created(self._device_data(device))

    @extend_schema(
        summary="借出设备",
        description="借出前须检查电量、存储空间和日期时间设定，三项均正常方可借出；"
        "借用人默认为本人。",
        request=CheckoutRequestSerializer,
        responses={201: CheckoutSerializer},
    )
    @action(detail=True, methods=["post"], url_path="checkout", url_name="checkout")
    def checkout(self, request, pk=None):
        device = self.get_object()
        fields = self._given(CheckoutRequestSerializer)
        officer = fields.pop("officer", None) or officer_of(request.user)
        if officer is None:
            raise serializers.ValidationError({"officer": ["请指定借用人。"]})
        checkout = services.device_checkout(
            actor=request.user, device=device, officer=officer, **fields
        )
        return created(CheckoutSerializer(checkout).data)

    @extend_schema(
        summary="归还设备",
        description="记录归还时的检查情况；由借用人本人或本机关设备管理人员办理。",
        request=ChecksSerializer,
        responses={200: CheckoutSerializer},
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        device = self.get_object()
        checkout = services.device_return(
            actor=request.user, device=device, **self._given(ChecksSerializer)
        )
        return Response(CheckoutSerializer(checkout).data)

    @extend_schema(
        summary="报告设备故障",
        description="设备标记为故障、暂停借用；已借出的同时收回。",
        request=FaultRequestSerializer,
        responses={201: FaultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="fault", url_name="fault")
    def fault(self, request, pk=None):
        device = self.get_object()
        fault = services.fault_report(
            actor=request.user, device=device, **self._given(FaultRequestSerializer)
        )
        return created(FaultSerializer(fault).data)

    @extend_schema(
        summary="处理设备故障",
        description="关闭该设备未处理的故障，设备恢复在库；仅限本机关设备管理人员。",
        request=ResolveRequestSerializer,
        responses={200: FaultSerializer},
    )
    @action(detail=True, methods=["post"], url_path="resolve", url_name="resolve")
    def resolve(self, request, pk=None):
        device = self.get_object()
        fault = selectors.open_fault(device)
        if fault is None:
            raise serializers.ValidationError({"detail": ["该设备没有未处理的故障。"]})
        fault = services.fault_resolve(
            actor=request.user, fault=fault, **self._given(ResolveRequestSerializer)
        )
        return Response(FaultSerializer(fault).data)

    @extend_schema(
        summary="报废设备",
        description="报废后不能再借出，也不能恢复；须先归还。",
        request=RetireRequestSerializer,
        responses={200: DeviceSerializer},
    )
    @action(detail=True, methods=["post"], url_path="retire", url_name="retire")
    def retire(self, request, pk=None):
        device = self.get_object()
        device = services.device_retire(
            actor=request.user, device=device, **self._given(RetireRequestSerializer)
        )
        return Response(self._device_data(device))


@extend_schema_view(
    list=extend_schema(summary="询问室、听证室列表"),
    retrieve=extend_schema(summary="询问室、听证室详情"),
    create=extend_schema(
        summary="登记询问室、听证室",
        request=RoomCreateSerializer,
        responses={201: RoomSerializer},
    ),
    partial_update=extend_schema(
        summary="修改询问室、听证室",
        description="停用场所请将 is_active 设为 false。",
        request=RoomUpdateSerializer,
        responses={200: RoomSerializer},
    ),
)
class RoomViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    search_fields = ["name", "location", "agency__name"]
    ordering_fields = ["name", "kind", "agency__name", "created_at"]

    def get_queryset(self):
        return selectors.room_list(actor=self.request.user)

    def get_serializer_class(self):
        return {
            "create": RoomCreateSerializer,
            "partial_update": RoomUpdateSerializer,
        }.get(self.action, RoomSerializer)

    def create(self, request):
        fields = validated(self)
        agency = own_agency(request, fields.pop("agency", None))
        room = services.room_create(actor=request.user, agency=agency, **fields)
        return created(RoomSerializer(room).data)

    def partial_update(self, request, pk=None):
        room = self.get_object()
        room = services.room_update(actor=request.user, room=room, **validated(self, partial=True))
        return Response(RoomSerializer(room).data)


class EquipmentRatioViewSet(viewsets.ViewSet):
    @extend_schema(
        summary="执法记录仪、移动执法终端配备比例",
        description="本人可见的每个执法主体（司法局执法监督人员为本地区全部执法主体）："
        "在用设备与执法人员之比，及是否达到配备标准（原则上每 3 名执法人员 1 台，"
        "由 ZHIFA_EQUIPMENT_OFFICERS_PER_DEVICE 配置）。",
        responses={200: EquipmentRatioSerializer(many=True)},
    )
    def list(self, request):
        ratios = selectors.equipment_ratios(agency_list(actor=request.user).order_by("name"))
        return Response(EquipmentRatioSerializer(ratios, many=True).data)
