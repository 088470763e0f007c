from django.apps import AppConfig


class LettersConfig(AppConfig):
    name = "gongkai.letters"
    verbose_name = "文书"

    def ready(self):
        # The reply letter follows the decision: approving the decision approves its
        # current text; no reply without an approved text and the remedy bodies.
        from gongkai.cases import workflow
        from gongkai.cases.models import EventKind
        from gongkai.letters import delivery, services

        for step, hook in (
            (EventKind.APPROVE, services.on_approve),
            (EventKind.REPLY, services.on_reply),
            # 电子送达: the reply on the 查询 page and by e-mail (issue 14 part 4).
            (EventKind.DELIVER, delivery.on_deliver),
        ):
            hooks = workflow.STEP_HOOKS.setdefault(step, [])
            if hook not in hooks:
                hooks.append(hook)
