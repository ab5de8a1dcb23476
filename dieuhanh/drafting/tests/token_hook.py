"""A stand-in for a USB token driver, used by the external-signer test: it holds the key the server never sees."""

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

KEY = None
CALLS = 0


def sign(credential, data, digest_algorithm):
    global CALLS
    CALLS += 1
    algorithm = {"sha256": hashes.SHA256(), "sha384": hashes.SHA384(), "sha512": hashes.SHA512()}[digest_algorithm]
    return KEY.key.sign(data, ec.ECDSA(algorithm))
