"""Reads of equipment and rooms, limited to what the asking actor may see: an
agency's people see their agency, a supervisor (司法局) its region, a system
administrator everything (the scope of ``accounts.selectors.agency_list``)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from zhifa.accounts.models import Agency, Officer, Role
from zhifa.accounts.selectors import agency_list
from zhifa.equipment.models import Device, DeviceCheckout, DeviceFault, Room


def device_list(*, actor) -> QuerySet[Device]:
    """The devices ``actor`` may see, each with ``holder_name`` (who has it now)."""
    holder = DeviceCheckout.objects.filter(device=OuterRef("pk"), returned_at__isnull=True)
    return (
        Device.objects.filter(agency__in=agency_list(actor=actor))
        .select_related("agency")
        .annotate(holder_name=Subquery(holder.values("officer__name")[:1]))
    )


def checkout_list(*, actor) -> QuerySet[DeviceCheckout]:
    return DeviceCheckout.objects.filter(
        device__agency__in=agency_list(actor=actor)
    ).select_related("device", "officer")


def fault_list(*, actor) -> QuerySet[DeviceFault]:
    return DeviceFault.objects.filter(device__agency__in=agency_list(actor=actor)).select_related(
        "device", "reported_by"
    )


def open_checkout(device: Device) -> DeviceCheckout | None:
    return device.checkouts.filter(returned_at__isnull=True).select_related("officer").first()


def open_fault(device: Device) -> DeviceFault | None:
    return device.faults.filter(resolved_at__isnull=True).select_related("reported_by").first()


def room_list(*, actor) -> QuerySet[Room]:
    return Room.objects.filter(agency__in=agency_list(actor=actor)).select_related("agency")


# --- One device per three officers (REC-15) ---------------------------------------------


def officers_per_device() -> int:
    """The standard: at most this many officers per recorder or terminal
    [001 main (二)3 “原则上……每3人一台的标准配备执法记录仪或者手持执法终端”]."""
    return getattr(settings, "ZHIFA_EQUIPMENT_OFFICERS_PER_DEVICE", 3)


@dataclass(frozen=True)
class EquipmentRatio:
    """Recorders and terminals in service against the officers of one agency."""

    agency: Agency
    devices: int
    officers: int
    standard: int

    @property
    def officers_per_device(self) -> float | None:
        """Officers per device in service; ``None`` when there is no device."""
        return round(self.officers / self.devices, 2) if self.devices else None

    @property
    def required(self) -> int:
        """The fewest devices that meet the standard for these officers."""
        return math.ceil(self.officers / self.standard)

    @property
    def meets(self) -> bool:
        return self.officers <= self.devices * self.standard

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.devices)


def _count(queryset) -> Coalesce:
    """A correlated COUNT subquery, so that counting devices and officers of an
    agency in one query does not multiply the two joins."""
    counted = queryset.order_by().values("agency").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def equipment_ratios(agencies: QuerySet[Agency]) -> list[EquipmentRatio]:
    """The ratio of each of ``agencies``, in one query whatever their number.

    Devices in service are recorders and terminals neither faulty nor retired;
    officers are the active people holding the ``officer`` role.
    """
    standard = officers_per_device()
    devices = Device.objects.filter(
        agency=OuterRef("pk"), kind__in=Device.RATIO_KINDS, status__in=Device.IN_SERVICE
    )
    officers = Officer.objects.filter(
        agency=OuterRef("pk"), is_active=True, role_grants__role=Role.OFFICER
    )
    annotated = agencies.select_related("region").annotate(
        device_count=_count(devices), officer_count=_count(officers)
    )
    return [
        EquipmentRatio(agency, agency.device_count, agency.officer_count, standard)
        for agency in annotated
    ]


def equipment_ratio(agency: Agency) -> EquipmentRatio:
    return equipment_ratios(Agency.objects.filter(pk=agency.pk))[0]
