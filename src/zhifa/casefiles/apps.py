from django.apps import AppConfig


class CasefilesConfig(AppConfig):
    name = "zhifa.casefiles"
    label = "casefiles"
    verbose_name = "案卷归档"

    def ready(self) -> None:
        # Registers the case page's panel and timeline source.
        from zhifa.casefiles import timeline  # noqa: F401
