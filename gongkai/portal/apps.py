from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PortalConfig(AppConfig):
    name = "gongkai.portal"
    verbose_name = "政府信息公开门户"

    def ready(self):
        from gongkai.portal import pagecache

        # What the cached portal pages show: a change makes them all out of date.
        for model in ("publications.Item", "portal.PublishedReport", "portal.PortalPage"):
            sender = self.apps.get_model(model)
            post_save.connect(pagecache.changed, sender=sender, dispatch_uid=f"portal:{model}")
            post_delete.connect(pagecache.changed, sender=sender, dispatch_uid=f"portal-d:{model}")
