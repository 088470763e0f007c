from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IntakeConfig(AppConfig):
    name = "gongkai.intake"
    verbose_name = "网上申请与查询"

    def ready(self):
        from gongkai.intake import views

        # The agencies this process keeps for the form (views.resolve_agency): a change
        # made here is seen at once, one made in another process within a minute.
        sender = self.apps.get_model("agencies.Agency")
        post_save.connect(views.forget_agencies, sender=sender, dispatch_uid="intake:agency")
        post_delete.connect(views.forget_agencies, sender=sender, dispatch_uid="intake:agency-d")
