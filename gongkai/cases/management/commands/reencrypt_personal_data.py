"""gongkai reencrypt_personal_data: after a key rotation, encrypt every ID number with
the first key of PERSONAL_DATA_KEYS and recompute the search digests (docs/security.md)."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from gongkai.cases.models import Case
from gongkai.personal_data import reencrypt


class Command(BaseCommand):
    help = "用 PERSONAL_DATA_KEYS 的第一个密钥重新加密全部身份证件号码，并重算检索摘要（轮换密钥后运行）。"

    def handle(self, *args, **options):
        try:
            with transaction.atomic():
                count = reencrypt(Case, "applicant_id_document")
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {count} 件申请的身份证件号码。"))
