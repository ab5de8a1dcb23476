import datetime
import io
from types import SimpleNamespace

import pytest

from dieuhanh.documents import services
from dieuhanh.documents.models import DocumentType, RegisterKind
from dieuhanh.documents.testing import make_pdf


def doc_type(name, system="state"):
    return DocumentType.objects.get(system=system, name=name)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return settings.MEDIA_ROOT


@pytest.fixture
def exchange(org, media):
    """``org`` plus what a clerk needs to issue and receive: registers for this year and numbering series."""
    year = datetime.date.today().year
    for unit in (org.a, org.b, org.a1, org.b1, org.ad):
        services.open_standard_registers(actor=org.admin, unit=unit, year=year)
        services.create_series(actor=org.admin, unit=unit, name="Văn bản hành chính", system="state",
                               rule="yearly")
        services.create_series(actor=org.admin, unit=unit, name="Văn bản mật", system="state", rule="yearly",
                               secret=True)
    for user in (org.clerk_a, org.clerk_b):
        user.clearance = 1
        user.save()

    def upload(user, content=b"demo", name="vb.pdf"):
        if not content.rstrip().endswith(b"%%EOF"):  # not already a whole PDF
            content = make_pdf(content)  # uploads are parsed: make every test file a real PDF carrying its text
        blob = services.store_file(actor=user, fileobj=io.BytesIO(content), content_type="application/pdf")
        return {"sha256": blob.sha256, "name": name}

    def outgoing(unit=None, user=None, recipients=None, type_name="Quyết định", content=None, **fields):
        unit, user = unit or org.a, user or org.clerk_a
        files = [upload(user, content or f"{fields.get('subject', 'x')}{recipients}".encode())]
        return services.create_outgoing(
            actor=user, unit=unit, document_type_id=doc_type(type_name).pk,
            subject=fields.pop("subject", "Về việc điều động cán bộ"), files=files,
            recipients=recipients if recipients is not None else [{"unit_id": org.b.pk}, {"unit_id": org.a1.pk}],
            signer_name="Nguyễn Văn An", signer_position="Bí thư", **fields,
        )

    return SimpleNamespace(org=org, year=year, upload=upload, outgoing=outgoing, kinds=RegisterKind)


@pytest.fixture
def docs(exchange):
    """A normal and a secret (Mật) document issued by A to B and A1: ``(org, normal, secret)``."""
    org = exchange.org
    normal = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Thường"))
    secret = services.issue_document(actor=org.clerk_a, document=exchange.outgoing(subject="Mật", confidentiality=1))
    return org, normal, secret
