from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "zhifa.inspections"
    label = "inspections"
    verbose_name = "双随机抽查"

    def ready(self) -> None:
        # Registers the supervisor dashboard's watch item.
        from zhifa.inspections import watches  # noqa: F401
