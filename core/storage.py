"""The file storage: whether it answers, and moving the files of a disk into it.

Every stored file goes through Django's default storage (``settings.STORAGES['default']``): the private disk
of the embedded default, or a bucket of an S3-compatible object store (django-storages) when
``AWS_STORAGE_BUCKET_NAME`` is set. Code opens, saves and deletes by name through that storage, never by a
path, so any web node and any worker reads what another stored (docs/scaling.md).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage

CHUNK = 1 << 20


def storage_check(storage: Storage) -> str:
    """Raise when ``storage`` cannot be used now; else say what it is. Reads only, writes nothing."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket is not None:  # django-storages' S3Storage: the bucket exists and these keys may reach it
        storage.connection.meta.client.head_bucket(Bucket=bucket)
        return f"bucket {bucket}" + (f" at {storage.endpoint_url}" if storage.endpoint_url else "")
    if isinstance(storage, FileSystemStorage):
        location = Path(storage.location)
        existing = next(folder for folder in (location, *location.parents) if folder.exists())  # made on first save
        if not existing.is_dir() or not os.access(existing, os.W_OK):
            raise PermissionError(f"{existing} is not a writable folder")
        return f"disk {location}"
    storage.exists("readyz")  # any other storage: one read that must not fail
    return storage.__class__.__name__


def file_digest(handle) -> tuple[int, str]:
    """Size and SHA-256 of an open file, read from its start in chunks."""
    digest, size = hashlib.sha256(), 0
    handle.seek(0)
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


@dataclass(frozen=True)
class Moved:
    name: str
    size: int
    #: "moved", "already there" (same content), "differs" (another file under that name: left on disk),
    #: "failed check" (the copy read back was not the file: taken back, left on disk), "would move" (dry run)
    outcome: str


def disk_files(root: Path) -> Iterator[str]:
    """Every file under ``root``, by its storage name (a relative path with forward slashes), in order."""
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for filename in sorted(files):
            yield Path(folder, filename).relative_to(root).as_posix()


def file_move(name: str, *, source: FileSystemStorage, target: Storage, keep: bool = False, dry_run: bool = False):
    """Copy the file ``name`` from the disk ``source`` to ``target`` under the same name, read it back from the
    target and compare size and SHA-256; only then delete it from the disk (unless ``keep``).

    A file already in the target with the same content counts as moved; one with other content is left on
    both sides and reported: nothing is ever overwritten."""
    with source.open(name, "rb") as handle:
        size, digest = file_digest(handle)
        if dry_run:
            return Moved(name, size, "would move")
        if target.exists(name):
            outcome = "already there"
        else:
            handle.seek(0)
            saved = target.save(name, File(handle, name=name))
            if saved != name:  # the target chose another name: a file appeared meanwhile; leave both
                target.delete(saved)
                return Moved(name, size, "differs")
            outcome = "moved"
    with target.open(name, "rb") as stored:
        stored_size, stored_digest = file_digest(stored)
    if (stored_size, stored_digest) != (size, digest):
        if outcome == "moved":  # the copy is not the file: take it back, keep the file on disk
            target.delete(name)
            return Moved(name, size, "failed check")
        return Moved(name, size, "differs")
    if not keep:
        source.delete(name)
    return Moved(name, size, outcome)
