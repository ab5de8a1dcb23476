"""Messages as Vietnamese mail clients write them: RFC 2047 subjects, RFC 2231 file names."""

from email.message import EmailMessage
from email.policy import SMTP

PDF = b"%PDF-1.7\n" + "Công văn thử".encode() * 40 + b"\n%%EOF\n"


def message(subject="Về việc tổ chức hội nghị tổng kết năm 2026", filename="Công văn số 12.pdf", data=PDF,
            message_id="<cv12@sotc.bacninh.gov.vn>", attachments=None, sender="Sở Tài chính <vanthu@stc.gov.vn>"):
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = "vanthu@thanhuy.hanoi.gov.vn"
    if message_id:
        msg["Message-ID"] = message_id
    msg.set_content("Kính gửi Văn phòng Thành ủy,\nXin gửi kèm công văn.")
    for name, content, maintype, subtype in (attachments if attachments is not None else
                                              [(filename, data, "application", "pdf")]):
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes(policy=SMTP)


def rfc2231_message() -> bytes:
    """Hand-written, as some clients send it: encoded-word subject, filename* with continuations."""
    return (
        b"From: =?UTF-8?B?U+G7nyBO4buZaSB24bul?= <vt@snv.gov.vn>\r\n"
        b"To: vanthu@example.gov.vn\r\n"
        b"Subject: =?UTF-8?Q?Gi=E1=BA=A5y_m=E1=BB=9Di_h=E1=BB=8Dp?= =?UTF-8?B?IHRo4bqpbSDEkeG7i25o?=\r\n"
        b"Message-ID: <gm-2231@snv.gov.vn>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
        b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXin g\xe1\xbb\xadi.\r\n"
        b"--b1\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment;\r\n"
        b" filename*0*=UTF-8''Gi%E1%BA%A5y%20m%E1%BB%9Di%20;\r\n"
        b" filename*1*=h%E1%BB%8Dp.pdf\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + __import__("base64").encodebytes(PDF).replace(b"\n", b"\r\n")
        + b"--b1--\r\n"
    )


BROKEN = (b"From: a@b.vn\r\nSubject: hong\r\nMessage-ID: <broken@b.vn>\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed; boundary=\"zz\"\r\n\r\nno boundary ever starts here\r\n")
