from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "zhifa.media"
    label = "media"
    verbose_name = "音像记录"

    def ready(self) -> None:
        # The stage rule (cases.rules) and the case page's timeline and panel.
        from zhifa.media import rules, timeline  # noqa: F401
