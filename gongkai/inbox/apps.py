from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "gongkai.inbox"
    verbose_name = "我的待办"

    def ready(self):
        from gongkai.inbox.context_processors import GENERATION

        # What the queues are made of: a change moves the nav's kept counts on.
        GENERATION.watch(
            "cases.Case", "publications.Item", "appeals.Appeal", "rectification.Rectification"
        )
