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
