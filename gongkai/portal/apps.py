from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gongkai.portal"
    verbose_name = "政府信息公开门户"

    def ready(self):
        from gongkai.portal import pagecache

        # What the cached portal pages show: a change makes them all out of date.
        pagecache.GENERATION.watch(
            "publications.Item", "portal.PublishedReport", "portal.PortalPage"
        )
