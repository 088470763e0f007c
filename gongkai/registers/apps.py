from django.apps import AppConfig


class RegistersConfig(AppConfig):
    name = "gongkai.registers"
    verbose_name = "主动公开登记（年报表二）"
