from django.apps import AppConfig
from django.db.models.signals import post_save


class LibraryConfig(AppConfig):
    name = "gongkai.library"
    verbose_name = "年报库"

    def ready(self):
        from .published import on_published

        post_save.connect(
            on_published, sender="portal.PublishedReport", dispatch_uid="library-published"
        )
