"""Sigill's cryptography: the only package that imports `cryptography`.

Modules, from the bottom up:

- `errors`            the exception tree (one opaque `DecryptionError`)
- `aead`              the AEAD interface and the sealed-value format (AES-256-GCM)
- `subkeys`           HKDF subkeys of a data key, one per use
- `segments`, `stream` streaming encryption of attachments (the STREAM construction)
- `wrapped`           the self-describing format of a wrapped data key
- `keyring`, `keyring_file`, `keyring_keyvault`  key-encryption keys and their rotation
- `lookup_keyvault`   the lookup (HMAC) key as a Key Vault secret, in Key Vault mode
- `envelope`          a fresh data key per message, wrapped by the keyring
- `sealed_box`        a small value with a data key of its own (outbox payloads)
- `key_cache`         unwrapped data keys remembered for minutes, so listings do not ask the keyring each time
- `hashing`           argon2id for passwords, HMAC-SHA256 for lookups
- `signing_keys`, `certificates`  RSA signing keys; self-signed certificates and the keys a certificate file trusts
- `checkpoint_signing`, `checkpoint_signing_keyvault`  signatures of audit checkpoints (Ed25519 in a
  file, ES256 in Key Vault), verified with the public key alone
- `baseline`          bare AES-GCM throughput, the benchmark's reference figure

The byte formats are documented in docs/crypto-format.md.
"""
