"""Key pairs for signing tokens (the development issuer's RS256 key)."""

from __future__ import annotations

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

RSA_BITS = 2048


def new_rsa_private_key_pem(bits: int = RSA_BITS) -> bytes:
    """A fresh RSA private key in unencrypted PKCS#8 PEM; the caller stores it with mode 0600."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
