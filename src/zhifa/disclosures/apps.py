from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "zhifa.disclosures"
    label = "disclosures"
    verbose_name = "行政执法公示"
