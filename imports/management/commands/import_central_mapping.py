from imports.command import ImportCommand


class Command(ImportCommand):
    help = (
        "Nạp bảng quy đổi chỉ số của kế hoạch sang chỉ tiêu của hệ thống giám sát Trung ương từ tệp .xlsx/.csv "
        "(cột Mã chỉ số, Mã chỉ tiêu TW, Tên chỉ tiêu TW, Đơn vị TW, Hệ số quy đổi; theo mã chỉ tiêu TW, nạp lại "
        "không tạo trùng). Mã chỉ số không có trong kế hoạch: báo dòng lỗi, không ghi gì."
    )
    kind = "central_mapping"
