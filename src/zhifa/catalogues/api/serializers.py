"""How matters (执法事项, PUB-02) look on the REST door.

The write serializers check only the shape of the input (types, lengths, known
choices); whether a matter may be created or changed, and with which values,
is for ``matter_create`` and ``matter_update`` to say.
"""

from __future__ import annotations

from rest_framework import serializers

from zhifa.accounts.api.serializers import ScopedPrimaryKeyRelatedField
from zhifa.accounts.selectors import agency_list, unit_list
from zhifa.catalogues.models import ActionKind, Matter


def _max_length(name: str) -> int:
    return Matter._meta.get_field(name).max_length


class MatterSerializer(serializers.ModelSerializer):
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    action_kind_display = serializers.CharField(source="get_action_kind_display", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = Matter
        fields = [
            "id",
            "agency",
            "agency_name",
            "code",
            "name",
            "action_kind",
            "action_kind_display",
            "unit",
            "unit_name",
            "legal_basis",
            "time_limit_days",
            "note",
            "is_active",
            "updated_at",
        ]
        read_only_fields = fields


class MatterUpdateSerializer(serializers.Serializer):
    """The fields of a matter that may be changed; the code is its identity and stays."""

    # Blank values pass through so that the service, which owns the rule, refuses them.
    name = serializers.CharField(max_length=_max_length("name"), allow_blank=True)
    action_kind = serializers.ChoiceField(ActionKind.choices)
    unit = ScopedPrimaryKeyRelatedField(
        selector=unit_list, allow_null=True, help_text="承办机构（内设机构 ID），须属于该执法主体"
    )
    legal_basis = serializers.CharField(allow_blank=True)
    time_limit_days = serializers.IntegerField(
        allow_null=True, help_text="法定办理时限（工作日）；无法定时限的留空"
    )
    note = serializers.CharField(max_length=_max_length("note"), allow_blank=True)
    is_active = serializers.BooleanField()


class MatterCreateSerializer(MatterUpdateSerializer):
    """A new matter of the requester's own agency, or of the agency a system
    administrator names."""

    agency = ScopedPrimaryKeyRelatedField(
        selector=agency_list,
        required=False,
        help_text="执法主体 ID；不填时为本人所属机关（系统管理员必须填写）",
    )
    code = serializers.CharField(max_length=_max_length("code"), allow_blank=True)
    unit = ScopedPrimaryKeyRelatedField(
        selector=unit_list,
        allow_null=True,
        required=False,
        default=None,
        help_text="承办机构（内设机构 ID），须属于该执法主体",
    )
    time_limit_days = serializers.IntegerField(
        allow_null=True,
        required=False,
        default=None,
        help_text="法定办理时限（工作日）；无法定时限的留空",
    )
    note = serializers.CharField(
        max_length=_max_length("note"), allow_blank=True, required=False, default=""
    )
    # A new matter is always in use; retiring one is an update.
    is_active = None
