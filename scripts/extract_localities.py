#!/usr/bin/env python3
"""Regenerate fixtures/localities_hung_yen.csv: the communes and wards of Hưng Yên.

ONE-OFF MAINTENANCE TOOL. The `vietnam-provinces` package used here is NOT a
runtime (or test) dependency of this project: do not add it to the project's
requirements and do not install it into the project's virtualenv. The project
only reads the CSV this script writes, which is committed.

Source: the PyPI package `vietnam-provinces` (https://pypi.org/project/vietnam-provinces/),
version 2026.9.0, whose data are the post-July-2025 two-level divisions (province ->
xã/phường/đặc khu) with the codes of the National Statistics Office of Viet Nam
("mã đơn vị hành chính"). The package needs Python >= 3.12.

How to run (from the repository root), in a throwaway virtualenv:

    python3.12 -m venv /tmp/vp-venv
    /tmp/vp-venv/bin/pip install "vietnam-provinces==2026.9.0"
    /tmp/vp-venv/bin/python scripts/extract_localities.py            # writes the CSV
    /tmp/vp-venv/bin/python scripts/extract_localities.py --check    # only compares

Output: UTF-8 CSV with header `code,name,kind_label`, one row per commune/ward,
sorted by code; `code` is the 5-digit administrative code as text (zero-padded),
`kind_label` is "xã" or "phường" (the division type as the package spells it).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

PROVINCE_CODE = 33  # Tỉnh Hưng Yên (after the 2025 merger with Thái Bình)
EXPECTED_COUNT = 104  # 11 phường + 93 xã after the July 2025 arrangement
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "fixtures" / "localities_hung_yen.csv"
HEADER = ("code", "name", "kind_label")


def load_rows() -> list[tuple[str, str, str]]:
    try:
        import vietnam_provinces
        from vietnam_provinces import Province, ProvinceCode, Ward
    except ImportError:  # pragma: no cover - maintenance tool
        sys.exit(
            "vietnam-provinces is not installed. Install it in a throwaway venv "
            "(Python >= 3.12): pip install 'vietnam-provinces==2026.9.0'"
        )

    province = Province.from_code(ProvinceCode(PROVINCE_CODE))
    if "Hưng Yên" not in province.name:
        sys.exit(f"province code {PROVINCE_CODE} is {province.name!r}, not Hưng Yên")

    rows = []
    for ward in Ward.iter_by_province(province.code):
        kind = str(ward.division_type.value)
        if kind not in ("xã", "phường"):
            sys.exit(f"unexpected division type {kind!r} for {ward.name}")
        rows.append((f"{int(ward.code):05d}", ward.name, kind))
    rows.sort(key=lambda r: r[0])
    print(
        f"vietnam-provinces {vietnam_provinces.__version__} "
        f"(data retrieved {vietnam_provinces.__data_version__}): "
        f"{province.name}, {len(rows)} communes/wards",
        file=sys.stderr,
    )
    return rows


def render(rows: list[tuple[str, str, str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file differs")
    args = parser.parse_args(argv)

    rows = load_rows()
    if len(rows) != EXPECTED_COUNT:
        print(f"WARNING: expected {EXPECTED_COUNT} communes/wards, got {len(rows)}", file=sys.stderr)
    if len({r[0] for r in rows}) != len(rows):
        sys.exit("duplicate codes in source data")

    text = render(rows)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date", file=sys.stderr)
        return 0
    args.output.write_text(text, encoding="utf-8")
    kinds = {k: sum(1 for r in rows if r[2] == k) for k in ("phường", "xã")}
    print(f"wrote {args.output}: {len(rows)} rows {kinds}", file=sys.stderr)
    return 0 if len(rows) == EXPECTED_COUNT else 2


if __name__ == "__main__":
    sys.exit(main())
