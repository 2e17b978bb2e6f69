from imports.command import ImportCommand


class Command(ImportCommand):
    help = "Nhập số liệu từ tệp .xlsx/.csv: kiểm tra mọi dòng, rồi ghi tất cả hoặc không ghi gì."
    kind = "figures"
    allows_agency = True
    allows_approve = True
