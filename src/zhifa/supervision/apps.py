from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhifa.supervision"
    label = "supervision"
    verbose_name = "执法监督"

    def ready(self) -> None:
        # The watch items of the apps that exist today (SUP-01).
        from zhifa.supervision import watches  # noqa: F401
