from django.apps import AppConfig


class ReasonsConfig(AppConfig):
    name = "zhifa.reasons"
    label = "reasons"
    verbose_name = "执法决定说明理由"
