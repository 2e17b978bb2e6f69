from imports.command import ImportCommand


class Command(ImportCommand):
    help = "Nhập danh sách cơ quan, xã, phường từ tệp .xlsx/.csv (theo mã cơ quan; nhập lại không tạo trùng)."
    kind = "agencies"
