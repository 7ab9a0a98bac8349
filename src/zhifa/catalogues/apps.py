from django.apps import AppConfig


class CataloguesConfig(AppConfig):
    name = "zhifa.catalogues"
    label = "catalogues"
    verbose_name = "清单与日历"
