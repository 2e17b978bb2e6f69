"""Move the files kept on the private disk to the object store configured as the default storage."""

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from core.storage import disk_files, file_move


class Command(BaseCommand):
    help = (
        "Chuyển các tệp đang lưu trên đĩa (DJANGO_PRIVATE_MEDIA_ROOT, mặc định var/uploads) lên kho đối tượng S3 "
        "đã cấu hình (AWS_STORAGE_BUCKET_NAME), giữ nguyên tên; đọc lại từng tệp từ kho, so kích thước và SHA-256 "
        "rồi mới xóa trên đĩa. Chạy lại an toàn: tệp đã có trên kho với cùng nội dung được bỏ qua."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from", dest="source", metavar="THƯ_MỤC", help="Thư mục tệp trên đĩa (mặc định: thư mục tải lên)."
        )
        parser.add_argument("--keep", action="store_true", help="Giữ tệp trên đĩa sau khi đã chép và kiểm tra.")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ liệt kê, không chép, không xóa.")

    def handle(self, *args, **options):
        if not settings.AWS_STORAGE_BUCKET_NAME:
            raise CommandError(
                "Chưa cấu hình kho đối tượng: đặt AWS_STORAGE_BUCKET_NAME (và AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
                "AWS_SECRET_ACCESS_KEY) rồi chạy lại."
            )
        root = Path(options["source"] or settings.PRIVATE_MEDIA_ROOT)
        if not root.is_dir():
            raise CommandError(f"Không có thư mục {root}.")
        source = FileSystemStorage(location=str(root))
        counts: dict[str, int] = {}
        total = 0
        for name in disk_files(root):
            moved = file_move(
                name, source=source, target=default_storage, keep=options["keep"], dry_run=options["dry_run"]
            )
            counts[moved.outcome] = counts.get(moved.outcome, 0) + 1
            total += moved.size
            if moved.outcome in ("differs", "failed check"):
                self.stderr.write(f"{name}: {_OUTCOMES[moved.outcome]}")
            elif options["verbosity"] > 1:
                self.stdout.write(f"{name}: {_OUTCOMES[moved.outcome]} ({moved.size} byte)")
        summary = ", ".join(f"{_OUTCOMES[outcome]}: {count}" for outcome, count in sorted(counts.items()))
        self.stdout.write(f"{sum(counts.values())} tệp, {total} byte. {summary or 'Không có tệp nào.'}")
        if counts.get("differs") or counts.get("failed check"):
            raise CommandError("Có tệp chưa chuyển được (xem ở trên); chúng vẫn nằm trên đĩa.")


_OUTCOMES = {
    "moved": "đã chuyển",
    "already there": "đã có trên kho, cùng nội dung",
    "differs": "trên kho đã có tệp khác cùng tên, giữ lại trên đĩa",
    "failed check": "bản chép không khớp khi đọc lại, giữ lại trên đĩa",
    "would move": "sẽ chuyển",
}
