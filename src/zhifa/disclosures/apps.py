from django.apps import AppConfig


class DisclosuresConfig(AppConfig):
    name = "zhifa.disclosures"
    label = "disclosures"
    verbose_name = "行政执法公示"

    def ready(self) -> None:
        from zhifa.disclosures import watches  # noqa: F401 — the dashboard's watch items
