from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "zhifa.media"
    label = "media"
    verbose_name = "音像记录"
