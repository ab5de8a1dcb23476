"""The message reader: Vietnamese encodings, and for any bytes either a Mail or Unreadable (never another error)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from dieuhanh.intake import mime

from . import mails


def test_rfc2047_subject_and_rfc2231_continued_filename():
    mail = mime.parse(mails.rfc2231_message())
    assert mail.subject == "Giấy mời họp thẩm định"
    assert mail.sender == "Sở Nội vụ <vt@snv.gov.vn>"
    assert [name for name, _ in mail.files] == ["Giấy mời họp.pdf"]
    assert mail.files[0][1] == mails.PDF


def test_edxml_attachments_are_told_apart():
    mail = mime.parse(mails.message(attachments=[("Gói.EDXML", b"<edXMLEnvelope/>", "application", "xml"),
                                                 ("Phụ lục.docx", b"PK..", "application", "octet-stream")]))
    assert [n for n, _ in mail.packages] == ["Gói.EDXML"] and [n for n, _ in mail.others] == ["Phụ lục.docx"]


def test_message_without_id_is_known_by_its_hash():
    raw = mails.message(message_id=None)
    assert mime.message_id(raw).startswith("sha256:") and mime.message_id(raw) == mime.message_id(raw)


HEADS = [b"Content-Type: multipart/mixed; boundary=x", b"Subject: =?UTF-8?B?zz?=",
         b"Content-Disposition: attachment; filename*=x''%ZZ", b"Content-Transfer-Encoding: base64"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400), st.builds(lambda head, body: head + b"\r\n\r\n" + body,
                                                   st.sampled_from(HEADS), st.binary(max_size=200))))
def test_any_bytes_are_read_or_refused_with_a_reason(raw):
    try:
        mail = mime.parse(raw)
    except mime.Unreadable as exc:
        assert exc.reason
    else:
        assert isinstance(mail.subject, str) and all(isinstance(d, bytes) for _, d in mail.files)
