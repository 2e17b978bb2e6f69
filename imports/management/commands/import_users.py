from imports.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Nhập người dùng (tên đăng nhập, vai trò, cơ quan) từ tệp .xlsx/.csv. Không nhập mật khẩu: "
        "người dùng mới nhận thư đặt mật khẩu."
    )
    kind = "users"
