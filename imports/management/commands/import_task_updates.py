from imports.command import ImportCommand


class Command(ImportCommand):
    help = "Nhập báo cáo tiến độ nhiệm vụ từ tệp .xlsx/.csv: kiểm tra mọi dòng, rồi ghi tất cả hoặc không ghi gì."
    kind = "task_updates"
    allows_agency = True
    allows_approve = True
