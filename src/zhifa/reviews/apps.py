from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "zhifa.reviews"
    label = "reviews"
    verbose_name = "法制审核"

    def ready(self) -> None:
        # Registers the major-case sources, the decision gate, the stage rules
        # and the case page's panel.
        from zhifa.reviews import catalogue, gates, timeline, watches  # noqa: F401
