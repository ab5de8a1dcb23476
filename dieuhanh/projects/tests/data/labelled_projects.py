"""The labelled set for the duplicate threshold (docs/projects-duplicates.md), written by hand.

Each group holds the same system proposed by different units in different words (abbreviations, missing
diacritics, reordered phrases); two projects of one group are a duplicate pair, two of different groups are not.
Groups G01-G13 are the tuning part; G14-G20 are held out and were never used to choose the threshold.
Hard negatives (same domain, different system) sit next to each other on purpose: G01/G02, G03/G04, G05/G06,
G14/G15, G17/G18."""

PROJECTS = [
    # G01 document management of the party committee office
    ("G01", "Văn phòng Tỉnh ủy", "Hệ thống quản lý văn bản và điều hành",
     "Tin học hóa việc tiếp nhận, xử lý văn bản đến, văn bản đi và điều hành công việc trên môi trường mạng"),
    ("G01", "Huyện ủy Đông Anh", "Phần mềm QLVB điều hành huyện ủy",
     "Quản lý văn bản đến đi, giao xử lý văn bản và theo dõi tiến độ điều hành của huyện ủy"),
    ("G01", "Đảng ủy Khối doanh nghiệp", "Xay dung he thong quan ly van ban dieu hanh",
     "Xu ly van ban den, van ban di tren moi truong mang thay cho giay to"),
    # G02 records / archive (hard negative for G01)
    ("G02", "Văn phòng Tỉnh ủy", "Hệ thống lưu trữ hồ sơ điện tử",
     "Lập hồ sơ, nộp lưu và bảo quản hồ sơ tài liệu lưu trữ điện tử theo thời hạn bảo quản"),
    ("G02", "Sở Nội vụ", "Kho lưu trữ tài liệu điện tử",
     "Số hóa và lưu trữ tài liệu, quản lý thời hạn bảo quản, khai thác tài liệu lưu trữ lịch sử"),
    ("G02", "Huyện ủy Sóc Sơn", "Phần mềm lưu trữ hồ sơ, tài liệu",
     "Nộp lưu hồ sơ vào lưu trữ cơ quan, tra cứu và cho mượn hồ sơ lưu trữ"),
    # G03 party member database
    ("G03", "Ban Tổ chức Tỉnh ủy", "Cơ sở dữ liệu đảng viên",
     "Quản lý hồ sơ đảng viên, chuyển sinh hoạt đảng, thống kê đội ngũ đảng viên toàn tỉnh"),
    ("G03", "Huyện ủy Gia Lâm", "Phần mềm quản lý hồ sơ đảng viên",
     "Cập nhật lý lịch đảng viên, theo dõi chuyển sinh hoạt và báo cáo số lượng đảng viên"),
    ("G03", "Đảng ủy Khối cơ quan", "Xây dựng CSDL đảng viên của đảng bộ khối",
     "Số hóa hồ sơ đảng viên và quản lý biến động đảng viên"),
    # G04 cadre/staff database (hard negative for G03)
    ("G04", "Sở Nội vụ", "Cơ sở dữ liệu cán bộ, công chức, viên chức",
     "Quản lý hồ sơ cán bộ công chức viên chức, quá trình công tác, lương và đào tạo bồi dưỡng"),
    ("G04", "UBND huyện Thanh Trì", "Phần mềm quản lý cán bộ công chức",
     "Theo dõi biên chế, nâng lương, quy hoạch và đào tạo cán bộ công chức cấp huyện"),
    ("G04", "Sở Y tế", "Hệ thống quản lý nhân sự viên chức ngành y tế",
     "Quản lý hồ sơ nhân sự, hợp đồng và quá trình công tác của viên chức các bệnh viện"),
    # G05 video conferencing
    ("G05", "Văn phòng Tỉnh ủy", "Hệ thống hội nghị truyền hình trực tuyến",
     "Tổ chức hội nghị trực tuyến từ tỉnh đến các huyện ủy và đảng ủy xã"),
    ("G05", "Huyện ủy Mê Linh", "Trang bị điểm cầu hội nghị truyền hình",
     "Kết nối họp trực tuyến với Tỉnh ủy và các xã trong huyện"),
    ("G05", "Sở Thông tin và Truyền thông", "He thong hop truc tuyen (video conference)",
     "Hop truyen hinh truc tuyen cho cac so nganh va UBND cap huyen"),
    # G06 IP camera / surveillance (hard negative for G05: video, different thing)
    ("G06", "Công an tỉnh", "Hệ thống camera giám sát an ninh trật tự",
     "Lắp đặt camera giám sát giao thông và an ninh tại các nút giao trọng điểm"),
    ("G06", "UBND thành phố", "Camera giám sát đô thị thông minh",
     "Giám sát trật tự đô thị, vi phạm giao thông bằng camera và phân tích hình ảnh"),
    ("G06", "UBND huyện Đan Phượng", "Lắp đặt camera an ninh tại khu dân cư",
     "Camera giám sát an ninh trật tự tại thôn xóm, kết nối về công an huyện"),
    # G07 digital signature
    ("G07", "Văn phòng Tỉnh ủy", "Triển khai chữ ký số cho văn bản điện tử",
     "Cấp chứng thư số và ký số văn bản điện tử của các cơ quan đảng"),
    ("G07", "Sở Tài chính", "Ứng dụng ký số trên văn bản đi",
     "Ký số văn bản phát hành, xác thực chữ ký số khi nhận văn bản"),
    ("G07", "Huyện ủy Ba Vì", "Trien khai CKS cho lanh dao va van thu",
     "Cap thiet bi ky so va ky so van ban di cua huyen uy"),
    # G08 email
    ("G08", "Văn phòng Tỉnh ủy", "Hệ thống thư điện tử công vụ",
     "Cung cấp hộp thư điện tử cho cán bộ, công chức các cơ quan đảng"),
    ("G08", "Sở Thông tin và Truyền thông", "Nâng cấp hệ thống email công vụ của tỉnh",
     "Mở rộng dung lượng hộp thư, chống thư rác cho thư công vụ"),
    ("G08", "Huyện ủy Thạch Thất", "Xây dựng máy chủ thư điện tử riêng của huyện ủy",
     "Hộp thư điện tử nội bộ cho cán bộ huyện ủy"),
    # G09 public service portal
    ("G09", "Văn phòng UBND tỉnh", "Cổng dịch vụ công và hệ thống một cửa điện tử",
     "Tiếp nhận và giải quyết thủ tục hành chính trực tuyến, một cửa liên thông"),
    ("G09", "UBND huyện Hoài Đức", "Phần mềm một cửa điện tử cấp huyện",
     "Giải quyết TTHC tại bộ phận một cửa, tiếp nhận hồ sơ trực tuyến của người dân"),
    ("G09", "Sở Kế hoạch và Đầu tư", "Cổng DVC trực tuyến của sở",
     "Cung cấp dịch vụ công trực tuyến mức độ toàn trình về đăng ký đầu tư"),
    # G10 data centre
    ("G10", "Sở Thông tin và Truyền thông", "Trung tâm dữ liệu tỉnh",
     "Đầu tư trung tâm dữ liệu dùng chung, máy chủ, lưu trữ và an toàn thông tin"),
    ("G10", "Văn phòng Tỉnh ủy", "Nâng cấp phòng máy chủ và hạ tầng TTDL",
     "Mua sắm máy chủ, thiết bị lưu trữ, điều hòa cho trung tâm dữ liệu của Tỉnh ủy"),
    ("G10", "Sở Y tế", "Xây dựng trung tâm dữ liệu ngành y tế",
     "Hạ tầng máy chủ và lưu trữ tập trung cho các hệ thống của ngành"),
    # G11 e-learning / training of members
    ("G11", "Ban Tuyên giáo Tỉnh ủy", "Hệ thống học tập nghị quyết trực tuyến",
     "Đảng viên học tập, quán triệt nghị quyết và làm bài thu hoạch trực tuyến"),
    ("G11", "Trường Chính trị tỉnh", "Nền tảng đào tạo trực tuyến (e-learning)",
     "Bồi dưỡng lý luận chính trị trực tuyến cho cán bộ, đảng viên"),
    ("G11", "Huyện ủy Quốc Oai", "Phan mem hoc tap nghi quyet cho dang vien",
     "To chuc hoc tap, thi tim hieu nghi quyet truc tuyen"),
    # G12 identity / single sign-on
    ("G12", "Sở Thông tin và Truyền thông", "Hệ thống xác thực tập trung (SSO)",
     "Đăng nhập một lần cho các hệ thống thông tin dùng chung của tỉnh"),
    ("G12", "Văn phòng Tỉnh ủy", "Quản lý định danh và đăng nhập một lần",
     "Tài khoản định danh thống nhất cho cán bộ dùng các phần mềm của cơ quan đảng"),
    ("G12", "Sở Tài chính", "Xây dựng hệ thống đăng nhập tập trung của sở",
     "Xác thực người dùng một lần cho các phần mềm nghiệp vụ tài chính"),
    # G13 inspection complaints
    ("G13", "Ủy ban Kiểm tra Tỉnh ủy", "Phần mềm quản lý đơn thư khiếu nại, tố cáo",
     "Tiếp nhận, phân loại và theo dõi giải quyết đơn thư khiếu nại tố cáo đối với đảng viên"),
    ("G13", "Thanh tra tỉnh", "Hệ thống quản lý khiếu nại tố cáo",
     "Quản lý đơn thư, tiếp công dân và theo dõi kết quả giải quyết khiếu nại"),
    ("G13", "UBKT Huyện ủy Chương Mỹ", "Theo doi giai quyet don thu",
     "Cap nhat don thu khieu nai to cao va ket qua xu ly cua uy ban kiem tra"),
    # --- held out ---
    # G14 land database
    ("G14", "Sở Tài nguyên và Môi trường", "Cơ sở dữ liệu đất đai",
     "Xây dựng CSDL địa chính, bản đồ và hồ sơ đăng ký đất đai toàn tỉnh"),
    ("G14", "UBND huyện Sóc Sơn", "Số hóa hồ sơ địa chính huyện",
     "Chuyển hồ sơ địa chính giấy thành cơ sở dữ liệu đất đai của huyện"),
    ("G14", "Văn phòng đăng ký đất đai", "Xay dung CSDL dia chinh",
     "Du lieu thua dat, chu su dung va ban do dia chinh so"),
    # G15 construction permit (hard negative for G14)
    ("G15", "Sở Xây dựng", "Phần mềm cấp phép xây dựng",
     "Tiếp nhận và cấp giấy phép xây dựng trực tuyến, theo dõi trật tự xây dựng"),
    ("G15", "UBND huyện Gia Lâm", "Quản lý cấp phép xây dựng nhà ở",
     "Cấp giấy phép xây dựng nhà ở riêng lẻ và kiểm tra sau cấp phép"),
    ("G15", "UBND thị xã Sơn Tây", "He thong cap giay phep xay dung",
     "Xu ly ho so xin phep xay dung va luu tru giay phep da cap"),
    # G16 mass organisation member management (union, youth)
    ("G16", "Tỉnh đoàn", "Phần mềm quản lý đoàn viên",
     "Quản lý thông tin đoàn viên, chuyển sinh hoạt đoàn và thu đoàn phí"),
    ("G16", "Huyện đoàn Thường Tín", "Quan ly doan vien truc tuyen",
     "Cap nhat ho so doan vien va bao cao so luong doan vien cua huyen doan"),
    ("G16", "Đoàn Khối cơ quan", "Sổ đoàn viên điện tử",
     "Số hóa sổ đoàn viên, theo dõi sinh hoạt đoàn"),
    # G17 hospital information system
    ("G17", "Sở Y tế", "Hệ thống thông tin bệnh viện (HIS)",
     "Quản lý khám chữa bệnh, viện phí, dược và bảo hiểm y tế tại bệnh viện"),
    ("G17", "Bệnh viện đa khoa huyện", "Phần mềm quản lý bệnh viện",
     "Quản lý tiếp đón, khám bệnh, viện phí và kho dược của bệnh viện"),
    ("G17", "Trung tâm Y tế huyện", "Phan mem quan ly kham chua benh",
     "Kham chua benh, thanh toan bao hiem y te va quan ly thuoc"),
    # G18 electronic health record (hard negative for G17)
    ("G18", "Sở Y tế", "Hồ sơ sức khỏe điện tử người dân",
     "Lập và quản lý hồ sơ sức khỏe điện tử suốt đời cho người dân trong tỉnh"),
    ("G18", "Trung tâm Y tế huyện Ứng Hòa", "Quan ly ho so suc khoe ca nhan",
     "Theo doi suc khoe, tiem chung cua nguoi dan tai tram y te xa"),
    ("G18", "UBND xã Vân Hòa", "Số hóa sổ khám sức khỏe người dân trong xã",
     "Hồ sơ sức khỏe và lịch sử tiêm chủng của người dân"),
    # G19 school management
    ("G19", "Sở Giáo dục và Đào tạo", "Hệ thống quản lý trường học",
     "Quản lý học sinh, sổ điểm điện tử, học bạ số của các trường phổ thông"),
    ("G19", "Phòng GD-ĐT huyện", "Phần mềm sổ điểm và học bạ điện tử",
     "Giáo viên nhập điểm, phụ huynh tra cứu kết quả học tập của học sinh"),
    ("G19", "Trường THPT Nguyễn Trãi", "So diem dien tu va quan ly hoc sinh",
     "Quan ly diem, hoc ba va lien lac voi phu huynh"),
    # G20 smart operations centre
    ("G20", "UBND tỉnh", "Trung tâm giám sát, điều hành thông minh (IOC)",
     "Giám sát, điều hành kinh tế xã hội trên nền dữ liệu tập trung của tỉnh"),
    ("G20", "UBND thành phố", "Xây dựng IOC thành phố",
     "Trung tâm điều hành đô thị thông minh, tổng hợp dữ liệu và cảnh báo"),
    ("G20", "UBND huyện Phúc Thọ", "Trung tam dieu hanh thong minh cap huyen",
     "Tong hop chi so kinh te xa hoi va giam sat dieu hanh cua huyen"),
]

TUNING_GROUPS = {f"G{i:02d}" for i in range(1, 14)}
HELD_OUT_GROUPS = {f"G{i:02d}" for i in range(14, 21)}


def pairs(groups):
    """(i, j, is_duplicate) over the projects of ``groups``: every within-group pair, and every cross-group pair
    of neighbouring groups (the hard negatives) plus each project against the first of groups five apart."""
    idx = [i for i, p in enumerate(PROJECTS) if p[0] in groups]
    out = []
    for a in idx:
        for b in idx:
            if a >= b:
                continue
            ga, gb = int(PROJECTS[a][0][1:]), int(PROJECTS[b][0][1:])
            if ga == gb:
                out.append((a, b, True))
            elif abs(ga - gb) == 1 or (abs(ga - gb) == 5 and b == min(k for k in idx if PROJECTS[k][0] ==
                                                                          PROJECTS[b][0])):
                out.append((a, b, False))
    return out
