"""Published items' files in the object store (S3_BUCKET): uploaded to the bucket, served
through Django (permission-checked), deleted from the bucket with the attachment."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.ops.tests.s3 import s3, s3_server  # noqa: F401
from gongkai.publications.tests.conftest import national_calendar, world  # noqa: F401
from gongkai.publications.tests.test_views import client_for, item, pinned_now, url  # noqa: F401

pytestmark = pytest.mark.django_db


def test_item_attachment_upload_download_delete_in_the_bucket(
    client,
    world,  # noqa: F811
    item,  # noqa: F811
    s3,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client_for(client, world.handler)
    pdf = SimpleUploadedFile("通告.pdf", b"%PDF-1.4\n%%EOF\n")
    client.post(url("attachment_upload", item.pk), {"file": pdf})
    row = item.attachments.get()
    assert s3.keys(s3.bucket) == [row.file.name]
    response = client.get(url("attachment_download", item.pk, row.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4\n%%EOF\n"
    client.logout()
    anonymous = client.get(url("attachment_download", item.pk, row.pk))
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    client_for(client, world.handler)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("attachment_delete", item.pk, row.pk))
    assert response.status_code == 302 and not item.attachments.exists()
    assert s3.keys(s3.bucket) == []  # removed once the transaction committed
