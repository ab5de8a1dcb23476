"""PAdES signing and validation with pyHanko.

Signing appends an incremental update: the bytes that were there before are never rewritten, so every earlier
signature stays valid and any reader can show each revision. Validation reports, per signature, whether the
signed bytes are intact, who signed, whether the certificate chains to the trust list, and when it was signed.
"""

import functools
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from dieuhanh.core.pdf import FONT_DIR

from . import pki

BOX_W, BOX_H = 190, 62


class SignatureFailed(Exception):
    """The PDF could not be signed (unreadable, encrypted, or the signer refused)."""


def _asn1_cert(cert):
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    return asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


def software_signer(key, cert, chain=()):
    """A pyHanko signer for a key held in memory (decrypted from the user's PKCS#12 for one request)."""
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(cert), signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]))


class HookSigner(signers.Signer):
    """External signer interface: the raw signature comes from a callable ``hook(data, digest_algorithm) ->
    bytes`` (a USB token driver, a remote signing service...). The server never sees that key."""

    def __init__(self, cert, hook, chain=()):
        self._hook = hook
        super().__init__(signing_cert=_asn1_cert(cert),
                         cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]))

    async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
        if dry_run:  # pyHanko sizes the placeholder first; a real call to a token here would ask for a PIN twice
            size = self.signing_cert.public_key.bit_size // 8 if self.signing_cert.public_key.algorithm == "rsa" \
                else 72
            return bytes(size)
        return self._hook(data, digest_algorithm)


@functools.cache
def _font():
    return GlyphAccumulatorFactory(str(FONT_DIR / "DejaVuSans.ttf"), font_size=7)


@dataclass
class Placement:
    """Where a visible signature goes: bottom of the last page, people on the right, organizations on the left,
    stacked upwards so several signatures never overlap."""

    slot: int = 0
    organization: bool = False


def _box(reader, placement):
    page_count = int(reader.root["/Pages"]["/Count"])
    node = reader.find_page_for_modification(page_count - 1)[0].get_object()
    while "/MediaBox" not in node and "/Parent" in node:  # the box may be inherited from the page tree
        node = node["/Parent"].get_object()
    media = [float(v) for v in node.get("/MediaBox", [0, 0, 595, 842])]
    width = media[2] - media[0]
    x = media[0] + (36 if placement.organization else width - 36 - BOX_W)
    y = media[1] + 36 + placement.slot * (BOX_H + 8)
    return page_count - 1, (int(x), int(y), int(x + BOX_W), int(y + BOX_H))


def sign(pdf_bytes, signer, *, field_name, lines, placement=None, timestamper=None, reason="", location=""):
    """Sign ``pdf_bytes`` with ``signer`` in a new visible field showing ``lines``; returns the new bytes, which
    start with ``pdf_bytes`` unchanged."""
    placement = placement or Placement()
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
        if writer.prev.encrypted:
            raise SignatureFailed("The PDF is encrypted.")
        page, box = _box(writer.prev, placement)
        style = TextStampStyle(
            stamp_text="\n".join(line.replace("%", "%%") for line in lines),
            text_box_style=TextBoxStyle(font=_font()), border_width=1, background=None)
        meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason or None,
                                            location=location or None, subfilter=fields.SigSeedSubFilter.PADES)
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, timestamper=timestamper, stamp_style=style,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box))
        out = pdf_signer.sign_pdf(writer)
    except SignatureFailed:
        raise
    except (SigningError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SignatureFailed(f"The PDF could not be signed: {exc}") from exc
    except Exception as exc:  # pyHanko raises its own PdfError family for damaged files
        if type(exc).__module__.startswith(("pyhanko", "asn1crypto")):
            raise SignatureFailed(f"The PDF could not be signed: {exc}") from exc
        raise
    return out.getvalue()


def local_timestamper(tsa):
    """A time-stamp authority answered in-process from a certificate of the demo PKI (tests and demo)."""
    return DummyTimeStamper(tsa_cert=_asn1_cert(tsa.certificate), tsa_key=_asn1_key(tsa.key))


def http_timestamper(url):
    return HTTPTimeStamper(url, timeout=10)


# --- Validation -----------------------------------------------------------------------------------------------

def validation_context(trust_pems):
    roots = [_asn1_cert(pki.load_pem(pem)) for pem in trust_pems]
    # No revocation fetching: the closed network cannot reach CRL/OCSP URLs; trust is the configured list.
    return ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")


def _name(cert):
    try:
        return cert.subject.native.get("common_name") or cert.subject.human_friendly
    except Exception:  # a malformed subject still gets a readable line
        return "?"


def validate(pdf_bytes, trust_pems):
    """Every signature of the PDF, oldest first: ``[{field, signer, organization, intact, trusted, valid,
    covers_whole_file, signed_at, timestamped, problem}]``. A PDF that cannot be read raises ValueError."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise ValueError(f"The PDF cannot be read: {exc}") from exc
    context = validation_context(trust_pems)
    results = []
    for sig in embedded:
        item = {"field": sig.field_name, "signer": "", "organization": "", "intact": False, "trusted": False,
                "valid": False, "covers_whole_file": False, "signed_at": None, "timestamped": False,
                "problem": ""}
        try:
            cert = sig.signer_cert
            item["signer"] = _name(cert)
            item["organization"] = cert.subject.native.get("organization_name", "") or ""
        except Exception:
            pass
        try:
            status = validate_pdf_signature(sig, context, skip_diff=False)
            item["intact"] = bool(status.intact and status.valid)
            item["trusted"] = bool(status.trusted)
            item["covers_whole_file"] = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
            item["timestamped"] = status.timestamp_validity is not None
            when = (status.timestamp_validity.timestamp if status.timestamp_validity else status.signer_reported_dt)
            item["signed_at"] = when.isoformat() if when else None
            modified = status.modification_level is not None and status.modification_level.name not in (
                "NONE", "LTA_UPDATES", "FORM_FILLING")
            item["valid"] = item["intact"] and item["trusted"] and not modified
            if not item["intact"]:
                item["problem"] = gettext_noop("The signed content was changed after signing.")
            elif not item["trusted"]:
                item["problem"] = gettext_noop("The certificate does not chain to a trusted authority.")
            elif modified:
                item["problem"] = gettext_noop("The file was changed after signing in a way signatures do not allow.")
        except Exception as exc:  # a damaged signature is a finding, not a crash
            item["problem"] = f"The signature cannot be checked: {str(exc)[:200]}"
        results.append(item)
    return results
