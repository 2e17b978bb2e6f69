"""Check the digital signature of a report's PDF, offline: valid or not, who, which body, when, which report."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports import services, signing
from reports.selectors import report_verify


class Command(BaseCommand):
    help = (
        "Kiểm tra chữ ký số của một tệp PDF báo cáo (không cần mạng): hợp lệ hay không, người ký, cơ quan, thời "
        "điểm ký (có dấu thời gian tin cậy không), tệp có bị sửa sau khi ký không, là báo cáo nào trong hệ thống. "
        "Mã thoát 0 khi chữ ký hợp lệ và bao phủ toàn bộ tệp, 1 nếu không."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Tệp PDF cần kiểm tra.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args, **options):
        try:
            pdf = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp {options['file']}: {exc.strerror or exc}.") from exc
        check = report_verify(pdf)
        result, report = check.verification, check.report
        found = None
        if report is not None:
            found = {
                "id": report.pk,
                "number": services.report_number_and_symbol(report),
                "title": report.title,
                "version": report.version,
                "issued_on": report.issued_on.isoformat() if report.issued_on else None,
                "url": settings.SITE_URL.rstrip("/") + check.detail_url,
            }
        if options["json"]:
            self.stdout.write(json.dumps({**result.as_json(), "report": found}, ensure_ascii=False, indent=2))
        else:
            self.stdout.write("\n".join(_lines(result, found)))
        if not (result.valid and result.whole_file):
            sys.exit(1)


def _lines(result: signing.Verification, found: dict | None) -> list[str]:
    if not result.signed:
        return ["Chữ ký: KHÔNG CÓ", *[f"  {problem}" for problem in result.problems]]
    when = signing.signing_time_text(result.signed_at) if result.signed_at else "không rõ"
    lines = [
        f"Chữ ký: {'HỢP LỆ' if result.valid else 'KHÔNG HỢP LỆ'}",
        f"Người ký: {result.holder or '?'}",
        f"Cơ quan: {result.organisation or '?'}",
        f"Thời điểm ký: {when}"
        + (" (dấu thời gian tin cậy)" if result.trusted_time else " (theo đồng hồ máy ký, không được chứng thực)"),
        f"Dấu thời gian: {'có' if result.timestamped else 'không'}",
        f"Mức chữ ký: PAdES {result.level}" + (" (kiểm tra được lâu dài)" if result.long_term else ""),
        "Tệp bị sửa sau khi ký: " + ("CÓ" if result.changed_after_signing else "không"),
    ]
    if found:
        lines.append(f"Báo cáo: {found['number']} – {found['title']} (phiên bản {found['version']}), {found['url']}")
    else:
        lines.append("Báo cáo: không phải báo cáo do hệ thống này ban hành (hoặc tệp đã bị sửa)")
    lines += [f"  {problem}" for problem in result.problems]
    return lines
