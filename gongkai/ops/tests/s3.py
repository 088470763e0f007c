"""A real S3-compatible server for the tests: moto's server (moto[server] from PyPI,
the S3 wire protocol over HTTP) on a free loopback port, and settings that point
Django's default storage at a fresh bucket in it (django-storages, as in production)."""

import logging
import os
import secrets

import pytest

from gongkai.ops.tests.conftest import free_port

KEYS = {"S3_ACCESS_KEY_ID": "gongkai-test", "S3_SECRET_ACCESS_KEY": "gongkai-test-secret"}


class S3:
    def __init__(self, endpoint):
        self.endpoint = endpoint

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=KEYS["S3_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["S3_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self):
        bucket = f"gongkai-{secrets.token_hex(6)}"
        self.client().create_bucket(Bucket=bucket)
        return bucket

    def keys(self, bucket):
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listed.get("Contents", []))

    def env(self, bucket):
        """The environment variables of a process that stores its files in `bucket`."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": "us-east-1",
            "S3_ADDRESSING_STYLE": "path",
            **KEYS,
        }

    def storages(self, bucket):
        """settings.STORAGES for this process (what settings.py builds from env())."""
        return {
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": bucket,
                    "endpoint_url": self.endpoint,
                    "region_name": "us-east-1",
                    "access_key": KEYS["S3_ACCESS_KEY_ID"],
                    "secret_key": KEYS["S3_SECRET_ACCESS_KEY"],
                    "addressing_style": "path",
                    "default_acl": None,
                    "file_overwrite": False,
                    "querystring_expire": 60,
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }


@pytest.fixture(scope="session")
def s3_server():
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        pytest.skip(
            f"缺少 moto[server]（pip install 'moto[server]'）：跳过对象存储测试（{error}）。"
        )
    # boto3 must never reach a real AWS account from a test
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        os.environ.pop(name, None)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's request log
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    try:
        server.start()
    except Exception as error:  # noqa: BLE001 — any reason it cannot start is a skip
        pytest.skip(f"S3 兼容测试服务器（moto）无法启动：{error}")
    yield S3(f"http://127.0.0.1:{port}")
    server.stop()


@pytest.fixture
def s3(s3_server, settings):
    """Django's default storage in a fresh, empty bucket of the test server."""
    bucket = s3_server.new_bucket()
    settings.S3_BUCKET = bucket
    settings.STORAGES = s3_server.storages(bucket)
    s3_server.bucket = bucket
    return s3_server
