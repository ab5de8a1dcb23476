"""The project's own packages (built here, never copied from the samples): what we write is read back, and the
quirks real senders show are tolerated (issue 17)."""

import base64
import io
import re
import zipfile
from datetime import date

import pytest

from dieuhanh.exchange.edxml import (
    NAMESPACE,
    STATUS_CODES,
    Attachment,
    EdxmlError,
    build_package,
    build_status,
    parse_package,
    parse_status,
)

from .factories import PDF, package, status, update_package


def test_a_built_package_is_read_back_whole():
    original = package()
    assert parse_package(build_package(original)) == original


def test_every_child_element_carries_the_edxml_prefix():
    # hubs reject children without the edXML: prefix
    text = build_package(package()).decode()
    tags = re.findall(r"<([A-Za-z][\w:]*)", text)
    assert tags[0] == "edXML"
    assert all(tag.startswith("edXML:") for tag in tags[1:])
    assert f'xmlns="{NAMESPACE}"' in text


def test_files_travel_zipped_as_real_packages_carry_them():
    text = build_package(package()).decode()
    assert "<edXML:ContentType>application/zip</edXML:ContentType>" in text
    encoded = re.search(r"<edXML:ContentTransferEncoded>([^<]+)<", text)
    assert encoded is not None
    with zipfile.ZipFile(io.BytesIO(base64.b64decode(encoded.group(1)))) as archive:
        assert archive.namelist() == ["125-UBND-VP.pdf"]
        assert archive.read("125-UBND-VP.pdf") == PDF


def test_plain_attachments_keep_their_own_type():
    original = package(attachments=(Attachment("bang-ke.xlsx", "application/vnd.ms-excel", b"PK-not-a-zip", "",
                                               "cid:7"),))
    assert parse_package(build_package(original, zipped=False)) == original


def test_an_update_with_receivers_is_read_back():
    original = update_package()
    assert parse_package(build_package(original)) == original


@pytest.mark.parametrize("code", sorted(STATUS_CODES))
def test_every_status_code_is_read_back(code):
    original = status(code)
    assert parse_status(build_status(original)) == original


def test_unknown_status_code_is_refused_both_ways():
    with pytest.raises(EdxmlError) as refused:
        build_status(status("07"))
    assert refused.value.field == "StatusCode"
    text = build_status(status("04")).replace(b">04<", b">07<")
    with pytest.raises(EdxmlError) as refused:
        parse_status(text)
    assert refused.value.field == "MessageHeader/StatusCode"


def _strip_prefixes(data: bytes) -> bytes:
    return data.replace(b"<edXML:", b"<").replace(b"</edXML:", b"</")


def test_children_without_prefix_in_the_default_namespace_are_read():
    original = package()
    assert parse_package(_strip_prefixes(build_package(original))) == original


def test_another_prefix_for_the_same_namespace_is_read():
    data = build_package(package()).replace(b"edXML:", b"qc:").replace(b'xmlns:qc=', b'xmlns:qc=')
    data = data.replace(b"<edXML xmlns=", b"<edXML xmlns:qc=\"" + NAMESPACE.encode() + b"\" xmlns=", 1)
    assert parse_package(data) == package()


def test_element_order_does_not_matter():
    # move Subject to the very front of the header and the TraceHeader after the Bussiness block, as real senders do
    text = build_package(package()).decode()
    subject = re.search(r"<edXML:Subject>.*?</edXML:Subject>", text).group(0)
    text = text.replace(subject, "").replace("<edXML:MessageHeader>", "<edXML:MessageHeader>" + subject)
    trace = re.search(r"<edXML:TraceHeader>.*?</edXML:TraceHeader>", text).group(0)
    text = text.replace(trace, "").replace("</edXML:Bussiness>", "</edXML:Bussiness>" + trace)
    assert parse_package(text.encode()) == package()


def test_a_signature_in_the_xmldsig_namespace_and_comments_are_ignored():
    signature = ('<Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignedInfo><Reference URI="">'
                 "<DigestValue>AAAA</DigestValue></Reference></SignedInfo><SignatureValue>AAAA</SignatureValue>"
                 "</Signature><!-- ký số -->")
    text = build_package(package()).decode().replace("</edXML:TraceHeaderList>",
                                                      "</edXML:TraceHeaderList>" + signature)
    assert parse_package(text.encode()) == package()


def test_day_first_dates_and_empty_optional_fields_are_read():
    text = build_package(package()).decode()
    text = text.replace("<edXML:PromulgationDate>2026/03/05<", "<edXML:PromulgationDate>05/03/2026<")
    text = text.replace("<edXML:DueDate>2026/03/20</edXML:DueDate>", "<edXML:DueDate></edXML:DueDate>")
    read = parse_package(text.encode())
    assert read.promulgation_date == date(2026, 3, 5)
    assert read.due_date is None


def test_an_empty_response_for_means_none():
    text = build_package(package()).decode().replace(
        "<edXML:SteeringType>", "<edXML:ResponseFor><edXML:OrganId/><edXML:Code/></edXML:ResponseFor>"
        "<edXML:SteeringType>")
    assert parse_package(text.encode()).response_for == ()


def test_description_only_in_the_manifest_is_used():
    text = build_package(package()).decode()
    # drop the Description inside AttachmentEncoded; the manifest still has it
    head, tail = text.split("<edXML:AttachmentEncoded>")
    tail = tail.replace("<edXML:Description>Văn bản chính</edXML:Description>", "")
    read = parse_package((head + "<edXML:AttachmentEncoded>" + tail).encode())
    assert read.attachments[0].description == "Văn bản chính"


def test_a_zip_of_several_files_gives_one_attachment_each():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("to-trinh.pdf", b"%PDF-1 a")
        archive.writestr("phu-luc/bang.csv", b"a,b")
    text = build_package(package()).decode()
    text = re.sub(r"<edXML:ContentTransferEncoded>[^<]+<",
                  f"<edXML:ContentTransferEncoded>{base64.b64encode(buffer.getvalue()).decode()}<", text)
    read = parse_package(text.encode())
    assert [(a.name, a.content_type, a.data) for a in read.attachments] == [
        ("to-trinh.pdf", "application/pdf", b"%PDF-1 a"), ("bang.csv", "text/csv", b"a,b")]


def test_base64_with_line_breaks_is_read():
    text = build_package(package(), zipped=False).decode()
    encoded = re.search(r"<edXML:ContentTransferEncoded>([^<]+)<", text).group(1)
    wrapped = "\n".join(encoded[i:i + 76] for i in range(0, len(encoded), 76))
    read = parse_package(text.replace(encoded, wrapped).encode())
    assert read.attachments[0].data == PDF
