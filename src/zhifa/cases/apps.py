from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    label = "cases"
    verbose_name = "案件与执法记录"

    def ready(self) -> None:
        from zhifa.cases import audit  # noqa: F401 — registers the row audits of zhifa verify
