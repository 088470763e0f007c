from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "gongkai.accounts"
    verbose_name = "用户与账号安全"

    def ready(self):
        from gongkai.accounts import signals  # noqa: F401
