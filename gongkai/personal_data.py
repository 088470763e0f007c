"""Citizens' ID numbers encrypted at rest, and still found by exact search.

An EncryptedTextField stores Fernet tokens (AES-128-CBC + HMAC-SHA256, from the
`cryptography` package) and gives back the plain text when read, in .values() too.
Keys come from the environment (settings.PERSONAL_DATA_KEYS, a comma list of
Fernet keys): the first encrypts, every one decrypts, so a key is rotated by putting
a new one first, running `gongkai reencrypt_personal_data`, then removing the old
one (docs/security.md). A keyed digest (HMAC-SHA256 with PERSONAL_DATA_SEARCH_KEY)
of the normalised value sits in a column of its own for exact search.

Rows written before encryption hold plain text; they are read as they are until
the data migration (or the command) has encrypted them.
"""

import functools
import hashlib
import hmac
import re
import unicodedata

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "gAAAAA"  # every Fernet token starts so (version byte 0x80, then time)


@functools.cache
def _fernet(keys):
    if not keys:
        raise ImproperlyConfigured("未设置 PERSONAL_DATA_KEYS：无法加密或解密身份证件号码。")
    try:
        return MultiFernet([Fernet(k.encode()) for k in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "PERSONAL_DATA_KEYS 中有无效的密钥：每个密钥应为 Fernet 密钥（44 个字符的 base64 文本），"
            "可用 gongkai generate_personal_data_key 生成。"
        ) from error


def fernet():
    return _fernet(tuple(settings.PERSONAL_DATA_KEYS))


def encrypt(text):
    """The token of `text`; "" stays "" (nothing to hide)."""
    if not text:
        return text
    return fernet().encrypt(str(text).encode()).decode()


def decrypt(token):
    """The plain text of a token; a value that is no token (a row written before
    encryption) is returned as it is."""
    if not token or not str(token).startswith(TOKEN_PREFIX):
        return token
    try:
        return fernet().decrypt(str(token).encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "无法解密身份证件号码：PERSONAL_DATA_KEYS 中没有加密它时用的密钥。"
        ) from error


def normalise(text):
    """What exact search compares: the number after a "证件类型：" label (the online form
    writes "居民身份证：…", staff usually type the number alone), NFKC (full-width digits),
    no spaces, upper case (x → X in an ID number)."""
    text = unicodedata.normalize("NFKC", str(text or ""))
    text = re.split(r"[:：]", text)[-1]
    return "".join(text.split()).upper()


def digest(text):
    """The keyed digest exact search uses; "" for an empty value."""
    value = normalise(text)
    if not value:
        return ""
    key = settings.PERSONAL_DATA_SEARCH_KEY.encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Plain text in Python, a Fernet token in the database. Only exact search through
    the digest column named by `digest_field` (kept in step on every save, bulk too)."""

    def __init__(self, *args, digest_field=None, **kwargs):
        self.digest_field = digest_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.digest_field:
            kwargs["digest_field"] = self.digest_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def to_python(self, value):
        return decrypt(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = super().pre_save(model_instance, add)
        if self.digest_field:
            setattr(model_instance, self.digest_field, digest(value))
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or str(value).startswith(TOKEN_PREFIX):
            return value
        return encrypt(value)


def reencrypt(model, field_name, *, batch=500):
    """Write every row's `field_name` again: encrypted with the first key (plain rows
    and rows under an older key alike) and its digest recomputed. Returns the count."""
    field = model._meta.get_field(field_name)
    names = [field_name] + ([field.digest_field] if field.digest_field else [])
    rows, done = [], 0
    for row in model._base_manager.only("pk", *names).order_by("pk").iterator(batch):
        if field.digest_field:
            setattr(row, field.digest_field, digest(getattr(row, field_name)))
        rows.append(row)
        if len(rows) >= batch:
            model._base_manager.bulk_update(rows, names)
            done, rows = done + len(rows), []
    if rows:
        model._base_manager.bulk_update(rows, names)
        done += len(rows)
    return done


def reencrypt_step(app_label, model_name, field_name):
    """The same as a migration step (on the historical model)."""

    def run(apps, schema_editor):
        reencrypt(apps.get_model(app_label, model_name), field_name)

    return run
