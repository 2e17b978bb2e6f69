"""Spreadsheets broken inside (.xlsx whose XML or zip is damaged or hostile), made from a good one for the tests."""

from __future__ import annotations

import io
import re
import zipfile

SHEET = "xl/worksheets/sheet1.xml"


def _rewrite(content: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, change(item.filename, source.read(item.filename)))
    return out.getvalue()


def _in(member: str, edit):
    return lambda name, data: edit(data) if name == member else data


def _cell(data: bytes, ref: bytes, replacement: bytes) -> bytes:
    """The sheet with the cell ``ref`` written as ``replacement``."""
    return re.sub(rb'<c r="' + ref + rb'"[^>]*?(/>|>.*?</c>)', replacement, data, count=1)


def _entity(data: bytes, declaration: bytes, use: bytes) -> bytes:
    data = b'<?xml version="1.0" encoding="UTF-8"?>' + declaration + data
    return _cell(data, b"A2", b'<c r="A2" t="inlineStr"><is><t>' + use + b"</t></is></c>")


def _bad_crc(content: bytes) -> bytes:
    stored = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as target:
        for item in source.infolist():
            target.writestr(item.filename, source.read(item.filename))
    data = bytearray(stored.getvalue())
    at = data.find(b"<sheetData>") + 15  # a byte of the sheet's cells, stored uncompressed: its CRC no longer holds
    data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")
    return bytes(data)


def corrupt_variants(good: bytes) -> dict[str, bytes]:
    """Eight ways an .xlsx can be broken inside, by name."""
    laughs = b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    xxe = b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    # a cell that points to shared string 99, in a workbook that has none
    no_strings = _in(SHEET, lambda d: _cell(d, b"A2", b'<c r="A2" t="s"><v>99</v></c>'))
    text_in_number = _in(SHEET, lambda d: _cell(d, b"E2", b'<c r="E2" t="n"><v>x</v></c>'))
    return {
        "truncated sheet": _rewrite(good, _in(SHEET, lambda d: d[: len(d) // 2])),
        "broken shared strings": _rewrite(good, no_strings),
        "DTD entity": _rewrite(good, _in(SHEET, lambda d: _entity(d, laughs, b"&b;"))),
        "XXE": _rewrite(good, _in(SHEET, lambda d: _entity(d, xxe, b"&xxe;"))),
        "bad CRC": _bad_crc(good),
        "broken workbook": _rewrite(good, _in("xl/workbook.xml", lambda d: d[: len(d) // 2])),
        "broken styles": _rewrite(good, _in("xl/styles.xml", lambda d: d.replace(b"<", b"<<", 3))),
        "not a number": _rewrite(good, text_in_number),
    }
