"""Importing agencies, including communes and wards (kind "Xã, phường" with their official code)."""

from agencies.models import Agency

from .directory import agencies_prepare, upsert_undo, upsert_write
from .reading import Column

COLUMNS = [
    Column("code", "Mã cơ quan", required=True),
    Column("name", "Tên cơ quan", required=True),
    Column("short_name", "Tên viết tắt"),
    Column("kind", "Loại", required=True),
    Column("official_code", "Mã đơn vị hành chính"),
    Column("aliases", "Tên gọi khác (cách nhau bởi ;)", aliases=("Tên gọi khác",)),
    Column("is_active", "Đang hoạt động"),
]
SHEETS = {None: COLUMNS}


def prepare(tables, *, only_agency=None, approve=False, progress=None):
    return agencies_prepare(tables[None])


def write(work, *, batch, when):
    return upsert_write(Agency, work)


def undo(changes, *, batch, when):
    upsert_undo(Agency, changes)


def after_commit(batch):
    """Nothing to do."""
