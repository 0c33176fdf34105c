"""Errors raised by the crypto layer.

    CryptoError
    ├── DecryptionError   a ciphertext or wrapped key did not open; always the same message
    └── KeyringError      the keyring cannot be used: key file missing, unsafe or malformed,
                          Key Vault unreachable or refusing us

`DecryptionError` is deliberately opaque: a flipped bit, the wrong associated data, a
truncated or reordered stream, an unknown format version, an unknown key id and a wrong key
all look the same to the caller, so an attacker probing with forged ciphertexts learns
nothing about which check failed. It is raised `from None` so not even the chained
traceback tells the cases apart.

Messages never contain key material, plaintext or associated data.
"""


class CryptoError(Exception):
    """Base of every crypto error."""


class DecryptionError(CryptoError):
    """A ciphertext, stream or wrapped key failed to open. The message never varies."""

    MESSAGE = "decryption failed"

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


class KeyringError(CryptoError):
    """The keyring cannot be used; the message says what to fix, never a key."""
