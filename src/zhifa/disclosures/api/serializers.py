from rest_framework import serializers

from zhifa.disclosures.models import Disclosure


class PublishedItemSerializer(serializers.ModelSerializer):
    """A published item as the public sees it: public fields only (PUB-12)."""

    agency = serializers.CharField(source="agency.name")
    agency_credit_code = serializers.CharField(source="agency.credit_code")
    kind_label = serializers.CharField(source="get_kind_display")
    action_kind_label = serializers.CharField(source="get_action_kind_display")
    party_kind_label = serializers.CharField(source="get_party_kind_display")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Disclosure
        fields = (
            "id",
            "url",
            "kind",
            "kind_label",
            "title",
            "agency",
            "agency_credit_code",
            "action_kind",
            "action_kind_label",
            "document_number",
            "party_kind",
            "party_kind_label",
            "party_name",
            "party_credit_code",
            "party_representative",
            "violation_type",
            "facts",
            "basis",
            "conclusion",
            "body",
            "fine_amount",
            "confiscated_amount",
            "licence",
            "decided_on",
            "published_at",
            "is_late",
            "display_until",
            "explanation",
            "supersedes",
        )

    def get_url(self, item) -> str:
        from django.urls import reverse

        request = self.context.get("request")
        path = reverse("portal:decision-detail", args=[item.pk])
        return request.build_absolute_uri(path) if request else path


class DisclosureWorkItemSerializer(serializers.ModelSerializer):
    """An item in the agency's publication work (PUB-13): its state and who
    prepared it; the public text is read on the portal once published."""

    agency = serializers.CharField(source="agency.name")
    status_label = serializers.CharField(source="get_status_display")
    created_by = serializers.IntegerField(source="created_by_id", allow_null=True)

    class Meta:
        model = Disclosure
        fields = (
            "id",
            "kind",
            "title",
            "agency",
            "status",
            "status_label",
            "due_on",
            "created_by",
            "published_at",
            "is_late",
            "display_until",
            "withholding_ground",
        )


class DisclosureWithholdSerializer(serializers.Serializer):
    ground = serializers.CharField(help_text="不公开依据（如涉及商业秘密及其法律依据）")
