"""Reading an uploaded spreadsheet (xlsx or csv) into plain rows, with precise Vietnamese messages.

Whole-file problems (not a spreadsheet, too large, extra sheets, merged cells, wrong columns) raise
``FileProblem``; cell problems (formulas) are reported per row by the caller through ``Row.errors``.
Every cell comes out as text (numbers written so that ``parse_vn_number`` reads them back exactly), a
``date`` for date cells, or ``""`` when empty.

``read_tables(..., stream=True)`` reads a file as a stream: the table's ``rows`` is then an iterator, read once,
and problems found further down the file (too many rows, data under a column without a header) raise
``FileProblem`` while iterating; the rows are never all held in memory at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from core.formatting import format_vn_number

#: sheets a template may carry besides its data sheet; they are ignored on import
INSTRUCTIONS_SHEET = "Hướng dẫn"
#: our exports prefix text that a spreadsheet would take for a formula with an apostrophe; read it back
_NEUTRALISED = re.compile(r"^'(?=[=+\-@])")
_MERGE_REF = re.compile(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')
_XLSX_MAGIC = b"PK\x03\x04"
_DIMENSION = re.compile(rb'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"')
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


logger = logging.getLogger(__name__)

#: a job's progress report: called with (rows done, rows in all; 0 while not known)
Progress = Callable[[int, int], None]
#: rows between two progress reports while reading (the reporter decides how often it writes them down)
PROGRESS_EVERY = 100


class FileProblem(ValueError):
    """The file as a whole cannot be imported; ``errors`` says why, in Vietnamese."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def _damaged(filename: str, exc: Exception, *, row: int | None = None) -> FileProblem:
    """An .xlsx broken inside (XML cut short or malformed, entities, a zip member whose CRC fails, a cell that is
    not what its type says): what to do about it, not the parser's words. Checking it again cannot help."""
    logger.warning("Damaged spreadsheet %s (row %s): %r", filename, row, exc)
    where = f" từ dòng {row}" if row else ""
    return FileProblem(
        [
            f"Tệp “{filename}” bị hỏng bên trong: nội dung{where} không đọc được, nên chưa kiểm tra được dòng nào. "
            "Hãy mở tệp bằng Excel hoặc LibreOffice, lưu lại thành một tệp .xlsx mới rồi tải tệp đó lên."
        ]
    )


@dataclass(frozen=True)
class Column:
    """A column of an import file: its key in code, its header as written in files, other accepted headers."""

    key: str
    label: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    #: shown in exports and templates for the reader, ignored on import
    informative: bool = False


@dataclass
class Row:
    line: int
    values: dict[str, str | date]
    errors: list[str] = field(default_factory=list)


@dataclass
class Table:
    sheet: str
    columns: list[Column]
    letters: dict[str, str]  # column key -> spreadsheet column letter, for messages
    rows: list[Row] | Iterator[Row]  # an iterator when read as a stream

    def where(self, row: Row, key: str) -> str:
        """ "dòng 5, cột C (Giá trị)": where a message points to."""
        column = next(c for c in self.columns if c.key == key)
        letter = self.letters.get(key)
        return f"dòng {row.line}, cột {letter} ({column.label})" if letter else f"dòng {row.line} ({column.label})"


def _header_key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


def check_size(size: int) -> None:
    """Refuse a file over IMPORT_MAX_BYTES before reading a byte of it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileProblem(
            [
                f"Tệp quá lớn ({format_vn_number(Decimal(size) / 1048576, 1)} MB); "
                f"giới hạn là {format_vn_number(Decimal(limit) / 1048576, 1)} MB. Hãy chia thành nhiều tệp."
            ]
        )


def _limit(name: str) -> int:
    """One of the IMPORT_MAX_* limits (config/settings.py)."""
    return getattr(settings, name)


def _too_many_rows(count: int) -> FileProblem:
    return FileProblem(
        [
            f"Tệp có hơn {_limit('IMPORT_MAX_ROWS')} dòng ({count} dòng trở lên); "
            "hãy chia thành nhiều tệp nhỏ hơn rồi tải lên lần lượt."
        ]
    )


def _check_xlsx_archive(content: bytes, filename: str) -> None:
    """Refuse an .xlsx whose unpacked size, or whose data sheets' declared size, is beyond the limits.

    Read from the zip directory and each sheet's first bytes (its ``<dimension ref="A1:K400001">``), before
    openpyxl parses anything: a zip bomb or a 400 000-row sheet costs milliseconds to refuse.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except zipfile.BadZipFile as exc:
        raise FileProblem([f"Tệp “{filename}” không phải bảng tính đọc được ({exc.__class__.__name__})."]) from exc
    with archive:
        members = archive.infolist()
        unpacked = sum(member.file_size for member in members)
        if unpacked > _limit("IMPORT_MAX_UNCOMPRESSED_BYTES"):
            raise FileProblem(
                [
                    f"Tệp “{filename}” khi giải nén lớn {format_vn_number(Decimal(unpacked) / 1048576, 1)} MB, "
                    f"vượt giới hạn {format_vn_number(Decimal(_limit('IMPORT_MAX_UNCOMPRESSED_BYTES')) / 1048576, 1)}"
                    " MB; hãy chia thành nhiều tệp."
                ]
            )
        for member in members:
            if not member.filename.startswith("xl/worksheets/") or not member.filename.endswith(".xml"):
                continue
            try:
                with archive.open(member) as handle:
                    head = handle.read(2048)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:  # its CRC or compressed data
                raise _damaged(filename, exc) from exc
            match = _DIMENSION.search(head)
            if match:
                rows = int(match.group(1))
                if rows > _limit("IMPORT_MAX_ROWS") + 1:
                    raise _too_many_rows(rows - 1)


def _cell_text(value) -> str | date:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        # as a spreadsheet shows it: a number column then says it cannot read "TRUE", rather than taking 1
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        # "1,234" with a decimal comma: parse_vn_number reads it back exactly (a dot would mean thousands)
        text = format(Decimal(repr(value)) if isinstance(value, float) else value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return text.replace(".", ",")
    text = str(value).strip()
    return _NEUTRALISED.sub("", text)


def read_tables(
    content: bytes,
    filename: str,
    sheets: dict[str | None, list[Column]],
    *,
    stream: bool = False,
    progress: Progress | None = None,
) -> dict[str | None, Table]:
    """Read ``content`` into one table per expected sheet (``None``: the single data sheet, whatever its name).

    ``stream``: each table's rows come as an iterator, read from the file as they are asked for.
    ``progress`` is told the rows read so far (below the first), out of the rows the file declares."""
    check_size(len(content))
    if content.startswith(_XLSX_MAGIC):
        raw = _read_xlsx(content, filename, list(sheets), stream=stream, progress=progress)
    elif content.startswith(_OLE_MAGIC):
        raise FileProblem([f"Tệp “{filename}” là định dạng Excel 97–2003 (.xls); hãy lưu lại thành .xlsx rồi tải lên."])
    else:
        if None not in sheets or len(sheets) != 1:
            raise FileProblem([f"Tệp “{filename}” không phải tệp Excel (.xlsx); loại dữ liệu này cần tệp .xlsx."])
        raw = {None: _read_csv(content, filename, stream=stream, progress=progress)}
    return {name: build_table(name, raw[name], columns) for name, columns in sheets.items()}


def read_workbook_sheets(content: bytes, filename: str, names: list[str]) -> dict[str, tuple[str, list]]:
    """The raw rows of the named sheets of an .xlsx, for kinds whose columns depend on another sheet's content.

    Turn each into a ``Table`` with ``build_table`` once its columns are known.
    """
    check_size(len(content))
    if not content.startswith(_XLSX_MAGIC):
        raise FileProblem([f"Tệp “{filename}” không phải tệp Excel (.xlsx); loại dữ liệu này cần tệp .xlsx."])
    return _read_xlsx(content, filename, names)


def _read_xlsx(
    content: bytes, filename: str, wanted: list[str | None], *, stream: bool = False, progress: Progress | None = None
) -> dict[str | None, tuple[str, list]]:
    _check_xlsx_archive(content, filename)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, InvalidFileException) as exc:
        raise FileProblem([f"Tệp “{filename}” không phải bảng tính đọc được ({exc.__class__.__name__})."]) from exc
    except Exception as exc:  # its XML, not the zip: parse errors, entities, missing parts
        raise _damaged(filename, exc) from exc
    try:
        data_sheets = [ws for ws in workbook.worksheets if ws.title != INSTRUCTIONS_SHEET]
        names = [ws.title for ws in data_sheets]
        errors = []
        if None in wanted:
            if len(data_sheets) != 1:
                listed = ", ".join(f"“{n}”" for n in names)
                errors.append(
                    f"Tệp phải có đúng một trang tính dữ liệu, nhưng có {len(data_sheets)}: {listed}. "
                    "Hãy xóa các trang thừa."
                )
            chosen = {None: data_sheets[0]} if data_sheets else {}
        else:
            missing = [n for n in wanted if n not in names]
            extra = [n for n in names if n not in wanted]
            if missing:
                errors.append("Tệp thiếu trang tính: " + ", ".join(f"“{n}”" for n in missing) + ".")
            if extra:
                errors.append("Tệp có trang tính thừa: " + ", ".join(f"“{n}”" for n in extra) + ". Hãy xóa chúng.")
            chosen = {ws.title: ws for ws in data_sheets if ws.title in wanted}
        if errors:
            raise FileProblem(errors)
        result = {}
        for key, ws in chosen.items():
            # rows below the header line, as the sheet's <dimension> declares them (0: it does not say)
            declared = max((ws.max_row or 0) - 1, 0)
            rows = _xlsx_rows(ws, filename, workbook if stream else None, progress, declared)
            result[key] = (ws.title, rows if stream else list(rows), _merged_cells(workbook, ws, filename))
    except BaseException:
        workbook.close()
        raise
    if not stream:
        workbook.close()
    return result


def _merged_cells(workbook, ws, filename: str) -> list[str]:
    """The sheet's merged ranges, read from its XML in chunks (read-only sheets do not expose them)."""
    found: dict[str, None] = {}
    tail = b""
    try:
        with workbook._archive.open(ws._worksheet_path) as handle:
            while chunk := handle.read(1 << 20):
                for ref in _MERGE_REF.findall(tail + chunk):
                    found[ref.decode()] = None
                tail = chunk[-64:]
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:  # a member whose CRC or data is wrong
        raise _damaged(filename, exc) from exc
    return list(found)


def _xlsx_rows(ws, filename: str, workbook=None, progress: Progress | None = None, declared: int = 0) -> Iterator[list]:
    """The sheet's rows as cell values; ``workbook``: closed once the rows are read (a streamed sheet)."""
    count = cells_read = 0
    rows = ws.iter_rows()
    try:
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except Exception as exc:  # the sheet's XML as openpyxl parses it, row by row
                raise _damaged(filename, exc, row=count + 1) from exc
            if progress and count % PROGRESS_EVERY == 0:
                progress(max(count - 1, 0), declared)
            # the declared dimension can be missing or false: count while reading, too
            cells_read += len(cells)
            if count > _limit("IMPORT_MAX_ROWS"):
                raise _too_many_rows(count)
            if cells_read > _limit("IMPORT_MAX_CELLS"):
                raise FileProblem(
                    [f"Tệp có quá nhiều ô (hơn {_limit('IMPORT_MAX_CELLS')}); hãy xóa các cột thừa hoặc chia tệp."]
                )
            count += 1
            yield [
                ("=formula", c.value)
                if getattr(c, "data_type", None) == "f" or (isinstance(c.value, str) and c.value.startswith("="))
                else _cell_text(c.value)
                for c in cells
            ]
        if progress:
            progress(max(count - 1, 0), max(count - 1, 0))
    finally:
        if workbook is not None:
            workbook.close()


def _read_csv(
    content: bytes, filename: str, *, stream: bool = False, progress: Progress | None = None
) -> tuple[str, list, list]:
    head = content[:4096]
    if b"\x00" in head:
        raise FileProblem([f"Tệp “{filename}” không phải bảng tính (.xlsx hoặc .csv)."])
    if not content.removeprefix(codecs.BOM_UTF8).strip():
        raise FileProblem([f"Tệp “{filename}” không có dữ liệu."])
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        top = [text.readline() for _ in range(HEADER_SEARCH_ROWS)]  # title lines above the header may have none
    except UnicodeDecodeError as exc:
        raise _not_utf8(filename) from exc
    delimiter = max(",;\t", key=lambda d: sum(line.count(d) for line in top))
    lines = content.count(b"\n")  # about the rows below the header; a quoted cell may hold line breaks
    rows = _csv_rows(filename, [line for line in top if line], text, delimiter, progress, lines)
    return "CSV", rows if stream else list(rows), []


def _not_utf8(filename: str) -> FileProblem:
    return FileProblem([f"Tệp CSV “{filename}” phải được lưu với bảng mã UTF-8."])


def _csv_rows(
    filename: str, top: list[str], rest: Iterable[str], delimiter: str, progress: Progress | None = None, lines=0
) -> Iterator[list]:
    count = 0
    reader = csv.reader(_chain(top, rest), delimiter=delimiter)
    try:
        for cells in reader:
            if progress and count % PROGRESS_EVERY == 0:
                progress(max(count - 1, 0), lines)
            if count > _limit("IMPORT_MAX_ROWS"):
                raise _too_many_rows(count)
            count += 1
            yield [("=formula", c) if c.strip().startswith("=") else _cell_text(c) for c in cells]
        if progress:
            progress(max(count - 1, 0), max(count - 1, 0))
    except csv.Error as exc:  # a cell over csv's field limit (128 KB), a stray NUL, an unclosed quote
        where = f"Tệp CSV “{filename}” hỏng ở dòng {reader.line_num} ({exc})"
        raise FileProblem([f"{where}; hãy mở bằng Excel và lưu lại dạng CSV UTF-8."]) from exc
    except UnicodeDecodeError as exc:
        raise _not_utf8(filename) from exc


def _chain(first: list[str], rest: Iterable[str]) -> Iterator[str]:
    yield from first
    yield from rest


#: columns offices add that carry nothing to import: the row number ("STT"), unless the sheet defines it
IGNORED_HEADERS = frozenset(_header_key(h) for h in ("STT", "TT", "Số TT", "Số thứ tự", "No", "No."))
#: how far down a sheet the header row is looked for (title rows above it are skipped)
HEADER_SEARCH_ROWS = 20
_MERGE_ROWS = re.compile(r"[A-Z]+(\d+):[A-Z]+(\d+)")


def _header_row(rows: list, by_header: dict[str, Column], columns: list[Column]) -> int:
    """The index of the header row: the first of the top rows naming the most known columns (all the required
    ones if any row does); title rows above it, as offices write them, are skipped. 0 when no row names any."""
    required = {c.key for c in columns if c.required}
    best, best_score = 0, (False, 0)
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        named = {by_header[_header_key(c)].key for c in cells if isinstance(c, str) and _header_key(c) in by_header}
        score = (required <= named, len(named))
        if named and score > best_score:
            best, best_score = index, score
    return best


def build_table(name: str | None, raw: tuple, columns: list[Column]) -> Table:
    """One sheet's raw rows as a table of the given columns (``FileProblem`` for missing or unknown columns).

    The header row may sit under title rows ("BÁO CÁO SỐ LIỆU ...", merged across the top): it is the row that
    names the columns. An "STT" column is ignored; below such a header, lines that fill none of the required
    columns (a signature block, a note) are skipped.

    ``raw``'s rows may be an iterator (a file read as a stream): the table's rows are then an iterator too."""
    sheet, rows = raw[0], raw[1]
    merged = raw[2] if len(raw) > 2 else []
    streamed = not isinstance(rows, list)
    rest: Iterator[list] = iter(())
    if streamed:
        rest = iter(rows)
        rows = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rest, strict=False)]
    where = f"Trang “{sheet}”: " if name else ""
    by_header = {}
    for column in columns:
        for text in (column.label, column.key, *column.aliases):
            by_header[_header_key(text)] = column
    start = _header_row(rows, by_header, columns)
    header_line = start + 1
    if not rows or not any(_filled(c) for c in rows[start]):
        raise FileProblem([f"{where}dòng 1 phải là dòng tiêu đề cột ({', '.join(c.label for c in columns)})."])
    in_table = [ref for ref in merged if int(_MERGE_ROWS.fullmatch(ref).group(2)) >= header_line]
    if in_table:
        raise FileProblem(
            [
                f"Trang “{sheet}” có ô gộp (merged cells) tại {', '.join(in_table[:10])}; "
                "hãy bỏ gộp ô và điền đủ giá trị cho từng dòng."
            ]
        )
    header = rows[start]
    letters: dict[str, str] = {}
    index: dict[str, int] = {}
    errors: list[str] = []
    unknown = []
    unnamed: dict[int, str] = {}  # position -> letter of the columns without a header
    for position, cell in enumerate(header):
        letter = get_column_letter(position + 1)
        if isinstance(cell, tuple):
            errors.append(f"{where}tiêu đề cột {letter} là công thức; hãy ghi tên cột.")
            continue
        if not _filled(cell):
            if any(position < len(r) and _filled(r[position]) for r in rows[start + 1 :]):
                errors.append(_unnamed_column(where, letter, header_line))
            else:
                unnamed[position] = letter
            continue
        column = by_header.get(_header_key(cell))
        if column is None and _header_key(cell) in IGNORED_HEADERS:
            continue  # a row-number column the sheet does not itself define
        if column is None:
            unknown.append(f"“{cell}” (cột {letter})")
        elif column.key in index:
            errors.append(f"{where}cột “{column.label}” xuất hiện hai lần (cột {letters[column.key]} và {letter}).")
        else:
            index[column.key] = position
            letters[column.key] = letter
    if unknown:
        errors.append(
            f"{where}cột không thuộc mẫu: {', '.join(unknown)}. "
            f"Các cột dùng được: {', '.join(c.label for c in columns)}."
        )
    missing = [c.label for c in columns if c.required and c.key not in index]
    if missing:
        errors.append(f"{where}thiếu cột bắt buộc: {', '.join(missing)}.")
    if errors:
        raise FileProblem(errors)
    body = _chain(rows[start + 1 :], rest) if streamed else rows[start + 1 :]
    table_rows = _table_rows(name, sheet, columns, body, start, index, letters, unnamed)
    return Table(sheet=sheet, columns=columns, letters=letters, rows=table_rows if streamed else list(table_rows))


def _unnamed_column(where: str, letter: str, header_line: int) -> str:
    return f"{where}cột {letter} có dữ liệu nhưng không có tên cột ở dòng {header_line}."


def _table_rows(name, sheet, columns, body, start, index, letters, unnamed) -> Iterator[Row]:
    """The data rows under the header (line numbers as in the sheet); ``unnamed``: columns that must stay empty."""
    where = f"Trang “{sheet}”: " if name else ""
    header_line = start + 1
    required_positions = [index[c.key] for c in columns if c.required]
    # a line with a number in a column that is read, whatever else it lacks, is a row of data: told, not skipped
    data_positions = [index[c.key] for c in columns if c.key in index and not c.informative]
    yielded = False
    for line, cells in enumerate(body, start=header_line + 1):
        for position, letter in unnamed.items():
            if position < len(cells) and _filled(cells[position]):  # further down a streamed file
                raise FileProblem([_unnamed_column(where, letter, header_line)])
        if not any(_filled(c) for c in cells):
            continue  # empty rows are skipped
        if (
            start
            and required_positions
            and not any(p < len(cells) and _filled(cells[p]) for p in required_positions)
            and not any(p < len(cells) and _is_number(cells[p]) for p in data_positions)
        ):
            continue  # under a titled sheet, a line that fills no required column and holds no number: a signature
        row = Row(line=line, values={})
        for key, position in index.items():
            cell = cells[position] if position < len(cells) else ""
            if isinstance(cell, tuple):
                label = next(c.label for c in columns if c.key == key)
                row.errors.append(
                    f"{where}dòng {line}, cột {letters[key]} ({label}): ô chứa công thức “{cell[1]}”; "
                    "hãy dán giá trị (Paste Values) thay cho công thức."
                )
                cell = ""
            if isinstance(cell, str) and "\x00" in cell:
                label = next(c.label for c in columns if c.key == key)
                row.errors.append(f"{where}dòng {line}, cột {letters[key]} ({label}): ô có ký tự NUL không hợp lệ.")
                cell = ""
            if isinstance(cell, str) and len(cell) > _limit("IMPORT_MAX_CELL_CHARS"):
                label = next(c.label for c in columns if c.key == key)
                row.errors.append(
                    f"{where}dòng {line}, cột {letters[key]} ({label}): ô dài {len(cell)} ký tự, "
                    f"tối đa {_limit('IMPORT_MAX_CELL_CHARS')}; hãy rút gọn nội dung."
                )
                cell = ""
            row.values[key] = cell
        yielded = True
        yield row
    if name is None and not yielded:
        raise FileProblem(["Tệp chỉ có dòng tiêu đề, không có dòng dữ liệu nào; không có gì để nhập."])


_NUMBER = re.compile(r"\s*[-+]?\d[\d.,\s]*%?\s*")


def _is_number(cell) -> bool:
    """A number, or text written as one ("1.250", "75,5", "12 %")."""
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float | Decimal):
        return True
    return isinstance(cell, str) and _NUMBER.fullmatch(cell) is not None


def _filled(cell) -> bool:
    return isinstance(cell, tuple | date) or bool(str(cell).strip())


_DATE_TEXT = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_date(value: str | date) -> date:
    """A date cell, or text written dd/mm/yyyy (also dd-mm-yyyy, dd.mm.yyyy) or yyyy-mm-dd."""
    if isinstance(value, date):
        return value
    text = value.strip()
    match = _DATE_TEXT.fullmatch(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"Không đọc được ngày “{text}”; hãy ghi theo dạng dd/mm/yyyy, ví dụ 30/06/2026.") from exc
