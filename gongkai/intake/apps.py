from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "gongkai.intake"
    verbose_name = "网上申请与查询"
