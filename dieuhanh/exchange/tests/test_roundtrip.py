"""What we build, we read back unchanged: parse(build(x)) == x for generated Vietnamese packages (hypothesis)."""

import mimetypes
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dieuhanh.exchange.edxml import (
    STATUS_CODES,
    Attachment,
    Business,
    Organ,
    OtherInfo,
    Package,
    Receiver,
    Replacement,
    ResponseFor,
    Signer,
    Staff,
    Status,
    TraceHeader,
    build_package,
    build_status,
    parse_package,
    parse_status,
)

VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ"
ALPHABET = VIETNAMESE + VIETNAMESE.upper() + "0123456789 /-.,;:()&<>\"'%–"
# text as a sender writes it: surrounding blanks are not content (the reader strips them)
text = st.text(ALPHABET, max_size=60).map(str.strip)
# a required field starts with a letter or digit, so it is never blank after stripping (no filter to retry)
required = st.builds(lambda head, rest: (head + rest).rstrip(), st.sampled_from(VIETNAMESE + "0123456789"),
                     st.text(ALPHABET, max_size=59))
long_text = st.text(ALPHABET + "\n\r\t", max_size=300).map(str.strip)  # Content keeps inner line breaks
organ_id = st.from_regex(r"\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}", fullmatch=True)
dates = st.dates(min_value=datetime(1990, 1, 1).date(), max_value=datetime(2100, 12, 31).date())
times = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda moment: moment.replace(microsecond=0))
small = st.none() | st.integers(min_value=0, max_value=10_000)

organs = st.builds(Organ, organ_id=organ_id, name=text, organization_in_charge=text, address=text,
                   email=text, telephone=text, fax=text, website=text)
staff = st.none() | st.builds(Staff, department=text, staff=text, email=text, mobile=text)
response_for = st.builds(ResponseFor, organ_id=organ_id, code=text, promulgation_date=st.none() | dates,
                         document_id=text)
business = st.none() | st.builds(
    Business, doc_type=st.integers(0, 3), reason=text, document_id=text, paper=st.sampled_from(["", "0", "1"]),
    staff=staff, document_info=st.sampled_from(["", "0", "1"]), document_receiver=st.sampled_from(["", "0", "1"]),
    receivers=st.lists(st.builds(Receiver, organ_id=organ_id, receiver_type=st.integers(0, 1)), max_size=3)
    .map(tuple),
    replacements=st.lists(st.builds(Replacement, document_id=required,
                                    organ_ids=st.lists(organ_id, max_size=3).map(tuple)), max_size=2).map(tuple))


@st.composite
def attachments(draw: st.DrawFn) -> tuple[Attachment, ...]:
    count = draw(st.integers(0, 3))
    files = []
    for number in range(1, count + 1):
        name = draw(required) + draw(st.sampled_from([".pdf", ".docx", ".doc", ".xlsx", ".zip", ".txt", ""]))
        files.append(Attachment(
            name=name, content_type=mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream",
            data=draw(st.binary(min_size=1, max_size=2000)), description=draw(text), content_id=f"cid:{number}"))
    return tuple(files)


packages = st.builds(
    Package,
    sender=organs, to=st.lists(organs, min_size=1, max_size=4).map(tuple),
    code_number=required, code_notation=text, document_id=required, place=text, promulgation_date=dates,
    type_code=st.sampled_from(["", "1", "2", "3"]), type_name=required, subject=required,
    type_detail=st.sampled_from(["", "0", "1"]), content=long_text,
    signer=st.builds(Signer, competence=text, position=text, full_name=text),
    due_date=st.none() | dates, to_places=st.lists(required, max_size=3).map(tuple),
    other=st.builds(OtherInfo, priority=st.none() | st.integers(0, 4), sphere=text, typer_notation=text,
                    promulgation_amount=small, page_amount=small, direction=st.sampled_from(["", "true", "false"]),
                    appendixes=st.lists(required, max_size=3).map(tuple)),
    steering_type=st.none() | st.integers(0, 9),
    response_for=st.lists(response_for, max_size=2).map(tuple),
    trace_headers=st.lists(st.builds(TraceHeader, organ_id=organ_id, timestamp=st.none() | times), max_size=3)
    .map(tuple),
    business=business, attachments=attachments(),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(packages, st.booleans())
def test_package_round_trip(package: Package, zipped: bool) -> None:
    assert parse_package(build_package(package, zipped=zipped)) == package


@settings(max_examples=100, deadline=None)
@given(st.builds(Status, sender=organs, response_for=response_for, status_code=st.sampled_from(sorted(STATUS_CODES)),
                 timestamp=times, description=text, staff=staff))
def test_status_round_trip(status: Status) -> None:
    assert parse_status(build_status(status)) == status
