from django.apps import AppConfig
from django.db.models.signals import post_save


class LibraryConfig(AppConfig):
    name = "gongkai.library"
    verbose_name = "年报库"

    def ready(self):
        from gongkai.ops import tasks

        from . import collecting
        from .published import on_published

        tasks.also_recover(collecting.recover_interrupted)

        post_save.connect(
            on_published, sender="portal.PublishedReport", dispatch_uid="library-published"
        )
