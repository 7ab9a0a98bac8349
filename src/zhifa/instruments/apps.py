from django.apps import AppConfig


class InstrumentsConfig(AppConfig):
    name = "zhifa.instruments"
    label = "instruments"
    verbose_name = "执法文书"
