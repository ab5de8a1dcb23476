"""The project's own edXML packages, built by our builder (the public samples have no licence: never copied)."""

from datetime import date, datetime

from dieuhanh.exchange.edxml import (
    Attachment,
    Business,
    Organ,
    OtherInfo,
    Package,
    Receiver,
    ResponseFor,
    Signer,
    Staff,
    Status,
    TraceHeader,
)

PDF = b"%PDF-1.7\n" + "Nội dung thử nghiệm".encode() * 50 + b"\n%%EOF\n"


def organ(organ_id: str = "000.00.01.H27", name: str = "UBND tỉnh Bắc Ninh") -> Organ:
    return Organ(organ_id=organ_id, name=name, organization_in_charge=name, address="Số 10 Phù Đổng Thiên Vương",
                 email="vanthu@bacninh.gov.vn", telephone="0222 3822 000")


def package(**changes: object) -> Package:
    values: dict[str, object] = dict(
        sender=organ(),
        to=(organ("000.00.02.H27", "Sở Tài chính tỉnh Bắc Ninh"), organ("000.00.03.H27", "Sở Nội vụ")),
        code_number="125",
        code_notation="UBND-VP",
        document_id="000.00.01.H27,2026/03/05,125/UBND-VP",
        place="Bắc Ninh",
        promulgation_date=date(2026, 3, 5),
        type_code="1",
        type_name="Công văn",
        subject="V/v triển khai liên thông văn bản điện tử năm 2026",
        content="Đề nghị các sở, ngành phối hợp thực hiện.",
        signer=Signer(competence="KT. CHỦ TỊCH", position="Phó Chủ tịch", full_name="Nguyễn Văn Đức"),
        due_date=date(2026, 3, 20),
        to_places=("Như trên", "Lưu: VT"),
        other=OtherInfo(priority=2, sphere="Liên thông văn bản quốc gia", typer_notation="NVĐ",
                        promulgation_amount=3, page_amount=2, direction="false", appendixes=("Phụ lục I",)),
        steering_type=1,
        trace_headers=(TraceHeader("000.00.01.H27", datetime(2026, 3, 5, 9, 30, 0)),),
        business=Business(doc_type=0, reason="Văn bản điện tử mới", document_id="000.00.01.H27,2026/03/05,125/UBND-VP",
                          paper="0", staff=Staff(department="Văn thư", staff="Trần Thị Lan")),
        attachments=(Attachment(name="125-UBND-VP.pdf", content_type="application/pdf", data=PDF,
                                description="Văn bản chính", content_id="cid:1"),),
    )
    values.update(changes)
    return Package(**values)  # type: ignore[arg-type]


def update_package() -> Package:
    return package(business=Business(
        doc_type=2, reason="Cập nhật nơi nhận", document_id="000.00.01.H27,2026/03/05,125/UBND-VP", paper="0",
        document_info="1", document_receiver="1",
        receivers=(Receiver("000.00.03.H27", 0), Receiver("000.00.04.H27", 1))))


def status(code: str = "04", **changes: object) -> Status:
    values: dict[str, object] = dict(
        sender=organ("000.00.02.H27", "Sở Tài chính tỉnh Bắc Ninh"),
        response_for=ResponseFor(organ_id="000.00.01.H27", code="125/UBND-VP", promulgation_date=date(2026, 3, 5),
                                 document_id="000.00.01.H27,2026/03/05,125/UBND-VP"),
        status_code=code,
        timestamp=datetime(2026, 3, 6, 8, 15, 0),
        description="Lãnh đạo: Phân công xử lý",
        staff=Staff(department="Văn phòng", staff="Lê Văn Minh", email="minh@stc.bacninh.gov.vn"),
    )
    values.update(changes)
    return Status(**values)  # type: ignore[arg-type]
