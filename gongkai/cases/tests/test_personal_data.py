"""Citizens' ID numbers encrypted at rest, found by exact search, keys rotated."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from gongkai import personal_data
from gongkai.cases.models import Case
from gongkai.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db
ID_NUMBER = "11010519491231002X"


def stored(case):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT applicant_id_document, applicant_id_digest FROM cases_case WHERE id = %s",
            [case.pk],
        )
        return cursor.fetchone()


def test_the_id_number_is_stored_encrypted_and_read_back_plain(world):
    case = make_case(world.agency, world.registrar, applicant_id_document=ID_NUMBER)
    token, digest = stored(case)
    assert ID_NUMBER not in token and token.startswith(personal_data.TOKEN_PREFIX)
    assert Case.objects.get(pk=case.pk).applicant_id_document == ID_NUMBER
    assert Case.objects.values_list("applicant_id_document", flat=True).get() == ID_NUMBER
    assert digest == personal_data.digest(ID_NUMBER) and ID_NUMBER not in digest


def test_exact_search_finds_the_number_through_its_digest(world):
    case = make_case(world.agency, world.registrar, applicant_id_document=ID_NUMBER)
    make_case(world.agency, world.registrar, applicant_id_document="110101199001011234")
    wanted = personal_data.digest(" 11010519491231002x ")  # spaces and case do not matter
    assert list(Case.objects.filter(applicant_id_digest=wanted)) == [case]


def test_a_rotated_key_still_decrypts_and_the_command_moves_rows_to_the_new_key(world, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [old]
    case = make_case(world.agency, world.registrar, applicant_id_document=ID_NUMBER)
    settings.PERSONAL_DATA_KEYS = [new, old]  # step 1: the new key first, the old kept
    assert Case.objects.get(pk=case.pk).applicant_id_document == ID_NUMBER
    call_command("reencrypt_personal_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Fernet(new.encode()).decrypt(stored(case)[0].encode()).decode() == ID_NUMBER
    settings.PERSONAL_DATA_KEYS = [new]  # step 3: the old key removed
    assert Case.objects.get(pk=case.pk).applicant_id_document == ID_NUMBER


def test_rows_written_before_encryption_are_encrypted_by_the_migration_step(world):
    case = make_case(world.agency, world.registrar)
    with connection.cursor() as cursor:  # a row as it was before the migration
        cursor.execute(
            "UPDATE cases_case SET applicant_id_document = %s, applicant_id_digest = '' "
            "WHERE id = %s",
            [ID_NUMBER, case.pk],
        )
    assert Case.objects.get(pk=case.pk).applicant_id_document == ID_NUMBER  # still readable
    assert personal_data.reencrypt(Case, "applicant_id_document") == 1
    token, digest = stored(case)
    assert token.startswith(personal_data.TOKEN_PREFIX) and digest == personal_data.digest(
        ID_NUMBER
    )


def _settings_under_debug_off(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PERSONAL_DATA", "DJANGO"))}
    env.update(DEBUG="0", SECRET_KEY="x" * 50, **extra)
    return subprocess.run(
        [sys.executable, "-c", "import gongkai.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
        timeout=60,
    )


def test_without_keys_a_production_start_stops_with_a_clear_message():
    result = _settings_under_debug_off()
    assert result.returncode != 0
    assert "必须设置环境变量 PERSONAL_DATA_KEYS 和 PERSONAL_DATA_SEARCH_KEY" in result.stderr
    key = Fernet.generate_key().decode()
    result = _settings_under_debug_off(PERSONAL_DATA_KEYS=key, PERSONAL_DATA_SEARCH_KEY="s" * 32)
    assert result.returncode == 0, result.stderr
