"""Name data of the demo province: people, places, agencies and their divisions.

Everything here is fictional or generic. Family names follow their approximate share
of the Vietnamese population (Nguyễn about 38 %, Trần 11 %, Lê 9.5 %, …); the
agencies are the set of a province after the 2025 reorganisation (Nghị định
45/2025/NĐ-CP), plus the departments that were merged away on 1 March 2025.
All text is NFC, with the modern tone-mark placement (Hòa, Thủy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# (family name, weight in ‰). Hoàng/Huỳnh and Vũ/Võ are the northern/southern forms of one name.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 380),
    ("Trần", 110),
    ("Lê", 95),
    ("Phạm", 71),
    ("Hoàng", 31),
    ("Huỳnh", 20),
    ("Phan", 45),
    ("Vũ", 22),
    ("Võ", 17),
    ("Đặng", 21),
    ("Bùi", 20),
    ("Đỗ", 14),
    ("Hồ", 13),
    ("Ngô", 13),
    ("Dương", 10),
    ("Lý", 5),
    ("Đinh", 9),
    ("Trương", 9),
    ("Đào", 8),
    ("Đoàn", 8),
    ("Lương", 7),
    ("Trịnh", 7),
    ("Mai", 6),
    ("Hà", 6),
    ("Cao", 5),
    ("Lâm", 5),
    ("Tạ", 4),
    ("Lưu", 4),
    ("Tô", 3),
    ("Châu", 3),
    ("Quách", 2),
    ("Kiều", 2),
)

# Middle names (tên đệm), weighted: "Văn" and "Thị" dominate the generations now in office.
MALE_MIDDLE_NAMES: tuple[tuple[str, int], ...] = (
    ("Văn", 40),
    ("Hữu", 7),
    ("Đức", 8),
    ("Minh", 8),
    ("Quang", 6),
    ("Công", 5),
    ("Xuân", 4),
    ("Thanh", 5),
    ("Đình", 5),
    ("Trọng", 3),
    ("Mạnh", 2),
    ("Quốc", 4),
    ("Tiến", 2),
    ("Duy", 2),
    ("Ngọc", 3),
    ("Hoàng", 3),
    ("Anh", 2),
    ("Thế", 2),
)
FEMALE_MIDDLE_NAMES: tuple[tuple[str, int], ...] = (
    ("Thị", 45),
    ("Ngọc", 8),
    ("Thu", 6),
    ("Thanh", 5),
    ("Minh", 4),
    ("Thúy", 3),
    ("Hồng", 4),
    ("Kim", 4),
    ("Phương", 3),
    ("Bích", 2),
    ("Diệu", 2),
    ("Khánh", 2),
    ("Hoài", 2),
    ("Thùy", 3),
    ("Mỹ", 2),
    ("Hải", 2),
    ("Quỳnh", 2),
)
# A second middle name after "Thị" (Nguyễn Thị Thu Hà).
FEMALE_SECOND_MIDDLE_NAMES: tuple[str, ...] = ("Thu", "Ngọc", "Thanh", "Kim", "Hồng", "Minh", "Mỹ", "Thúy", "Bích")

MALE_GIVEN_NAMES: tuple[str, ...] = (
    "An", "Anh", "Bảo", "Bình", "Cường", "Chiến", "Công", "Dũng", "Duy", "Dương", "Đạt", "Định", "Đông", "Đức",
    "Giang", "Hải", "Hào", "Hiếu", "Hiệp", "Hòa", "Hoàng", "Hùng", "Huy", "Hưng", "Khang", "Khánh", "Khoa", "Kiên",
    "Lâm", "Lộc", "Long", "Luân", "Mạnh", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Phương", "Quân",
    "Quang", "Quý", "Sơn", "Tài", "Tâm", "Thắng", "Thành", "Thiện", "Thịnh", "Toàn", "Trung", "Tuấn", "Tùng",
    "Việt", "Vinh", "Vũ", "Hậu", "Thái", "Tiến", "Trường", "Tú", "Kiệt", "Lực", "Nguyên", "Phát",
)  # fmt: skip
FEMALE_GIVEN_NAMES: tuple[str, ...] = (
    "An", "Anh", "Bích", "Chi", "Dung", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Hồng", "Huệ",
    "Hương", "Hường", "Lan", "Liên", "Linh", "Loan", "Mai", "Minh", "My", "Nga", "Ngân", "Ngọc", "Nhung", "Oanh",
    "Phương", "Quyên", "Quỳnh", "Tâm", "Thảo", "Thanh", "Thủy", "Thư", "Trang", "Trinh", "Tú", "Tuyết", "Uyên",
    "Vân", "Yến", "Hòa", "Lệ", "Nhàn", "Nhi", "Phượng", "Thắm", "Thơ", "Xuân", "Diệp",
)  # fmt: skip

# Syllables of Sino-Vietnamese place names (Tân Phong, Phú Hòa, Vĩnh Lộc…).
PLACE_SYLLABLES: tuple[str, ...] = (
    "An", "Bình", "Phú", "Tân", "Hòa", "Thạnh", "Long", "Mỹ", "Phước", "Thuận", "Đông", "Tây", "Nam", "Bắc",
    "Hưng", "Thịnh", "Lộc", "Phong", "Quang", "Trung", "Xuân", "Vĩnh", "Hiệp", "Hải", "Sơn", "Thủy", "Lâm",
    "Đức", "Nghĩa", "Thái", "Minh", "Khánh", "Thọ", "Yên", "Lạc", "Hà", "Cẩm", "Kim", "Ngọc", "Hồng", "Định",
    "Thành", "Lợi", "Hội", "Điền", "Châu", "Giang", "Tiến", "Quý", "Lập", "Hậu", "Cát", "Trường", "Thắng",
    "Phúc", "Bảo", "Gia", "Tường", "Hạnh", "Dương", "Hiếu", "Nhơn", "Linh", "Vân", "Tịnh", "Khương",
)  # fmt: skip


@dataclass(frozen=True)
class AgencyData:
    """A provincial agency (or public service unit) and its divisions, as founded.

    ``head`` and ``deputy`` are title codes; ``deputies`` the usual number of deputies.
    """

    short: str
    name: str
    kind: str
    head: str
    deputy: str
    divisions: tuple[str, ...]
    founded: date
    deputies: tuple[int, int] = (2, 3)


NN2008 = date(2008, 4, 1)  # the 2008 reorganisation of provincial departments (Nghị định 13/2008/NĐ-CP)
_SO = ("giam_doc_so", "pho_giam_doc_so")

# The agencies of the province on 1 January 2026, in their official order.
AGENCIES: tuple[AgencyData, ...] = (
    AgencyData(
        "VPUBND",
        "Văn phòng Ủy ban nhân dân tỉnh",
        "agency",
        "chanh_van_phong_ubnd_tinh",
        "pho_chanh_van_phong_ubnd_tinh",
        (
            "Phòng Tổng hợp",
            "Phòng Kinh tế",
            "Phòng Khoa giáo - Văn xã",
            "Phòng Nội chính",
            "Phòng Hành chính - Tổ chức",
            "Phòng Quản trị - Tài vụ",
        ),
        NN2008,
    ),
    AgencyData(
        "SNV",
        "Sở Nội vụ",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Tổ chức, biên chế và tổ chức phi chính phủ",
            "Phòng Công chức, viên chức",
            "Phòng Xây dựng chính quyền và công tác thanh niên",
            "Phòng Cải cách hành chính - Văn thư lưu trữ",
        ),
        NN2008,
    ),
    AgencyData(
        "STC",
        "Sở Tài chính",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Ngân sách",
            "Phòng Tài chính đầu tư",
            "Phòng Quản lý giá và công sản",
            "Phòng Tài chính doanh nghiệp",
        ),
        NN2008,
    ),
    AgencyData(
        "STP",
        "Sở Tư pháp",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Xây dựng, kiểm tra và theo dõi thi hành pháp luật",
            "Phòng Phổ biến, giáo dục pháp luật",
            "Phòng Hành chính tư pháp",
            "Phòng Bổ trợ tư pháp",
        ),
        NN2008,
        (1, 2),
    ),
    AgencyData(
        "SXD",
        "Sở Xây dựng",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Quy hoạch - Kiến trúc",
            "Phòng Quản lý nhà và thị trường bất động sản",
            "Phòng Kinh tế và Vật liệu xây dựng",
            "Phòng Quản lý chất lượng công trình",
        ),
        NN2008,
    ),
    AgencyData(
        "SCT",
        "Sở Công Thương",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Quản lý công nghiệp",
            "Phòng Quản lý thương mại",
            "Phòng Quản lý năng lượng",
            "Phòng Kỹ thuật an toàn - Môi trường",
        ),
        NN2008,
    ),
    AgencyData(
        "SNNMT",
        "Sở Nông nghiệp và Môi trường",
        "agency",
        *_SO,
        ("Văn phòng", "Thanh tra", "Phòng Kế hoạch - Tài chính", "Phòng Tổ chức cán bộ"),
        date(2025, 3, 1),
        (0, 0),
    ),
    AgencyData(
        "SKHCN",
        "Sở Khoa học và Công nghệ",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Quản lý khoa học",
            "Phòng Quản lý công nghệ và đổi mới sáng tạo",
            "Chi cục Tiêu chuẩn Đo lường Chất lượng",
        ),
        NN2008,
        (1, 2),
    ),
    AgencyData(
        "SGDDT",
        "Sở Giáo dục và Đào tạo",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Tổ chức cán bộ",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Giáo dục Mầm non",
            "Phòng Giáo dục phổ thông",
            "Phòng Giáo dục chuyên nghiệp và Giáo dục thường xuyên",
            "Phòng Quản lý chất lượng",
        ),
        NN2008,
    ),
    AgencyData(
        "SYT",
        "Sở Y tế",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Tổ chức cán bộ",
            "Phòng Kế hoạch - Tài chính",
            "Phòng Nghiệp vụ Y",
            "Phòng Nghiệp vụ Dược",
            "Chi cục Dân số",
        ),
        NN2008,
    ),
    AgencyData(
        "SVHTTDL",
        "Sở Văn hóa, Thể thao và Du lịch",
        "agency",
        *_SO,
        (
            "Văn phòng",
            "Thanh tra",
            "Phòng Quản lý văn hóa và gia đình",
            "Phòng Quản lý thể dục thể thao",
            "Phòng Quản lý du lịch",
            "Phòng Kế hoạch - Tài chính",
        ),
        date(2008, 6, 1),
    ),
    AgencyData(
        "BDT",
        "Ban Dân tộc",
        "agency",
        *_SO,
        ("Văn phòng", "Thanh tra", "Phòng Chính sách dân tộc", "Phòng Kế hoạch - Tổng hợp"),
        NN2008,
        (1, 2),
    ),
    AgencyData(
        "SNGV",
        "Sở Ngoại vụ",
        "agency",
        *_SO,
        ("Văn phòng", "Thanh tra", "Phòng Hợp tác quốc tế", "Phòng Lãnh sự và Người Việt Nam ở nước ngoài"),
        NN2008,
        (1, 2),
    ),
    AgencyData(
        "TTT",
        "Thanh tra tỉnh",
        "agency",
        "chanh_thanh_tra_tinh",
        "pho_chanh_thanh_tra_tinh",
        (
            "Văn phòng",
            "Phòng Nghiệp vụ 1",
            "Phòng Nghiệp vụ 2",
            "Phòng Nghiệp vụ 3",
            "Phòng Tiếp công dân, xử lý đơn và giải quyết khiếu nại, tố cáo",
            "Phòng Phòng, chống tham nhũng",
        ),
        NN2008,
    ),
    AgencyData(
        "BQLKCN",
        "Ban Quản lý các khu công nghiệp",
        "agency",
        "truong_ban_qlkcn",
        "pho_truong_ban_qlkcn",
        (
            "Văn phòng",
            "Phòng Quản lý đầu tư",
            "Phòng Quản lý doanh nghiệp và lao động",
            "Phòng Quy hoạch - Xây dựng và Môi trường",
        ),
        date(2006, 9, 1),
        (1, 2),
    ),
    AgencyData(
        "VPDBQH",
        "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh",
        "agency",
        "chanh_van_phong_doan_dbqh_hdnd",
        "pho_chanh_van_phong_doan_dbqh_hdnd",
        ("Phòng Công tác Quốc hội", "Phòng Công tác Hội đồng nhân dân", "Phòng Hành chính, Tổ chức và Quản trị"),
        date(2021, 3, 1),
        (1, 2),
    ),
    AgencyData(
        "TTPVHCC",
        "Trung tâm Phục vụ hành chính công tỉnh",
        "service",
        "giam_doc_su_nghiep",
        "pho_giam_doc_su_nghiep",
        ("Phòng Hành chính - Tổng hợp", "Phòng Tiếp nhận và Trả kết quả", "Phòng Giám sát và Công nghệ"),
        date(2025, 7, 1),
        (1, 2),
    ),
    AgencyData(
        "BQLDADD",
        "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp",
        "service",
        "giam_doc_su_nghiep",
        "pho_giam_doc_su_nghiep",
        ("Phòng Hành chính - Tổng hợp", "Phòng Kế hoạch - Tài chính", "Phòng Quản lý dự án"),
        date(2017, 1, 1),
        (1, 2),
    ),
    AgencyData(
        "BQLDAGT",
        "Ban Quản lý dự án đầu tư xây dựng các công trình giao thông và nông nghiệp",
        "service",
        "giam_doc_su_nghiep",
        "pho_giam_doc_su_nghiep",
        ("Phòng Hành chính - Tổng hợp", "Phòng Kế hoạch - Tài chính", "Phòng Kỹ thuật"),
        date(2017, 1, 1),
        (1, 2),
    ),
    AgencyData(
        "TTXTDT",
        "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch",
        "service",
        "giam_doc_su_nghiep",
        "pho_giam_doc_su_nghiep",
        ("Phòng Hành chính - Tổng hợp", "Phòng Xúc tiến đầu tư", "Phòng Xúc tiến thương mại và du lịch"),
        date(2016, 7, 1),
        (1, 1),
    ),
)

# Departments merged away on 1 March 2025, with the agency that absorbed each.
MERGED_AGENCIES: tuple[tuple[AgencyData, str], ...] = (
    (
        AgencyData(
            "SKHDT",
            "Sở Kế hoạch và Đầu tư",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Tổng hợp, quy hoạch",
                "Phòng Đăng ký kinh doanh",
                "Phòng Kinh tế ngành",
                "Phòng Đấu thầu, thẩm định và giám sát đầu tư",
            ),
            NN2008,
        ),
        "STC",
    ),
    (
        AgencyData(
            "SLDTBXH",
            "Sở Lao động - Thương binh và Xã hội",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Lao động - Việc làm - Giáo dục nghề nghiệp",
                "Phòng Người có công",
                "Phòng Bảo trợ xã hội",
                "Phòng Kế hoạch - Tài chính",
            ),
            NN2008,
        ),
        "SNV",
    ),
    (
        AgencyData(
            "STTTT",
            "Sở Thông tin và Truyền thông",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Bưu chính, Viễn thông",
                "Phòng Công nghệ thông tin và Chuyển đổi số",
                "Phòng Thông tin - Báo chí - Xuất bản",
            ),
            date(2008, 7, 1),
            (1, 2),
        ),
        "SKHCN",
    ),
    (
        AgencyData(
            "SGTVT",
            "Sở Giao thông vận tải",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Quản lý kết cấu hạ tầng giao thông",
                "Phòng Quản lý vận tải, phương tiện và người lái",
                "Phòng Kế hoạch - Tài chính",
            ),
            NN2008,
        ),
        "SXD",
    ),
    (
        AgencyData(
            "SNNPTNT",
            "Sở Nông nghiệp và Phát triển nông thôn",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Kế hoạch - Tài chính",
                "Phòng Tổ chức cán bộ",
                "Chi cục Thủy lợi",
                "Chi cục Trồng trọt và Bảo vệ thực vật",
                "Chi cục Kiểm lâm",
                "Chi cục Chăn nuôi và Thú y",
            ),
            NN2008,
        ),
        "SNNMT",
    ),
    (
        AgencyData(
            "STNMT",
            "Sở Tài nguyên và Môi trường",
            "agency",
            *_SO,
            (
                "Văn phòng",
                "Thanh tra",
                "Phòng Kế hoạch - Tài chính",
                "Phòng Quản lý đất đai",
                "Phòng Tài nguyên nước, Khoáng sản và Khí tượng thủy văn",
                "Chi cục Bảo vệ môi trường",
            ),
            NN2008,
        ),
        "SNNMT",
    ),
)

# The 2025 renaming of the ethnic-affairs committee, which took over religious affairs.
RENAMED_AGENCY = ("BDT", "Sở Dân tộc và Tôn giáo", "SDTTG")
NEW_DIVISIONS_2025 = (("BDT", "Phòng Quản lý tôn giáo"),)  # under the renamed agency
# Social protection moved from the labour department to health before the labour department merged.
MOVED_DIVISION = ("SLDTBXH", "Phòng Bảo trợ xã hội", "SYT")

# Divisions of a commune-level People's Committee from 1 July 2025 (wards add urban management).
COMMUNE_DIVISIONS: tuple[str, ...] = ("Văn phòng HĐND và UBND", "Phòng Kinh tế", "Phòng Văn hóa - Xã hội")
WARD_EXTRA_DIVISIONS: tuple[str, ...] = ("Phòng Quản lý đô thị",)

# Titles of the seeded catalogue (org/data/titles.json) that only some provinces have;
# the demo checks that they are there.
EXTRA_TITLES: tuple[str, ...] = (
    "chanh_van_phong_ubnd_tinh",
    "pho_chanh_van_phong_ubnd_tinh",
    "chanh_thanh_tra_tinh",
    "pho_chanh_thanh_tra_tinh",
    "pho_chanh_thanh_tra",
    "truong_ban_qlkcn",
    "pho_truong_ban_qlkcn",
    "chanh_van_phong_doan_dbqh_hdnd",
    "pho_chanh_van_phong_doan_dbqh_hdnd",
    "giam_doc_su_nghiep",
    "pho_giam_doc_su_nghiep",
)
