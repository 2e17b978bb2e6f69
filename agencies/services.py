"""Writes for agencies: loading the agency list, the collectives and the communes and wards."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from .models import Agency, Collective


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: LoadCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.errors += other.errors

    def __str__(self) -> str:
        return f"{self.created} mới, {self.updated} cập nhật, {self.unchanged} không đổi"


def upsert(model, lookup: dict, values: dict, counts: LoadCounts):
    """Create or update one row by its natural key, saving only when something changed."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        counts.created += 1
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        counts.updated += 1
    else:
        counts.unchanged += 1
    return obj


@transaction.atomic
def agencies_load(*, data: dict) -> LoadCounts:
    """Load agencies and collectives from the shape of fixtures/agencies.yaml. Idempotent."""
    counts = LoadCounts()
    for row in data.get("agencies", []):
        kind = row["kind"]
        if kind not in Agency.Kind.values:
            raise ValueError(f"Loại cơ quan không hợp lệ “{kind}” ở “{row.get('name')}”.")
        upsert(
            Agency,
            {"code": row["code"]},
            {
                "name": row["name"],
                "short_name": row.get("short_name", "") or "",
                "kind": kind,
                "aliases": list(row.get("aliases") or []),
                "official_code": str(row.get("official_code", "") or ""),
            },
            counts,
        )
    for row in data.get("collectives", []):
        kinds = list(row.get("kinds") or [])
        unknown = set(kinds) - set(Agency.Kind.values)
        if unknown:
            raise ValueError(f"Loại cơ quan không hợp lệ {sorted(unknown)} ở “{row['name']}”.")
        collective = upsert(
            Collective, {"name": row["name"]}, {"kinds": kinds, "description": row.get("description", "")}, counts
        )
        member_codes = row.get("members") or []
        members = list(Agency.objects.filter(code__in=member_codes))
        if len(members) != len(set(member_codes)):
            missing = set(member_codes) - {a.code for a in members}
            raise ValueError(f"Không tìm thấy cơ quan {sorted(missing)} trong “{row['name']}”.")
        if {m.pk for m in members} != set(collective.members.values_list("pk", flat=True)):
            collective.members.set(members)
    return counts


LOCALITY_COLUMNS = ("code", "name", "kind_label")


@transaction.atomic
def localities_load(*, path: Path) -> LoadCounts:
    """Load the communes and wards from a CSV file with columns code, name, kind_label. Idempotent."""
    counts = LoadCounts()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = set(LOCALITY_COLUMNS) - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"Tệp {path.name} thiếu cột: {', '.join(sorted(missing))}.")
        for line, row in enumerate(reader, start=2):
            name = (row["name"] or "").strip()
            official_code = (row["code"] or "").strip()
            if not name or not official_code:
                raise ValueError(f"Tệp {path.name}, dòng {line}: thiếu mã hoặc tên đơn vị hành chính.")
            upsert(
                Agency,
                {"code": f"dvhc-{official_code}"},
                {"name": name, "kind": Agency.Kind.LOCALITY, "official_code": official_code},
                counts,
            )
    return counts
