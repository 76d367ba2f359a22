from django.apps import AppConfig


class BusinesscasesConfig(AppConfig):
    name = "businesscases"
    verbose_name = "Businesscases"
