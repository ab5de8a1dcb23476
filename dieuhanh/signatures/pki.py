"""Keys and certificates: a small certificate authority for the demo and the tests, PKCS#12 containers for the
keys the server holds. Production installations import certificates issued by their real CA instead."""

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALGORITHMS = ("ecdsa-p256", "rsa-2048")


@dataclass
class Issued:
    key: object
    certificate: x509.Certificate

    def p12(self, passphrase, *, name="", chain=()):
        """The key and certificate as PKCS#12 bytes encrypted with ``passphrase`` (AES-256, PBKDF2)."""
        encryption = (serialization.PrivateFormat.PKCS12.encryption_builder()
                      .kdf_rounds(50000)
                      .key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC)
                      .hmac_hash(hashes.SHA256())
                      .build(passphrase.encode()))
        return pkcs12.serialize_key_and_certificates(
            (name or "key").encode(), self.key, self.certificate, list(chain) or None, encryption)

    @property
    def pem(self):
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode()


def new_key(algorithm="ecdsa-p256"):
    if algorithm == "ecdsa-p256":
        return ec.generate_private_key(ec.SECP256R1())
    if algorithm == "rsa-2048":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"Unknown key algorithm {algorithm!r}; use one of {', '.join(ALGORITHMS)}.")


def _name(common_name, organization="", unit=""):
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
    if unit:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]))
    return x509.Name(parts)


def _builder(subject, issuer, public_key, *, days):
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))


def create_ca(common_name, *, organization="", days=3650, algorithm="ecdsa-p256"):
    key = new_key(algorithm)
    name = _name(common_name, organization)
    cert = (_builder(name, name, key.public_key(), days=days)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def issue(ca, common_name, *, organization="", unit="", days=730, algorithm="ecdsa-p256", purpose="signing"):
    """A certificate signed by ``ca``: ``purpose`` is "signing" (people and organizations) or "timestamping"."""
    key = new_key(algorithm)
    builder = (_builder(_name(common_name, organization, unit), ca.certificate.subject, key.public_key(), days=days)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    if purpose == "timestamping":
        builder = (builder
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True)
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True))
    else:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                          encipher_only=False, decipher_only=False), critical=True)
    return Issued(key, builder.sign(ca.key, hashes.SHA256()))


def load_p12(data, passphrase):
    """``(key, certificate, chain)`` from PKCS#12 bytes; ValueError when the passphrase is wrong."""
    key, cert, chain = pkcs12.load_key_and_certificates(data, (passphrase or "").encode() or None)
    if key is None or cert is None:
        raise ValueError("The container holds no key and certificate.")
    return key, cert, chain or []


def load_pem(pem):
    return x509.load_pem_x509_certificate(pem.encode() if isinstance(pem, str) else pem)


def describe(cert):
    """The facts people check on a certificate."""
    def cn(name):
        attrs = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return attrs[0].value if attrs else name.rfc4514_string()

    def org(name):
        attrs = name.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
        return attrs[0].value if attrs else ""

    return {"subject": cn(cert.subject), "organization": org(cert.subject), "issuer": cn(cert.issuer),
            "serial": format(cert.serial_number, "x"), "not_before": cert.not_valid_before_utc,
            "not_after": cert.not_valid_after_utc,
            "fingerprint": cert.fingerprint(hashes.SHA256()).hex()}


def reaches_root(cert, chain, roots, *, at=None):
    """Whether ``cert`` chains, through the certificates of ``chain``, to one of ``roots``: each link is directly
    issued (name and signature) by the next, and every certificate on the way is valid at ``at``. Revocation is
    not fetched: on a closed network the trust list is the configuration (decision 0029)."""
    at = at or datetime.datetime.now(datetime.UTC)
    root_fps = {r.fingerprint(hashes.SHA256()) for r in roots}
    pool = list(chain) + list(roots)
    current, seen = cert, set()
    for _depth in range(8):  # a real chain is 2-4 long; the bound stops loops in a hostile container
        if not (current.not_valid_before_utc <= at <= current.not_valid_after_utc):
            return False
        if current.fingerprint(hashes.SHA256()) in root_fps:
            return True
        seen.add(current.fingerprint(hashes.SHA256()))
        issuer = None
        for candidate in pool:
            if candidate.subject != current.issuer or candidate.fingerprint(hashes.SHA256()) in seen:
                continue
            try:
                current.verify_directly_issued_by(candidate)
                if candidate.fingerprint(hashes.SHA256()) not in root_fps:  # an intermediate must be a CA
                    if not candidate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                        continue
            except Exception:  # wrong key, unsupported algorithm, not a CA: not this one
                continue
            issuer = candidate
            break
        if issuer is None:
            return False
        current = issuer
    return False


def subject_names(cert):
    """The common name and organization name of the subject (what a CA writes for a person or a unit)."""
    def attr(oid):
        return [a.value for a in cert.subject.get_attributes_for_oid(oid)]

    return attr(NameOID.COMMON_NAME), attr(NameOID.ORGANIZATION_NAME)
