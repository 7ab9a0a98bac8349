from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "zhifa.instruments"
    label = "instruments"
    verbose_name = "执法文书"

    def ready(self) -> None:
        # Registers the stage rules and the case page's timeline source and panel.
        from zhifa.instruments import rules, timeline  # noqa: F401
