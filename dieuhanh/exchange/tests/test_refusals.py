"""Bad input is refused whole, with the element named (issue 17 "Bad input"): XML bombs, wrong root or namespace,
missing mandatory fields, broken base64 or ZIP, oversize packages."""

import base64
import io
import re
import zipfile

import pytest
from django.utils import translation

from dieuhanh.exchange import edxml
from dieuhanh.exchange.edxml import NAMESPACE, EdxmlError, build_package, build_status, parse_package, parse_status

from .factories import package, status


def _refused(data: bytes, **kwargs: object) -> EdxmlError:
    # Reasons are checked in English: the catalogue translates them and Vietnamese is the default.
    with translation.override("en"), pytest.raises(EdxmlError) as refused:
        parse_package(data, **kwargs)  # type: ignore[arg-type]
    assert refused.value.reason
    return refused.value


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&d;</edXMLEnvelope></edXML>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXMLEnvelope>&secret;</edXMLEnvelope></edXML>"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["entity expansion", "external entity"])
def test_entities_are_refused(data):
    assert _refused(data).field == "xml"


def test_a_plain_doctype_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE edXML><edXML xmlns="' + NAMESPACE.encode() + b'"/>'
    assert _refused(data).field == "xml"


def test_huge_depth_is_refused_before_the_tree_is_built():
    depth = 100_000
    data = (f'<edXML xmlns="{NAMESPACE}">' + "<a>" * depth + "</a>" * depth + "</edXML>").encode()
    error = _refused(data)
    assert error.field == "xml" and str(edxml.MAX_DEPTH) in error.reason


def test_oversize_is_refused_before_parsing(settings):
    data = build_package(package())
    assert _refused(data, max_bytes=len(data) - 1).field == "package"
    settings.EDXML_MAX_BYTES = 1000
    assert _refused(data).field == "package"


def test_a_zip_bomb_is_refused(settings):
    settings.EDXML_MAX_UNZIPPED_BYTES = 1_000_000
    data = build_package(package(attachments=(edxml.Attachment("lon.pdf", "application/pdf", b"\0" * 2_000_000),)))
    assert len(data) < 20_000  # two megabytes of zeros deflate to a few kilobytes
    assert _refused(data).field == "AttachmentEncoded/Attachment[1]/ContentTransferEncoded"


def test_wrong_root_is_refused():
    data = build_package(package()).replace(b"<edXML xmlns=", b"<Package xmlns=").replace(b"</edXML>",
                                                                                          b"</Package>")
    assert _refused(data).field == "edXML"


def test_wrong_namespace_is_refused():
    data = build_package(package()).replace(NAMESPACE.encode(), b"http://example.org/edxml")
    error = _refused(data)
    assert error.field == "edXML" and NAMESPACE in error.reason


def test_no_namespace_is_refused():
    data = build_package(package()).replace(f' xmlns="{NAMESPACE}"'.encode(), b"")
    # the edXML: prefix is still declared, so the XML is well-formed; only the root's namespace is wrong
    assert _refused(data).field == "edXML"


def _without(data: bytes, element: str) -> bytes:
    return re.sub(rf"<edXML:{element}>.*?</edXML:{element}>|<edXML:{element}/>".encode(), b"", data, count=1,
                  flags=re.S)


@pytest.mark.parametrize(("element", "field"), [
    ("From", "MessageHeader/From"),
    ("To", "MessageHeader/To"),
    ("Code", "MessageHeader/Code"),
    ("CodeNumber", "MessageHeader/Code/CodeNumber"),
    ("Subject", "MessageHeader/Subject"),
    ("PromulgationDate", "MessageHeader/PromulgationInfo/PromulgationDate"),
    ("DocumentType", "MessageHeader/DocumentType"),
    ("TypeName", "MessageHeader/DocumentType/TypeName"),
    ("DocumentId", "MessageHeader/DocumentId"),
    ("MessageHeader", "edXMLHeader/MessageHeader"),
    ("AttachmentName", "AttachmentEncoded/Attachment[1]/AttachmentName"),
])
def test_missing_mandatory_fields_are_named(element, field):
    one = package(to=(package().to[0],))
    data = build_package(one)
    if element == "AttachmentName":  # the manifest copy comes first; remove the copy in AttachmentEncoded
        head, tail = data.split(b"<edXML:AttachmentEncoded>")
        data = head + b"<edXML:AttachmentEncoded>" + _without(tail, element)
    else:
        data = _without(data, element)
    assert _refused(data).field == field


def test_an_empty_subject_is_named():
    data = re.sub(rb"<edXML:Subject>.*?</edXML:Subject>", b"<edXML:Subject>  </edXML:Subject>",
                  build_package(package()))
    error = _refused(data)
    assert (error.field, error.reason) == ("MessageHeader/Subject", "is empty")


def test_a_nested_sender_is_refused():
    data = build_package(package()).replace(b"<edXML:From>", b"<edXML:From><edXML:From><edXML:OrganId>x"
                                            b"</edXML:OrganId></edXML:From>", 1)
    assert _refused(data).field == "MessageHeader/From"


@pytest.mark.parametrize("value", ["${__StringFromFile(test.txt,,,)}", "QUJ", "QUJDRA=", "QU=JD", "QUJD\u00e9"])
def test_broken_base64_is_refused(value):
    data = re.sub(rb"<edXML:ContentTransferEncoded>[^<]+<",
                  f"<edXML:ContentTransferEncoded>{value}<".encode(), build_package(package()))
    error = _refused(data)
    assert error.field == "AttachmentEncoded/Attachment[1]/ContentTransferEncoded"


def test_broken_zip_is_refused():
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.pdf", b"%PDF" * 1000)
    broken = zipped.getvalue()[:-30]  # the central directory cut short
    for payload in (broken, b"not a zip at all"):
        data = re.sub(rb"<edXML:ContentTransferEncoded>[^<]+<",
                      b"<edXML:ContentTransferEncoded>" + base64.b64encode(payload) + b"<", build_package(package()))
        error = _refused(data)
        assert error.field == "AttachmentEncoded/Attachment[1]/ContentTransferEncoded"
        assert "ZIP" in error.reason


def test_an_empty_zip_is_refused():
    zipped = io.BytesIO()
    zipfile.ZipFile(zipped, "w").close()
    data = re.sub(rb"<edXML:ContentTransferEncoded>[^<]+<",
                  b"<edXML:ContentTransferEncoded>" + base64.b64encode(zipped.getvalue()) + b"<",
                  build_package(package()))
    assert "ZIP" in _refused(data).reason


@pytest.mark.parametrize(("old", "new", "field"), [
    (b"<edXML:Priority>2<", b"<edXML:Priority>9<", "MessageHeader/OtherInfo/Priority"),
    (b"<edXML:PageAmount>2<", b"<edXML:PageAmount>hai<", "MessageHeader/OtherInfo/PageAmount"),
    (b"<edXML:PromulgationDate>2026/03/05<", b"<edXML:PromulgationDate>2026/02/30<",
     "MessageHeader/PromulgationInfo/PromulgationDate"),
    (b"<edXML:BussinessDocType>0<", b"<edXML:BussinessDocType>7<", "TraceHeaderList/Bussiness/BussinessDocType"),
])
def test_bad_values_are_named(old, new, field):
    data = build_package(package())
    assert old in data
    assert _refused(data.replace(old, new, 1)).field == field


def test_not_xml_at_all():
    assert _refused(b"\x89PNG\r\n").field == "xml"


def test_a_status_without_its_document_is_refused():
    data = _without(build_status(status()), "ResponseFor")
    with pytest.raises(EdxmlError) as refused:
        parse_status(data)
    assert refused.value.field == "MessageHeader/ResponseFor"


def test_the_builder_refuses_what_it_cannot_write():
    with pytest.raises(EdxmlError) as refused:
        build_package(package(subject="Tiêu đề\x07"))
    assert refused.value.field == "Subject"
    with pytest.raises(EdxmlError) as refused:
        build_package(package(subject="  "))
    assert refused.value.field == "Subject"
    # found by the round trip: an empty file was written as an empty base64 the reader then refused
    with pytest.raises(EdxmlError) as refused:
        build_package(package(attachments=(edxml.Attachment("rong.pdf", "application/pdf", b""),)))
    assert refused.value.field == "Attachment/ContentTransferEncoded"

