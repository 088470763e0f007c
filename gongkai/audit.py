"""Append-only records: audit trails and kept versions that may be added, never changed."""

from django.conf import settings
from django.db import models


class AppendOnlyModel(models.Model):
    """A row that is written once: saving it again or deleting it raises ValueError.

    record_name: what the row is called in the message a user may read (Chinese).
    change_hint: what to do instead of changing it, added to that message ("" none).
    """

    record_name = "记录"
    change_hint = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{self.record_name}只能新增，不能修改。{self.change_hint}")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self.record_name}不能删除。")


class Event(AppendOnlyModel):
    """One step of an audit trail: who took it, when, and its facts.

    actor: the user; null where no user acts (the applicant online, a command-line
        import, generated benchmark data).
    actor_name, actor_roles: the actor's username and role names as they were when
        the step was recorded, filled on saving (actor_facts); renaming the account
        or changing its roles later does not change the trail (issue 13 #9).
    at: when the step was recorded (server time).
    data: the step's facts as JSON (dates ISO, changed fields old → new, …).
    A trail adds what the step is about and what kind of step it was.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号（记录时）", max_length=150, blank=True)
    actor_roles = models.CharField("操作人角色（记录时）", max_length=300, blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)
    data = models.JSONField("内容", default=dict, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self._state.adding and self.actor_id and not self.actor_name:
            self.actor_name, self.actor_roles = actor_facts(self.actor)
        super().save(*args, **kwargs)

    @property
    def actor_label(self):
        """Who took the step, as recorded then ("系统" where no user acted)."""
        if self.actor_name:
            return self.actor_name
        return self.actor.get_username() if self.actor_id else "系统"


def actor_facts(user):
    """(username, role names) of `user` now: what an Event keeps of its actor."""
    from gongkai.agencies.models import Membership, Role  # agencies imports nothing here

    roles = sorted(set(Membership.objects.filter(user=user).values_list("role", flat=True)))
    names = [Role(r).label for r in roles]
    if user.is_superuser:
        names.append("超级用户")
    return user.get_username(), "、".join(names)[:300]


def backfill_actor_names(app_label, model_name):
    """A migration step filling actor_name of the rows written before it existed with
    the account's username at migration time (the nearest fact left to keep)."""

    def run(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        user = apps.get_model(settings.AUTH_USER_MODEL)
        username = user.objects.filter(pk=models.OuterRef("actor_id")).values("username")
        model.objects.filter(actor__isnull=False, actor_name="").update(
            actor_name=models.Subquery(username[:1])
        )

    return run
