"""Importing the directory: agencies (departments, communes and wards, …) and users. Natural keys: agency
code, user name. Neither model keeps an audit history, so undo restores from a snapshot kept in the batch."""

from __future__ import annotations

from django.db.models import ProtectedError

from agencies.models import Agency, User, normalize_name
from core.snapshots import snapshots_changed

from .base import ERROR, NEW, UNCHANGED, UPDATED, AgencyLookup, Preview, RowResult, text
from .reading import Table
from .submissions import UndoRefused

YES = {"có", "co", "x", "1", "true", "yes", "đang hoạt động"}
NO = {"không", "khong", "0", "false", "no", "ngừng", ""}


def choice(raw: str, choices) -> str | None:
    """A choice written as its value ("department") or its Vietnamese label ("Sở, ban, ngành")."""
    wanted = normalize_name(raw)
    for value, label in choices:
        if wanted in (normalize_name(value), normalize_name(str(label))):
            return value
    return None


def boolean(raw: str) -> bool | None:
    wanted = normalize_name(raw)
    return True if wanted in YES else False if wanted in NO else None


def upsert_preview(preview: Preview, rows: list[tuple[RowResult, str, dict]], existing: dict) -> dict:
    """Mark each valid row new, updated or unchanged against ``existing`` (key -> instance); the write plan."""
    work = {"new": [], "updates": []}
    for result, key, values in rows:
        current = existing.get(key)
        if current is None:
            result.outcome = NEW
            work["new"].append(values)
        elif any(getattr(current, name) != value for name, value in values.items()):
            result.outcome = UPDATED
            work["updates"].append((current, values))
        else:
            result.outcome = UNCHANGED
    return work


def upsert_write(model, work: dict) -> dict:
    before = {}
    for obj, values in work["updates"]:
        before[obj.pk] = {name: getattr(obj, name) for name in values}
        for name, value in values.items():
            setattr(obj, name, value)
    fields = sorted({name for _, values in work["updates"] for name in values})
    if fields:
        model.objects.bulk_update([obj for obj, _ in work["updates"]], fields, batch_size=2000)
    created = model.objects.bulk_create([model(**values) for values in work["new"]], batch_size=2000)
    snapshots_changed()
    return {"created": [obj.pk for obj in created], "updated": before}


def upsert_undo(model, changes: dict) -> None:
    try:
        model.objects.filter(pk__in=changes.get("created", [])).delete()
    except ProtectedError as exc:
        raise UndoRefused("Không thể hoàn tác: bản ghi do lần nhập này tạo đã được dùng ở nơi khác.") from exc
    objects = model.objects.in_bulk([int(pk) for pk in changes.get("updated", {})])
    fields = set()
    for pk, values in changes.get("updated", {}).items():
        for name, value in values.items():
            setattr(objects[int(pk)], name, value)
            fields.add(name)
    if objects and fields:
        model.objects.bulk_update(list(objects.values()), sorted(fields))
    snapshots_changed()


def check_duplicates(table: Table, rows: list, key_name: str) -> None:
    seen: dict[str, int] = {}
    for result, key, _ in rows:
        if key in seen:
            result.outcome = ERROR
            result.messages.append(f"Dòng {result.line}: trùng {key_name} “{key}” với dòng {seen[key]}.")
        seen.setdefault(key, result.line)
    rows[:] = [r for r in rows if not r[0].messages]


def agencies_prepare(table: Table) -> Preview:
    preview = Preview(kind="agencies")
    rows = []
    for row in table.rows:
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        preview.rows.append(result)
        v = row.values
        code, name = text(v.get("code")), text(v.get("name"))
        if not code:
            result.messages.append(f"{table.where(row, 'code')}: hãy ghi mã cơ quan.")
        elif len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum() or not code.isascii():
            result.messages.append(
                f"{table.where(row, 'code')}: mã “{code}” chỉ được gồm chữ không dấu, số, dấu gạch (tối đa 40 ký tự)."
            )
        if not name:
            result.messages.append(f"{table.where(row, 'name')}: hãy ghi tên cơ quan.")
        kind = choice(text(v.get("kind")), Agency.Kind.choices)
        if kind is None:
            labels = ", ".join(str(label) for _, label in Agency.Kind.choices)
            result.messages.append(f"{table.where(row, 'kind')}: hãy ghi một trong: {labels}.")
        values = {"code": code, "name": name, "kind": kind}
        for field in ("short_name", "official_code"):
            if field in table.letters:
                values[field] = text(v.get(field))
        if "aliases" in table.letters:
            values["aliases"] = [a.strip() for a in text(v.get("aliases")).split(";") if a.strip()]
        if "is_active" in table.letters:
            active = boolean(text(v.get("is_active")) or "có")
            if active is None:
                result.messages.append(f"{table.where(row, 'is_active')}: hãy ghi Có hoặc Không.")
            values["is_active"] = active
        if not result.messages:
            result.label = f"{code} · {name}"
            rows.append((result, code, values))
    check_duplicates(table, rows, "mã cơ quan")
    existing = {a.code: a for a in Agency.objects.all()}
    names = {a.name: a.code for a in existing.values()}
    file_names: dict[str, int] = {}
    for result, code, values in rows:
        owner = names.get(values["name"])
        if owner and owner != code:
            result.outcome = ERROR
            result.messages.append(f"Dòng {result.line}: tên “{values['name']}” đã là tên của cơ quan mã “{owner}”.")
        if values["name"] in file_names:
            result.outcome = ERROR
            result.messages.append(
                f"Dòng {result.line}: tên “{values['name']}” trùng với dòng {file_names[values['name']]}."
            )
        file_names.setdefault(values["name"], result.line)
    rows = [r for r in rows if not r[0].messages]
    preview.work = upsert_preview(preview, rows, existing)
    return preview


def users_prepare(table: Table) -> Preview:
    preview = Preview(kind="users")
    agencies = AgencyLookup()
    rows = []
    for row in table.rows:
        result = RowResult(line=row.line, outcome=ERROR, messages=list(row.errors))
        preview.rows.append(result)
        v = row.values
        username = text(v.get("username"))
        if not username or len(username) > 150 or " " in username:
            result.messages.append(f"{table.where(row, 'username')}: tên đăng nhập “{username}” không hợp lệ.")
        role = choice(text(v.get("role")), User.Role.choices)
        if role is None:
            labels = ", ".join(str(label) for _, label in User.Role.choices)
            result.messages.append(f"{table.where(row, 'role')}: hãy ghi một trong: {labels}.")
        agency = None
        if text(v.get("agency")):
            try:
                agency = agencies.get(text(v["agency"]))
            except ValueError as exc:
                result.messages.append(f"{table.where(row, 'agency')}: {exc}")
        elif role == User.Role.AGENCY_STAFF:
            result.messages.append(f"{table.where(row, 'agency')}: cán bộ sở, ngành, địa phương phải có cơ quan.")
        values = {"username": username, "role": role, "agency_id": agency.pk if agency else None}
        for field in ("first_name", "last_name", "email"):
            if field in table.letters:
                values[field] = text(v.get(field))
        if values.get("email") and "@" not in values["email"]:
            result.messages.append(f"{table.where(row, 'email')}: địa chỉ thư “{values['email']}” không hợp lệ.")
        if "is_active" in table.letters:
            active = boolean(text(v.get("is_active")) or "có")
            if active is None:
                result.messages.append(f"{table.where(row, 'is_active')}: hãy ghi Có hoặc Không.")
            values["is_active"] = active
        if not result.messages:
            result.label = username
            rows.append((result, username, values))
    check_duplicates(table, rows, "tên đăng nhập")
    existing = {u.username: u for u in User.objects.filter(username__in=[key for _, key, _ in rows])}
    preview.work = upsert_preview(preview, rows, existing)
    return preview
