from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "gongkai.library"
    verbose_name = "年报库"
