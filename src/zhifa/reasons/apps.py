from django.apps import AppConfig


class ReasonsConfig(AppConfig):
    name = "zhifa.reasons"
    label = "reasons"
    verbose_name = "执法决定说明理由"

    def ready(self) -> None:
        from zhifa.reasons import gates, timeline, watches  # noqa: F401 — gate, source, panel, watches
