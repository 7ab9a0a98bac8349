from django.apps import AppConfig


class RemediesConfig(AppConfig):
    name = "zhifa.remedies"
    label = "remedies"
    verbose_name = "行政复议、行政诉讼与自行纠正"

    def ready(self) -> None:
        from zhifa.remedies import audit, timeline  # noqa: F401 — row audit, source, panel
