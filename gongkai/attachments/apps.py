from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "gongkai.attachments"
    verbose_name = "附件"
