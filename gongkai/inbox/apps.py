from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "gongkai.inbox"
    verbose_name = "我的待办"
