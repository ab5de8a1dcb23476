"""PAdES signing and validation with pyHanko.

Signing appends an incremental update: the bytes that were there before are never rewritten, so every earlier
signature stays valid and any reader can show each revision. Validation reports, per signature, whether the
signed bytes are intact, who signed, whether the certificate chains to the trust list, and when it was signed.
"""

import asyncio
import datetime
import functools
import io
import unicodedata
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import DummyTimeStamper, HTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from dieuhanh.kernel.pdf import FONT_DIR

from . import pki

BOX_W, BOX_H = 190, 62
MD_ALGORITHM = "sha256"


class SignatureFailed(Exception):
    """The PDF could not be signed (unreadable, encrypted, or the signer refused)."""


def _asn1_cert(cert):
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    return asn1_keys.PrivateKeyInfo.load(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


class _LoadedKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner parses its key again from DER for every signature, which for RSA repeats the key's
    consistency checks (about 40 ms, more than everything else in an RSA signature). This one signs with the key
    object it was given; mechanisms other than RSA PKCS#1 v1.5 and ECDSA go through pyHanko's own code."""

    def __init__(self, key, cert, chain=()):
        self._key = key
        super().__init__(signing_cert=_asn1_cert(cert), signing_key=_asn1_key(key),
                         cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]))

    def sign_raw(self, data, digest_algorithm):
        try:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        except ValueError:
            mechanism = ""
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self._key, rsa.RSAPrivateKey):
            return self._key.sign(data, padding.PKCS1v15(), hash_algorithm)
        if mechanism == "ecdsa" and isinstance(self._key, ec.EllipticCurvePrivateKey):
            return self._key.sign(data, ec.ECDSA(hash_algorithm))
        return super().sign_raw(data, digest_algorithm)


def software_signer(key, cert, chain=()):
    """A pyHanko signer for a key held in memory (decrypted from the user's PKCS#12 for one request)."""
    return _LoadedKeySigner(key, cert, chain)


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


# What a signature box says: Vietnamese (precomposed, and the combining marks of decomposed text), Latin-1 and
# Latin Extended-A, the punctuation of names, positions and dates. Text outside it uses the whole font.
STAMP_RANGES = ((0x20, 0x7E), (0xA0, 0x17F), (0x1A0, 0x1A1), (0x1AF, 0x1B0), (0x300, 0x303), (0x309, 0x309),
                (0x323, 0x323), (0x1EA0, 0x1EF9), (0x2010, 0x2027), (0x2030, 0x2030), (0x20AB, 0x20AB),
                (0x2116, 0x2116))


@dataclass(frozen=True)
class _MemoryFontFactory(GlyphAccumulatorFactory):
    """pyHanko's factory reading the font from memory instead of opening (and leaving open) the file each time."""

    font_bytes: bytes = b""

    def create_font_engine(self, writer, obj_stream=None):
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.font_bytes), font_size=self.font_size,
                                obj_stream=obj_stream)


@functools.lru_cache(maxsize=64)
def _stamp_font(extra=""):
    """``(factory, characters it covers)``: DejaVu Sans cut down to STAMP_RANGES (and ``extra`` characters) without
    hinting or layout tables, its em rescaled to 1000 units. Made once per process and character set.

    - pyHanko subsets the font again for every signature; on the whole font (5,000+ glyphs, large kerning tables)
      that was most of the signing time. The box needs no shaping: its text is NFC, so each Vietnamese letter is
      one precomposed glyph.
    - pyHanko writes the glyph widths (/W) in font units, which PDF reads as thousandths of an em; DejaVu has
      2048 units to the em, so every letter took about twice its width and the box cut the lines short."""
    from fontTools import subset, ttLib
    from fontTools.ttLib.scaleUpem import scale_upem

    options = subset.Options()
    options.hinting = False
    options.glyph_names = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["GPOS", "GSUB", "GDEF", "kern", "FFTM"]
    font = ttLib.TTFont(str(FONT_DIR / "DejaVuSans.ttf"))
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for first, last in STAMP_RANGES for c in range(first, last + 1)]
                       + [ord(c) for c in extra])
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    covered = frozenset(chr(c) for c in font.getBestCmap())
    buf = io.BytesIO()
    font.save(buf)
    factory = _MemoryFontFactory(font_file=str(FONT_DIR / "DejaVuSans.ttf"), font_size=7,
                                 font_bytes=buf.getvalue())
    return factory, covered


def _font_for(text):
    factory, covered = _stamp_font()
    extra = set(text) - covered - {"\n"}
    return factory if not extra else _stamp_font("".join(sorted(extra))[:200])[0]


_RESERVED = {}


def _bytes_reserved(signer, timestamper, md_algorithm):
    """The room for the signature container. pyHanko measures it before every signature by building a dummy one
    (a second CMS, and a second time-stamp request to the TSA); the size depends only on the certificates, the
    key and the TSA, so it is measured once per signer and TSA, with pyHanko's own 50% margin."""
    key = (signer.signing_cert.sha256, tuple(sorted(c.sha256 for c in (signer.cert_registry or ()))),
           type(timestamper).__name__, getattr(timestamper, "url", None),
           getattr(getattr(timestamper, "tsa_cert", None), "sha256", None))
    if key not in _RESERVED:
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm)).finalize()
        dummy = asyncio.run(signer.async_sign(
            digest, md_algorithm, use_pades=True, dry_run=True, timestamper=timestamper,
            signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.datetime.now(datetime.UTC))))
        size = len(dummy.dump()) * 2  # hexadecimal in the file
        if len(_RESERVED) > 10_000:
            _RESERVED.clear()
        _RESERVED[key] = size + 2 * (size // 4)
    return _RESERVED[key]


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
            raise SignatureFailed(_("The PDF is encrypted."))
        page, box = _box(writer.prev, placement)
        text = unicodedata.normalize("NFC", "\n".join(line.replace("%", "%%") for line in lines))
        style = TextStampStyle(stamp_text=text, text_box_style=TextBoxStyle(font=_font_for(text)), border_width=1,
                               background=None)
        meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason or None, md_algorithm=MD_ALGORITHM,
                                            location=location or None, subfilter=fields.SigSeedSubFilter.PADES)
        pdf_signer = signers.PdfSigner(
            meta, signer=signer, timestamper=timestamper, stamp_style=style,
            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name, on_page=page, box=box))
        out = pdf_signer.sign_pdf(writer, bytes_reserved=_bytes_reserved(signer, timestamper, MD_ALGORITHM))
    except SignatureFailed:
        raise
    except (SigningError, ValueError, KeyError, TypeError, OSError) as exc:
        raise SignatureFailed(_("The PDF could not be signed: %(error)s") % {"error": exc}) from exc
    except Exception as exc:  # pyHanko raises its own PdfError family for damaged files
        if type(exc).__module__.startswith(("pyhanko", "asn1crypto")):
            raise SignatureFailed(_("The PDF could not be signed: %(error)s") % {"error": exc}) from exc
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
