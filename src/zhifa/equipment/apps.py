from django.apps import AppConfig


class EquipmentConfig(AppConfig):
    name = "zhifa.equipment"
    label = "equipment"
    verbose_name = "执法装备"
