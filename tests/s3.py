"""A real S3 API for the tests: moto's server (``moto[server]``), started on a free port of ``S3_TEST_PORTS``.

moto answers the S3 protocol over HTTP like any object store, so django-storages and boto3 are exercised as in
production: signed requests, bucket and key errors, streaming. Its objects live in the server's memory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import boto3
from botocore.config import Config

#: ports to try, "FIRST-LAST" (this team's range on the shared machine; any free range elsewhere)
PORTS = os.environ.get("S3_TEST_PORTS", "12400-12449")
ACCESS_KEY, SECRET_KEY, REGION = "plan65-test", "plan65-test-secret", "us-east-1"


@dataclass
class S3Server:
    process: subprocess.Popen
    endpoint: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
            config=Config(s3={"addressing_style": "path"}),
        )

    def bucket_create(self, name: str) -> None:
        self.client().create_bucket(Bucket=name)

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket, Prefix=prefix)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _port_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def s3_server_start(log: Path | None = None, offset: int = 0) -> S3Server:
    """Start ``moto_server`` on the first port of ``S3_TEST_PORTS`` (from ``offset``) that it can bind."""
    first, last = (int(part) for part in PORTS.split("-"))
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    ports = list(range(first, last + 1))
    ports = ports[offset % len(ports) :] + ports[: offset % len(ports)]
    for port in ports:
        if not _port_free(port):
            continue
        output = log.open("ab") if log else subprocess.DEVNULL
        process = subprocess.Popen(
            [executable, "-H", "127.0.0.1", "-p", str(port)], stdout=output, stderr=subprocess.STDOUT
        )
        endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    return S3Server(process, endpoint)
            except OSError:
                time.sleep(0.1)
        process.kill()
        process.wait()  # another process took the port first: try the next one
    raise RuntimeError(f"moto_server could not start on any port of {PORTS}")


def storage_options(server: S3Server, bucket: str, location: str = "") -> dict:
    """``STORAGES['default']`` as config/settings.py builds it for a bucket on this server."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": server.endpoint,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "region_name": REGION,
            "addressing_style": "path",
            "signature_version": "s3v4",
            "location": location,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": 300,
            "max_memory_size": 2 * 1024 * 1024,
        },
    }
