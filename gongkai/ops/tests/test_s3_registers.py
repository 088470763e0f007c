"""A staged register import in the object store: staged on one request (any app server),
previewed and confirmed on another from the bucket, then removed from it."""

import pytest

from gongkai.ops.tests.s3 import s3, s3_server  # noqa: F401
from gongkai.registers import imports
from gongkai.registers.tests.conftest import world  # noqa: F401
from gongkai.registers.tests.helpers import csv_bytes, decisions
from gongkai.registers.tests.test_imports import numbers, stage

pytestmark = pytest.mark.django_db


def test_stage_preview_and_confirm_through_the_bucket(
    world,  # noqa: F811
    s3,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    pending, scan = stage(world, csv_bytes(decisions("A1", "A2")))
    name = imports.pending_name(pending.token)
    assert s3.keys(s3.bucket) == [name] and scan.accepted == 2
    assert imports.rescan(pending).accepted == 2  # read back from the bucket
    with django_capture_on_commit_callbacks(execute=True):
        imports.commit(pending, by=world.office)
    assert numbers(world) == {"A1", "A2"}
    assert s3.keys(s3.bucket) == []
