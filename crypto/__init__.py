"""Sigill's cryptography: the only package that imports `cryptography`.

Modules, from the bottom up:

- `errors`            the exception tree (one opaque `DecryptionError`)
- `aead`              the AEAD interface and the sealed-value format (AES-256-GCM)
- `subkeys`           HKDF subkeys of a data key, one per use
- `segments`, `stream` streaming encryption of attachments (the STREAM construction)
- `wrapped`           the self-describing format of a wrapped data key
- `keyring`, `keyring_file`, `keyring_keyvault`  key-encryption keys and their rotation
- `envelope`          a fresh data key per message, wrapped by the keyring
- `hashing`           argon2id for passwords, HMAC-SHA256 for lookups
- `baseline`          bare AES-GCM throughput, the benchmark's reference figure

The byte formats are documented in docs/crypto-format.md.
"""
