from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "gongkai.rectification"
    verbose_name = "整改事项"
