from django.apps import AppConfig


class AssistConfig(AppConfig):
    name = "zhifa.assist"
    label = "assist"
    verbose_name = "智能辅助"

    def ready(self) -> None:
        # The case page's panel of transcripts.
        from zhifa.assist import timeline  # noqa: F401
