from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    label = "ledger"
    verbose_name = "防删改台账"
