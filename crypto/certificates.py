"""X.509 certificates of signing keys: a self-signed one for a simulator, and the keys a certificate file trusts.

Freja eID signs its results as a JWS whose `x5t` header names the signing certificate (the base64url SHA-1
thumbprint of its DER encoding, RFC 7515 §4.1.7). A relying party trusts Freja's certificates by file, so
reading a PEM file into "thumbprint → public key" lives here, where `cryptography` is allowed.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID


class CertificateError(ValueError):
    """A certificate or key file that cannot be used; the message names no key material."""


def self_signed_certificate_pem(
    private_key_pem: bytes, common_name: str, *, valid_for: timedelta = timedelta(days=3650)
) -> bytes:
    """A self-signed certificate for the RSA key in `private_key_pem`, valid from now for `valid_for`."""
    key = _rsa_private_key(private_key_pem)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + valid_for)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def trusted_signing_keys(pem: bytes) -> dict[str, bytes]:
    """The public keys of every certificate in `pem`, as PEM, by their `x5t` thumbprint.

    A bundle of several certificates lets a provider roll its signing certificate over without a gap.
    """
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError:
        raise CertificateError("the file holds no PEM certificate") from None
    keys: dict[str, bytes] = {}
    for certificate in certificates:
        public_key = certificate.public_key()
        if not isinstance(public_key, rsa.RSAPublicKey):
            raise CertificateError("only RSA signing certificates are supported")
        keys[x5t_thumbprint(certificate.public_bytes(serialization.Encoding.DER))] = public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    return keys


def x5t_thumbprint(der: bytes) -> str:
    """The `x5t` value of a DER-encoded certificate: base64url (no padding) of its SHA-1 digest."""
    # SHA-1 is what RFC 7515 defines for x5t; it names a certificate, it does not protect anything.
    digest = hashlib.sha1(der, usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _rsa_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError):
        raise CertificateError("the key is not an unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise CertificateError("the key is not an RSA key")
    return key
