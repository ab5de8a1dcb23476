"""edXML packages (QCVN 102:2016): read what other systems send, write what we send (issue 17, decision 0044).

Two kinds of package share one envelope: a *document package* (``parse_package`` / ``build_package``) and a
*status message* (``parse_status`` / ``build_status``). Both are read by element LOCAL name, never by position or
prefix: real packages move elements around, leave children unprefixed in the default namespace and put
``<Signature>`` in the xmldsig namespace. Only the root must be ``edXML`` in the QCVN namespace.

The XML is read by defusedxml (no DTD, no entities, no network), with a depth limit and a size limit; anything
refused raises ``EdxmlError(field, reason)`` naming the element that was wrong. Nothing here touches the database.
"""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.utils.translation import gettext as _

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
# Settings may lower or raise these; the defaults fit the largest real packages (a few tens of MB) with room.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_UNZIPPED_BYTES = 256 * 1024 * 1024
MAX_DEPTH = 40  # real packages nest 8 deep; a deep tree is an attack on the parser, not a document
MAX_ZIP_ENTRIES = 100

STATUS_CODES: dict[str, str] = {
    # DOMAIN.md "Exchange between systems": checked against the public sample packages
    "01": "arrived",  # the receiving software has it, no clerk yet
    "02": "refused",  # refused by the clerk
    "03": "accepted",  # accepted and registered
    "04": "assigned",  # a leader assigned it
    "05": "processing",  # being processed
    "06": "finished",
    "13": "take_back_requested",  # the sender asks to take back or update
    "15": "take_back_agreed",
    "16": "take_back_refused",
}
BUSINESS_TYPES = {0: "new", 1: "revoke", 2: "update", 3: "replace"}
ZIP_TYPES = {"application/zip", "application/x-zip-compressed", "application/x-zip"}


class EdxmlError(ValueError):
    """A package we refuse: ``field`` names the element (``Subject``, ``From/OrganId``, ``xml``...), ``reason``
    says why in the active language."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


# ---------------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Organ:
    organ_id: str
    name: str = ""
    organization_in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class Signer:
    competence: str = ""
    position: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class OtherInfo:
    priority: int | None = None  # 0 normal .. 4 (urgency)
    sphere: str = ""  # SphereOfPromulgation
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    direction: str = ""  # "true"/"false" in real packages; kept as written
    appendixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponseFor:
    organ_id: str
    code: str = ""
    promulgation_date: date | None = None
    document_id: str = ""


@dataclass(frozen=True)
class TraceHeader:
    organ_id: str
    timestamp: datetime | None = None  # the sender's wall-clock time, no zone in the standard


@dataclass(frozen=True)
class Staff:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass(frozen=True)
class Receiver:
    organ_id: str
    receiver_type: int  # 0 remove, 1 add


@dataclass(frozen=True)
class Replacement:
    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Business:
    doc_type: int = 0  # BUSINESS_TYPES
    reason: str = ""
    document_id: str = ""
    paper: str = ""
    staff: Staff | None = None
    document_info: str = ""
    document_receiver: str = ""
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclass(frozen=True)
class Attachment:
    """One file. ``data`` is the file itself (unzipped when the package carried a ZIP); ``content_type`` is the
    file's type: declared when sent plain, guessed from the name when sent zipped (the package only says zip)."""

    name: str
    content_type: str
    data: bytes = field(repr=False)
    description: str = ""
    content_id: str = ""


@dataclass(frozen=True)
class Package:
    sender: Organ  # From
    to: tuple[Organ, ...]
    code_number: str
    code_notation: str
    document_id: str
    place: str
    promulgation_date: date
    type_code: str  # DocumentType/Type
    type_name: str
    subject: str
    type_detail: str = ""
    content: str = ""
    signer: Signer = Signer()
    due_date: date | None = None
    to_places: tuple[str, ...] = ()
    other: OtherInfo = OtherInfo()
    steering_type: int | None = None
    response_for: tuple[ResponseFor, ...] = ()
    trace_headers: tuple[TraceHeader, ...] = ()
    business: Business | None = None
    attachments: tuple[Attachment, ...] = ()

    @property
    def code(self) -> str:
        """Number/symbol as printed on the document: ``7816/VPCP-TTĐT``."""
        return f"{self.code_number}/{self.code_notation}" if self.code_notation else self.code_number


@dataclass(frozen=True)
class Status:
    sender: Organ  # From: who reports the status
    response_for: ResponseFor  # the document the status is about
    status_code: str  # a key of STATUS_CODES
    timestamp: datetime
    description: str = ""
    staff: Staff | None = None

    @property
    def meaning(self) -> str:
        return STATUS_CODES[self.status_code]


# ------------------------------------------------------------------------------------------------- reading


class _DepthLimitedBuilder(TreeBuilder):
    """Builds the tree and refuses a tree deeper than MAX_DEPTH while it is being read (before it is whole)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0

    def start(self, tag: Any, attrs: Any) -> Element:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise EdxmlError("xml", _("elements are nested more than %(n)d deep") % {"n": MAX_DEPTH})
        return super().start(tag, attrs)

    def end(self, tag: Any) -> Element:
        self.depth -= 1
        return super().end(tag)


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _root(data: bytes, max_bytes: int | None) -> Element:
    limit = max_bytes if max_bytes is not None else _limit("EDXML_MAX_BYTES", DEFAULT_MAX_BYTES)
    if len(data) > limit:
        raise EdxmlError("package", _("is larger than the limit of %(n)d bytes") % {"n": limit})
    parser = DefusedXMLParser(target=_DepthLimitedBuilder(), forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise EdxmlError("xml", _("declares a DTD or entities, which packages never need (%(what)s)")
                         % {"what": type(exc).__name__}) from exc
    except ParseError as exc:
        raise EdxmlError("xml", _("is not well-formed XML: %(error)s") % {"error": exc}) from exc
    if not isinstance(root, Element) or _local(root.tag) != "edXML":
        raise EdxmlError("edXML", _("the root element is not edXML"))
    if _namespace(root.tag) != NAMESPACE:
        raise EdxmlError("edXML", _("the root element is not in the QCVN 102:2016 namespace %(ns)s")
                         % {"ns": NAMESPACE})
    return root


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def _children(parent: Element, name: str) -> list[Element]:
    return [child for child in parent if isinstance(child.tag, str) and _local(child.tag) == name]


def _child(parent: Element, name: str, path: str, *, required: bool = False) -> Element | None:
    found = _children(parent, name)
    if not found:
        if required:
            raise EdxmlError(f"{path}/{name}" if path else name, _("is missing"))
        return None
    return found[0]


def _need(parent: Element, name: str, path: str) -> Element:
    found = _child(parent, name, path, required=True)
    assert found is not None
    return found


def _text(parent: Element | None, name: str, path: str = "", *, required: bool = False) -> str:
    if parent is None:
        if required:
            raise EdxmlError(f"{path}/{name}" if path else name, _("is missing"))
        return ""
    found = _child(parent, name, path, required=required)
    text = (found.text or "").strip() if found is not None else ""
    if required and not text:
        raise EdxmlError(f"{path}/{name}" if path else name, _("is empty"))
    return text


def _find(parent: Element, name: str) -> Element | None:
    """The first descendant with this local name, wherever it sits (real packages disagree on the nesting)."""
    for element in parent.iter():
        if isinstance(element.tag, str) and _local(element.tag) == name and element is not parent:
            return element
    return None


_DATE_FORMATS = ("%Y/%m/%d", "%d/%m/%Y", "%Y-%m-%d")
_TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S")


def _date(value: str, where: str, *, required: bool = False) -> date | None:
    if not value:
        if required:
            raise EdxmlError(where, _("is empty"))
        return None
    for fmt in _DATE_FORMATS:  # the standard says yyyy/MM/dd; one real sender writes dd/MM/yyyy
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise EdxmlError(where, _("is not a date (yyyy/MM/dd): %(value)s") % {"value": value[:40]})


def _datetime(value: str, where: str, *, required: bool = False) -> datetime | None:
    if not value:
        if required:
            raise EdxmlError(where, _("is empty"))
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    raise EdxmlError(where, _("is not a time (yyyy/MM/dd HH:mm:ss): %(value)s") % {"value": value[:40]})


def _int(value: str, where: str, *, low: int | None = None, high: int | None = None) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except ValueError:
        raise EdxmlError(where, _("is not a whole number: %(value)s") % {"value": value[:40]}) from None
    if high is not None and (number > high or (low is not None and number < low)):
        raise EdxmlError(where, _("must be between %(low)s and %(high)s") % {"low": low, "high": high})
    if low is not None and number < low:
        raise EdxmlError(where, _("must be at least %(low)s") % {"low": low})
    return number


def _organ(element: Element, path: str) -> Organ:
    if _children(element, "From") or _children(element, "To"):
        # the malformed sample nests a <From> in a <From>: a sender cannot contain another one
        raise EdxmlError(path, _("contains another %(name)s inside it") % {"name": _local(element.tag)})
    return Organ(
        organ_id=_text(element, "OrganId", path, required=True),
        name=_text(element, "OrganName", path),
        organization_in_charge=_text(element, "OrganizationInCharge", path),
        address=_text(element, "OrganAdd", path),
        email=_text(element, "Email", path),
        telephone=_text(element, "Telephone", path),
        fax=_text(element, "Fax", path),
        website=_text(element, "Website", path),
    )


def _staff(element: Element | None) -> Staff | None:
    if element is None:
        return None
    return Staff(department=_text(element, "Department"), staff=_text(element, "Staff"),
                 email=_text(element, "Email"), mobile=_text(element, "Mobile"))


def _response_for(element: Element, path: str) -> ResponseFor | None:
    organ_id = _text(element, "OrganId", path)
    code = _text(element, "Code", path)
    document_id = _text(element, "DocumentId", path)
    when = _date(_text(element, "PromulgationDate", path), f"{path}/PromulgationDate")
    if not (organ_id or code or document_id or when):
        return None  # real packages send an empty <ResponseFor> when the document answers nothing
    if not organ_id:
        raise EdxmlError(f"{path}/OrganId", _("is empty"))
    return ResponseFor(organ_id=organ_id, code=code, promulgation_date=when, document_id=document_id)


def _header(data: bytes, max_bytes: int | None) -> tuple[Element, Element, Element]:
    """The root, the edXMLHeader and its MessageHeader."""
    root = _root(data, max_bytes)
    envelope = _need(root, "edXMLEnvelope", "edXML")
    header = _need(envelope, "edXMLHeader", "edXMLEnvelope")
    return root, header, _need(header, "MessageHeader", "edXMLHeader")


def parse_package(data: bytes, *, max_bytes: int | None = None) -> Package:
    """Read a document package; refuse (EdxmlError) anything we could not import whole."""
    root, header, message = _header(data, max_bytes)
    if _child(message, "StatusCode", "MessageHeader") is not None:
        raise EdxmlError("MessageHeader/StatusCode", _("this is a status message, not a document package"))
    path = "MessageHeader"
    senders = _children(message, "From")
    if len(senders) != 1:
        raise EdxmlError(f"{path}/From", _("is missing") if not senders else _("appears more than once"))
    to = tuple(_organ(element, f"{path}/To") for element in _children(message, "To"))
    if not to:
        raise EdxmlError(f"{path}/To", _("is missing"))
    code = _need(message, "Code", path)
    promulgation = _need(message, "PromulgationInfo", path)
    doc_type = _need(message, "DocumentType", path)
    signer = _child(message, "SignerInfo", path)
    other = _child(message, "OtherInfo", path)
    places = _child(message, "ToPlaces", path)
    appendixes = _child(other, "Appendixes", f"{path}/OtherInfo") if other is not None else None
    trace = _child(header, "TraceHeaderList", "edXMLHeader")
    return Package(
        sender=_organ(senders[0], f"{path}/From"),
        to=to,
        code_number=_text(code, "CodeNumber", f"{path}/Code", required=True),
        code_notation=_text(code, "CodeNotation", f"{path}/Code"),
        document_id=_text(message, "DocumentId", path, required=True),
        place=_text(promulgation, "Place", f"{path}/PromulgationInfo"),
        promulgation_date=_required_date(promulgation, f"{path}/PromulgationInfo"),
        type_code=_text(doc_type, "Type", f"{path}/DocumentType"),
        type_detail=_text(doc_type, "TypeDetail", f"{path}/DocumentType"),
        type_name=_text(doc_type, "TypeName", f"{path}/DocumentType", required=True),
        subject=_text(message, "Subject", path, required=True),
        content=_text(message, "Content", path),
        signer=Signer(competence=_text(signer, "Competence"), position=_text(signer, "Position"),
                      full_name=_text(signer, "FullName")),
        due_date=_date(_text(message, "DueDate", path), f"{path}/DueDate"),
        to_places=tuple(text for text in (_plain(e) for e in _children(places, "Place")) if text)
        if places is not None else (),
        other=OtherInfo(
            priority=_int(_text(other, "Priority"), f"{path}/OtherInfo/Priority", low=0, high=4),
            sphere=_text(other, "SphereOfPromulgation"),
            typer_notation=_text(other, "TyperNotation"),
            promulgation_amount=_int(_text(other, "PromulgationAmount"), f"{path}/OtherInfo/PromulgationAmount",
                                     low=0),
            page_amount=_int(_text(other, "PageAmount"), f"{path}/OtherInfo/PageAmount", low=0),
            direction=_text(other, "Direction"),
            appendixes=tuple(text for text in (_plain(e) for e in _children(appendixes, "Appendix")) if text)
            if appendixes is not None else (),
        ),
        steering_type=_int(_text(message, "SteeringType", path), f"{path}/SteeringType", low=0),
        response_for=tuple(found for found in (_response_for(e, f"{path}/ResponseFor")
                                               for e in _children(message, "ResponseFor")) if found),
        trace_headers=_trace_headers(trace),
        business=_business(trace),
        attachments=tuple(_attachments(root)),
    )


def _plain(element: Element) -> str:
    return (element.text or "").strip()


def _required_date(parent: Element, path: str) -> date:
    value = _date(_text(parent, "PromulgationDate", path, required=True), f"{path}/PromulgationDate",
                  required=True)
    assert value is not None
    return value


def _trace_headers(trace: Element | None) -> tuple[TraceHeader, ...]:
    if trace is None:
        return ()
    path = "TraceHeaderList/TraceHeader"
    return tuple(TraceHeader(organ_id=_text(element, "OrganId", path, required=True),
                             timestamp=_datetime(_text(element, "Timestamp", path), f"{path}/Timestamp"))
                 for element in _children(trace, "TraceHeader"))


def _business(trace: Element | None) -> Business | None:
    element = _child(trace, "Bussiness", "TraceHeaderList") if trace is not None else None
    if element is None:
        return None
    path = "TraceHeaderList/Bussiness"
    doc_type = _int(_text(element, "BussinessDocType", path), f"{path}/BussinessDocType", low=0, high=3)
    info = _child(element, "BussinessDocumentInfo", path)
    receivers: list[Receiver] = []
    if info is not None:
        for receiver_list in _children(info, "ReceiverList"):
            for receiver in _children(receiver_list, "Receiver"):
                kind = _int(_text(receiver, "ReceiverType", f"{path}/Receiver"), f"{path}/Receiver/ReceiverType",
                            low=0, high=1)
                receivers.append(Receiver(organ_id=_text(receiver, "OrganId", f"{path}/Receiver", required=True),
                                          receiver_type=1 if kind is None else kind))
    replacements: list[Replacement] = []
    for replacement_list in _children(element, "ReplacementInfoList"):
        for replacement in _children(replacement_list, "ReplacementInfo"):
            organs = _child(replacement, "OrganIdList", f"{path}/ReplacementInfo")
            replacements.append(Replacement(
                document_id=_text(replacement, "DocumentId", f"{path}/ReplacementInfo", required=True),
                organ_ids=tuple(_plain(e) for e in _children(organs, "OrganId")) if organs is not None else ()))
    return Business(
        doc_type=doc_type or 0, reason=_text(element, "BussinessDocReason"),
        document_id=_text(element, "DocumentId"), paper=_text(element, "Paper"),
        staff=_staff(_child(element, "StaffInfo", path)),
        document_info=_text(info, "DocumentInfo"), document_receiver=_text(info, "DocumentReceiver"),
        receivers=tuple(receivers), replacements=tuple(replacements))


def _attachments(root: Element) -> Iterator[Attachment]:
    # Descriptions may sit only in the manifest; match them by ContentId
    manifest: dict[str, str] = {}
    found_manifest = _find(root, "edXMLManifest")
    if found_manifest is not None:
        for reference in _children(found_manifest, "Reference"):
            manifest[_text(reference, "ContentId")] = _text(reference, "Description")
    encoded = _child(root, "AttachmentEncoded", "edXML")
    if encoded is None:
        return
    unzipped_left = _limit("EDXML_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES)
    for number, element in enumerate(_children(encoded, "Attachment"), start=1):
        path = f"AttachmentEncoded/Attachment[{number}]"
        name = _text(element, "AttachmentName", path, required=True)
        content_id = _text(element, "ContentId", path)
        declared = _text(element, "ContentType", path).lower()
        description = _text(element, "Description", path) or manifest.get(content_id, "")
        raw = _base64(_text(element, "ContentTransferEncoded", path, required=True),
                      f"{path}/ContentTransferEncoded")
        if declared in ZIP_TYPES and not name.lower().endswith(".zip"):
            files = _unzip(raw, f"{path}/ContentTransferEncoded", unzipped_left)
            unzipped_left -= sum(len(data) for _name, data in files)
            for entry, data in files:
                # a ZIP of one file carries the package's name for it (entry names are often generated ids)
                file_name = name if len(files) == 1 else entry
                yield Attachment(name=file_name, content_type=_guess(file_name), data=data,
                                 description=description, content_id=content_id)
        else:
            yield Attachment(name=name, content_type=declared or _guess(name), data=raw,
                             description=description, content_id=content_id)


_BASE64 = re.compile(rb"[A-Za-z0-9+/]*={0,2}")


def _base64(text: str, where: str) -> bytes:
    compact = "".join(text.split()).encode("ascii", "replace")
    if len(compact) % 4 or not _BASE64.fullmatch(compact):
        raise EdxmlError(where, _("is not valid base64"))
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise EdxmlError(where, _("is not valid base64")) from None


def _unzip(raw: bytes, where: str, limit: int) -> list[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [info for info in archive.infolist() if not info.is_dir()]
        if not entries:
            raise EdxmlError(where, _("the ZIP holds no file"))
        if len(entries) > MAX_ZIP_ENTRIES:
            raise EdxmlError(where, _("the ZIP holds more than %(n)d files") % {"n": MAX_ZIP_ENTRIES})
        files: list[tuple[str, bytes]] = []
        for info in entries:
            # file_size is the ZIP's own claim; read at most one byte past the limit so a lying entry is caught too
            if info.file_size > limit:
                raise EdxmlError(where, _("the unzipped files are larger than the limit of %(n)d bytes")
                                 % {"n": limit})
            with archive.open(info) as handle:
                data = handle.read(limit + 1)
            if len(data) > limit:
                raise EdxmlError(where, _("the unzipped files are larger than the limit of %(n)d bytes")
                                 % {"n": limit})
            limit -= len(data)
            files.append((info.filename.rsplit("/", 1)[-1], data))
        return files
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError) as exc:
        if isinstance(exc, EdxmlError):
            raise
        raise EdxmlError(where, _("is not a readable ZIP: %(error)s") % {"error": exc}) from exc


def _guess(name: str) -> str:
    return mimetypes.guess_type(name, strict=False)[0] or "application/octet-stream"


def parse_status(data: bytes, *, max_bytes: int | None = None) -> Status:
    """Read a status message (codes 01-06, 13, 15, 16)."""
    _root_element, _header_element, message = _header(data, max_bytes)
    path = "MessageHeader"
    code = _text(message, "StatusCode", path, required=True)
    if code not in STATUS_CODES:
        raise EdxmlError(f"{path}/StatusCode", _("%(code)s is not a status code we know") % {"code": code[:10]})
    response = _response_for(_need(message, "ResponseFor", path), f"{path}/ResponseFor")
    if response is None:
        raise EdxmlError(f"{path}/ResponseFor", _("is empty"))
    timestamp = _datetime(_text(message, "Timestamp", path, required=True), f"{path}/Timestamp", required=True)
    assert timestamp is not None
    return Status(sender=_organ(_need(message, "From", path), f"{path}/From"), response_for=response,
                  status_code=code, timestamp=timestamp, description=_text(message, "Description", path),
                  staff=_staff(_child(message, "StaffInfo", path)))


# ------------------------------------------------------------------------------------------------- writing

# XML 1.0 cannot carry most control characters; refuse them instead of writing a package nobody can read
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Writer:
    """A tiny writer: every child element gets the ``edXML:`` prefix (hubs reject unprefixed children)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, name: str, value: object) -> None:
        if value is None:
            value = ""
        if isinstance(value, datetime):
            value = value.strftime("%Y/%m/%d %H:%M:%S")
        elif isinstance(value, date):
            value = value.strftime("%Y/%m/%d")
        string = str(value)
        if _NOT_XML.search(string):
            raise EdxmlError(name, _("contains characters XML cannot carry"))
        if not string:
            self.parts.append(f"<edXML:{name}/>")
            return
        # \r would come back as \n after XML end-of-line handling; the character reference keeps it
        self.parts.append(f"<edXML:{name}>{escape(string, {chr(13): '&#13;'})}</edXML:{name}>")

    def open(self, name: str, attributes: str = "") -> None:
        self.parts.append(f"<edXML:{name}{attributes}>")

    def close(self, name: str) -> None:
        self.parts.append(f"</edXML:{name}>")

    def document(self, body: Iterable[str] = ()) -> bytes:
        head = (f'<?xml version="1.0" encoding="UTF-8"?>\n<edXML xmlns="{NAMESPACE}" xmlns:edXML="{NAMESPACE}">'
                f"<edXML:edXMLEnvelope><edXML:edXMLHeader>")
        return (head + "".join(self.parts) + "".join(body) + "</edXML>").encode("utf-8")


def _write_organ(writer: _Writer, name: str, organ: Organ) -> None:
    writer.open(name)
    writer.text("OrganId", organ.organ_id)
    writer.text("OrganizationInCharge", organ.organization_in_charge)
    writer.text("OrganName", organ.name)
    writer.text("OrganAdd", organ.address)
    writer.text("Email", organ.email)
    writer.text("Telephone", organ.telephone)
    writer.text("Fax", organ.fax)
    writer.text("Website", organ.website)
    writer.close(name)


def _write_staff(writer: _Writer, staff: Staff | None) -> None:
    if staff is None:
        return
    writer.open("StaffInfo")
    writer.text("Department", staff.department)
    writer.text("Staff", staff.staff)
    writer.text("Email", staff.email)
    writer.text("Mobile", staff.mobile)
    writer.close("StaffInfo")


def _write_response_for(writer: _Writer, response: ResponseFor) -> None:
    writer.open("ResponseFor")
    writer.text("OrganId", response.organ_id)
    writer.text("Code", response.code)
    writer.text("PromulgationDate", response.promulgation_date)
    writer.text("DocumentId", response.document_id)
    writer.close("ResponseFor")


def _zip_one(name: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        # a fixed time keeps the package bytes reproducible for the same document
        archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _required(value: str, name: str) -> None:
    if not value.strip():
        raise EdxmlError(name, _("is empty"))


def build_package(package: Package, *, zipped: bool = True) -> bytes:
    """Write a document package. Files go base64-encoded in AttachmentEncoded, each in a ZIP of its own as real
    packages carry them (``zipped=False`` writes them plain with their own content type)."""
    _required(package.sender.organ_id, "From/OrganId")
    if not package.to:
        raise EdxmlError("To", _("is missing"))
    for name, value in (("Code/CodeNumber", package.code_number), ("DocumentId", package.document_id),
                        ("Subject", package.subject), ("DocumentType/TypeName", package.type_name)):
        _required(value, name)
    w = _Writer()
    w.open("MessageHeader")
    _write_organ(w, "From", package.sender)
    for organ in package.to:
        _required(organ.organ_id, "To/OrganId")
        _write_organ(w, "To", organ)
    w.text("DocumentId", package.document_id)
    w.open("Code")
    w.text("CodeNumber", package.code_number)
    w.text("CodeNotation", package.code_notation)
    w.close("Code")
    w.open("PromulgationInfo")
    w.text("Place", package.place)
    w.text("PromulgationDate", package.promulgation_date)
    w.close("PromulgationInfo")
    w.open("DocumentType")
    w.text("Type", package.type_code)
    w.text("TypeDetail", package.type_detail)
    w.text("TypeName", package.type_name)
    w.close("DocumentType")
    w.text("Subject", package.subject)
    w.text("Content", package.content)
    w.open("SignerInfo")
    w.text("Competence", package.signer.competence)
    w.text("Position", package.signer.position)
    w.text("FullName", package.signer.full_name)
    w.close("SignerInfo")
    w.text("DueDate", package.due_date)
    w.open("ToPlaces")
    for place in package.to_places:
        w.text("Place", place)
    w.close("ToPlaces")
    other = package.other
    w.open("OtherInfo")
    w.text("Priority", other.priority)
    w.text("SphereOfPromulgation", other.sphere)
    w.text("TyperNotation", other.typer_notation)
    w.text("PromulgationAmount", other.promulgation_amount)
    w.text("PageAmount", other.page_amount)
    w.text("Direction", other.direction)
    w.open("Appendixes")
    for appendix in other.appendixes:
        w.text("Appendix", appendix)
    w.close("Appendixes")
    w.close("OtherInfo")
    for response in package.response_for:
        _write_response_for(w, response)
    w.text("SteeringType", package.steering_type)
    w.close("MessageHeader")
    w.open("TraceHeaderList")
    for trace in package.trace_headers:
        w.open("TraceHeader")
        w.text("OrganId", trace.organ_id)
        w.text("Timestamp", trace.timestamp)
        w.close("TraceHeader")
    if package.business is not None:
        _write_business(w, package.business)
    w.close("TraceHeaderList")
    w.close("edXMLHeader")
    files: list[tuple[Attachment, str, str, bool]] = []  # the file, its ContentId, declared type, zip it
    for number, attachment in enumerate(package.attachments, start=1):
        _required(attachment.name, "Attachment/AttachmentName")
        if not attachment.data:
            raise EdxmlError("Attachment/ContentTransferEncoded", _("the file %(name)s is empty")
                             % {"name": attachment.name})
        content_id = attachment.content_id or f"cid:{number}"
        # a .zip goes as it is: the reader keeps a file named .zip whole instead of unpacking it
        if zipped and not attachment.name.lower().endswith(".zip"):
            files.append((attachment, content_id, "application/zip", True))
        else:
            files.append((attachment, content_id, attachment.content_type or _guess(attachment.name), False))
    w.open("edXMLBody")
    w.open("edXMLManifest", ' version="1.0"')
    for attachment, content_id, content_type, _zip in files:
        w.open("Reference")
        w.text("ContentId", content_id)
        w.text("ContentType", content_type)
        w.text("Description", attachment.description)
        w.text("AttachmentName", attachment.name)
        w.close("Reference")
    w.close("edXMLManifest")
    w.close("edXMLBody")
    w.close("edXMLEnvelope")
    if files:
        w.open("AttachmentEncoded")
        for attachment, content_id, content_type, zip_it in files:
            data = _zip_one(attachment.name, attachment.data) if zip_it else attachment.data
            w.open("Attachment")
            w.text("ContentId", content_id)
            w.text("AttachmentName", attachment.name)
            w.text("Description", attachment.description)
            w.text("ContentType", content_type)
            w.text("ContentTransferEncoded", base64.b64encode(data).decode("ascii"))
            w.close("Attachment")
        w.close("AttachmentEncoded")
    return w.document()


def _write_business(w: _Writer, business: Business) -> None:
    w.open("Bussiness")  # sic: the standard's spelling
    w.text("DocumentId", business.document_id)
    w.text("BussinessDocType", business.doc_type)
    w.text("BussinessDocReason", business.reason)
    w.text("Paper", business.paper)
    if business.document_info or business.document_receiver or business.receivers:
        w.open("BussinessDocumentInfo")
        w.text("DocumentInfo", business.document_info)
        w.text("DocumentReceiver", business.document_receiver)
        w.open("ReceiverList")
        for receiver in business.receivers:
            w.open("Receiver")
            w.text("OrganId", receiver.organ_id)
            w.text("ReceiverType", receiver.receiver_type)
            w.close("Receiver")
        w.close("ReceiverList")
        w.close("BussinessDocumentInfo")
    if business.replacements:
        w.open("ReplacementInfoList")
        for replacement in business.replacements:
            w.open("ReplacementInfo")
            w.text("DocumentId", replacement.document_id)
            w.open("OrganIdList")
            for organ_id in replacement.organ_ids:
                w.text("OrganId", organ_id)
            w.close("OrganIdList")
            w.close("ReplacementInfo")
        w.close("ReplacementInfoList")
    _write_staff(w, business.staff)
    w.close("Bussiness")


def build_status(status: Status) -> bytes:
    """Write a status message about a document we received (or, for 13, one we sent)."""
    if status.status_code not in STATUS_CODES:
        raise EdxmlError("StatusCode", _("%(code)s is not a status code we know") % {"code": status.status_code})
    _required(status.sender.organ_id, "From/OrganId")
    _required(status.response_for.organ_id, "ResponseFor/OrganId")
    w = _Writer()
    w.open("MessageHeader")
    _write_organ(w, "From", status.sender)
    _write_response_for(w, status.response_for)
    _write_staff(w, status.staff)
    w.text("StatusCode", status.status_code)
    w.text("Description", status.description)
    w.text("Timestamp", status.timestamp)
    w.close("MessageHeader")
    w.close("edXMLHeader")
    w.close("edXMLEnvelope")
    return w.document()
