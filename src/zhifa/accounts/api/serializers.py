"""How agencies, units, officers and credentials look on the REST door.

Serializers here only translate between JSON and Python: every rule about who
may see or change what lives in ``zhifa.accounts.selectors`` and
``zhifa.accounts.services``.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from zhifa.accounts.models import Agency, Credential, Officer, Region, Role, Unit
from zhifa.accounts.services import AGENCY_PROFILE_FIELDS


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the requesting user may see.

    The choices come from ``selector(actor=request.user)``, so an id outside the
    actor's scope is refused with the same message as an id that does not exist:
    a write cannot be used to probe for other agencies' objects.
    """

    def __init__(self, *, selector, **kwargs):
        self.selector = selector
        # Without a queryset the schema generator cannot see the key's type.
        kwargs.setdefault("pk_field", serializers.IntegerField())
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(actor=self.context["request"].user)


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level"]


class UnitSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "agency", "name", "kind", "kind_display", "duties"]


class AgencySerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    domain_display = serializers.CharField(source="get_domain_display", read_only=True)
    units = UnitSerializer(many=True, read_only=True)

    class Meta:
        model = Agency
        # The profile is whatever agency_update may change (PUB-02), so the two
        # cannot drift apart.
        fields = [
            "id",
            "region",
            "name",
            "kind",
            "kind_display",
            "domain",
            "domain_display",
            *AGENCY_PROFILE_FIELDS,
            "entrusted_by",
            "is_active",
            "created_at",
            "units",
        ]


class OfficerSerializer(serializers.ModelSerializer):
    """A person of an agency. ``id_number`` is internal data and never leaves
    the server through the API."""

    agency_name = serializers.CharField(source="agency.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)
    roles = serializers.SerializerMethodField(help_text="该人员担任的角色")

    class Meta:
        model = Officer
        fields = [
            "id",
            "agency",
            "agency_name",
            "unit",
            "unit_name",
            "name",
            "post",
            "phone",
            "legal_qualification",
            "training_hours",
            "is_active",
            "roles",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(Role.choices)))
    def get_roles(self, officer: Officer) -> list[str]:
        # Read from the prefetched grants so a page of officers costs one query.
        return sorted(grant.role for grant in officer.role_grants.all())


class CredentialSerializer(serializers.ModelSerializer):
    officer_name = serializers.CharField(source="officer.name", read_only=True)
    agency = serializers.IntegerField(source="officer.agency_id", read_only=True)
    status_today = serializers.SerializerMethodField(
        help_text=(
            "今天实际有效的状态，取值同 status（valid/suspended/expired/revoked）："
            "登记为有效但已超过有效期的证件为 expired"
        )
    )
    status_today_display = serializers.SerializerMethodField(help_text="今天实际状态的中文名称")

    class Meta:
        model = Credential
        fields = [
            "id",
            "officer",
            "officer_name",
            "agency",
            "number",
            "kind",
            "issuer",
            "issued_on",
            "valid_until",
            "annual_review_on",
            "status",
            "status_reason",
            "status_today",
            "status_today_display",
            "categories",
            "area",
        ]

    # A plain string rather than a second enum: the schema would otherwise hold
    # the same choice set under two names (StatusEnum, StatusTodayEnum).
    def get_status_today(self, credential: Credential) -> str:
        return credential.status_on(timezone.localdate())

    def get_status_today_display(self, credential: Credential) -> str:
        return credential.status_label_on(timezone.localdate())


class CredentialStatusSerializer(serializers.Serializer):
    """A change of a credential's status. Whether the move and the reason are
    acceptable is for ``credential_set_status`` to say."""

    status = serializers.ChoiceField(Credential.Status.choices, help_text="新的证件状态")
    reason = serializers.CharField(
        max_length=Credential._meta.get_field("status_reason").max_length,
        required=False,
        default="",
        allow_blank=True,
        help_text="变更理由；暂扣、注销和恢复都须说明理由",
    )
