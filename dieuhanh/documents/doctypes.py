"""Seed data: document types of Decree 30/2020 (State) and Regulation 399-QĐ/TW (Party).

Abbreviations the regulations leave open are blank here and can be filled in as data.
"""

STATE_TYPES = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"), ("Kế hoạch", "KH"),
    ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"),
    ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"), ("Thư công", ""),
]

PARTY_TYPES = [
    ("Cương lĩnh chính trị", ""), ("Điều lệ Đảng", ""), ("Chiến lược", ""), ("Nghị quyết", "NQ"),
    ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Kết luận", "KL"), ("Quy chế", ""), ("Quy định", ""),
    ("Thông tri", ""), ("Hướng dẫn", "HD"), ("Thông báo", "TB"), ("Thông cáo", ""), ("Tuyên bố", ""),
    ("Lời kêu gọi", ""), ("Báo cáo", "BC"), ("Kế hoạch", "KH"), ("Quy hoạch", ""), ("Chương trình", ""),
    ("Đề án", ""), ("Phương án", ""), ("Dự án", ""), ("Tờ trình", ""), ("Công văn", "CV"), ("Biên bản", ""),
    ("Giấy giới thiệu", ""), ("Giấy chứng nhận", ""), ("Giấy đi đường", ""), ("Giấy nghỉ phép", ""),
    ("Giấy mời", ""), ("Phiếu chuyển", ""), ("Phiếu gửi", ""), ("Thư công", ""),
]


def seed_types(DocumentType):
    for system, types in (("state", STATE_TYPES), ("party", PARTY_TYPES)):
        for name, abbreviation in types:
            DocumentType.objects.get_or_create(
                system=system, name=name,
                defaults={"abbreviation": abbreviation, "is_letter": system == "state" and name == "Công văn"},
            )
