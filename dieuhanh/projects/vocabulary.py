"""The controlled vocabulary of functions and the shared platforms (seeded by migration 0002; tests that flush
the database call ``ensure``)."""

FUNCTIONS = [
    ("document-management", "Quản lý văn bản và điều hành"),
    ("records-archive", "Lưu trữ hồ sơ điện tử"),
    ("document-exchange", "Liên thông văn bản"),
    ("email", "Thư điện tử công vụ"),
    ("video-conferencing", "Hội nghị truyền hình trực tuyến"),
    ("identity", "Định danh và xác thực (đăng nhập một lần)"),
    ("e-signature", "Chữ ký số"),
    ("data-warehouse", "Kho dữ liệu dùng chung"),
    ("member-management", "Quản lý đảng viên, đoàn viên, hội viên"),
    ("staff-management", "Quản lý cán bộ, công chức, viên chức"),
    ("public-services", "Dịch vụ công trực tuyến, một cửa điện tử"),
    ("reporting", "Báo cáo, thống kê"),
    ("complaints", "Khiếu nại, tố cáo, đơn thư"),
    ("e-learning", "Học tập, đào tạo trực tuyến"),
    ("portal", "Cổng thông tin điện tử"),
    ("data-centre", "Trung tâm dữ liệu, máy chủ"),
    ("network", "Mạng truyền số liệu"),
    ("security", "An toàn thông tin, giám sát an ninh mạng"),
    ("gis", "Bản đồ số, hệ thống thông tin địa lý"),
    ("operations-centre", "Trung tâm điều hành thông minh"),
    ("finance", "Kế toán, tài chính"),
    ("health", "Y tế, khám chữa bệnh"),
    ("education", "Giáo dục, trường học"),
    ("land", "Đất đai, địa chính"),
    ("surveillance", "Camera giám sát"),
]
PLATFORMS = [
    ("lgsp", "Trục liên thông văn bản (LGSP)", "document-exchange"),
    ("sso", "Hệ thống định danh và xác thực dùng chung", "identity"),
    ("signing", "Dịch vụ ký số tập trung", "e-signature"),
    ("mail", "Hệ thống thư điện tử công vụ dùng chung", "email"),
    ("vc", "Hệ thống hội nghị truyền hình dùng chung", "video-conferencing"),
    ("datacentre", "Trung tâm dữ liệu dùng chung của tỉnh", "data-centre"),
]


def ensure(function_model=None, platform_model=None) -> None:
    """Create the missing functions and platforms (the migration passes its historical models)."""
    if function_model is None:
        from .models import Function as function_model  # noqa: N813
        from .models import SharedPlatform as platform_model  # noqa: N813
    for code, name in FUNCTIONS:
        function_model.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, function in PLATFORMS:
        platform_model.objects.get_or_create(code=code, defaults={
            "name": name, "function": function_model.objects.get(code=function)})
