"""gongkai generate_personal_data_key: print a new Fernet key for PERSONAL_DATA_KEYS."""

from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "生成一个新的身份证件号码加密密钥（放在 PERSONAL_DATA_KEYS 的最前面）。"

    def handle(self, *args, **options):
        self.stdout.write(Fernet.generate_key().decode())
