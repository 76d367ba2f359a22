from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "beware.common"
    label = "common"
    verbose_name = "Algemeen"
