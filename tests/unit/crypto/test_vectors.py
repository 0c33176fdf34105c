"""Known-answer vectors: the formats are stable, and they are what docs/crypto-format.md says.

Each vector was made with fixed keys and nonces (generate_vectors.py). The tests recompute
every output with the same injected randomness, open every stored ciphertext, and rebuild the
outputs from the documented layout with the primitives alone (HKDF-SHA256, AES-256-GCM,
HMAC-SHA256), so the document and the code cannot drift apart.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import struct
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crypto.envelope import DataKey
from crypto.hashing import LookupHasher
from crypto.keyring_file import FileKeyring
from tests.unit.crypto.support import Script, chunks, collect, load_vectors, once, pattern

SEALED = load_vectors("sealed.json")["cases"]
STREAMS = load_vectors("stream.json")["cases"]
WRAPPED = load_vectors("wrapped_file.json")
LOOKUPS = load_vectors("lookup.json")


def _hkdf(key: bytes, salt: bytes | None, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(key)


@pytest.mark.parametrize("case", SEALED, ids=[case["name"] for case in SEALED])
def test_sealed_value_vectors(case: dict[str, str]) -> None:
    data_key, nonce = bytes.fromhex(case["data_key"]), bytes.fromhex(case["nonce"])
    plaintext, ad = bytes.fromhex(case["plaintext"]), bytes.fromhex(case["associated_data"])
    expected = bytes.fromhex(case["ciphertext"])

    assert DataKey(data_key, random_bytes=Script(nonce)).encrypt(plaintext, ad) == expected
    assert DataKey(data_key).decrypt(expected, ad) == plaintext
    # As documented: 0x01 | nonce | AES-256-GCM under HKDF(data key, no salt, "sigill/1 sealed value"), AAD 0x01 | AD.
    subkey = _hkdf(data_key, None, b"sigill/1 sealed value")
    assert expected == b"\x01" + nonce + AESGCM(subkey).encrypt(nonce, plaintext, b"\x01" + ad)


@pytest.mark.parametrize("case", STREAMS, ids=[case["name"] for case in STREAMS])
async def test_stream_vectors(case: dict[str, Any]) -> None:
    data_key, salt, prefix = (bytes.fromhex(case[name]) for name in ("data_key", "salt", "nonce_prefix"))
    ad, plaintext = bytes.fromhex(case["associated_data"]), pattern(case["plaintext_length"])
    key = DataKey(data_key, random_bytes=Script(salt, prefix), segment_size=case["segment_size"])

    ciphertext = await collect(key.encrypt_stream(chunks(plaintext, 7919), ad))

    if "ciphertext" in case:
        assert ciphertext == bytes.fromhex(case["ciphertext"])
    else:
        assert len(ciphertext) == case["ciphertext_length"]
        assert hashlib.sha256(ciphertext).hexdigest() == case["ciphertext_sha256"]
    assert await collect(DataKey(data_key).decrypt_stream(chunks(ciphertext, 1000), ad)) == plaintext
    assert ciphertext == _documented_stream(data_key, salt, prefix, case["segment_size"], plaintext, ad)


def _documented_stream(
    data_key: bytes, salt: bytes, prefix: bytes, size: int, plaintext: bytes, ad: bytes
) -> bytes:
    header = b"\x01" + struct.pack(">I", size) + salt + prefix
    aesgcm = AESGCM(_hkdf(data_key, salt, b"sigill/1 stream"))
    segments = [plaintext[start : start + size] for start in range(0, len(plaintext), size)] or [b""]
    out = [header]
    for counter, segment in enumerate(segments):
        last = counter == len(segments) - 1
        nonce = prefix + struct.pack(">I", counter) + bytes([last])
        out.append(aesgcm.encrypt(nonce, segment, header + ad))
    return b"".join(out)


async def test_file_keyring_wrapped_key_vector(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as file:
        json.dump(WRAPPED["key_file"], file)
    (case,) = WRAPPED["cases"]
    nonce, ad = bytes.fromhex(case["nonce"]), bytes.fromhex(case["associated_data"])
    data_key, expected = bytes.fromhex(case["data_key"]), bytes.fromhex(case["wrapped"])
    keyring = FileKeyring.open(path, create=False, random_bytes=Script(nonce))

    assert keyring.current_key_id() == case["key_id"]
    assert await keyring.wrap(data_key, ad) == expected
    assert await keyring.unwrap(expected, ad) == data_key
    # As documented: 0x01 | key id length (2) | key id | nonce | AES-256-GCM(KEK, data key), AAD = prefix | AD.
    key_id = case["key_id"].encode()
    prefix = b"\x01" + struct.pack(">H", len(key_id)) + key_id
    kek = base64.b64decode(WRAPPED["key_file"]["keys"][case["key_id"]])
    assert expected == prefix + nonce + AESGCM(kek).encrypt(nonce, data_key, prefix + ad)


@pytest.mark.parametrize("case", LOOKUPS["cases"], ids=lambda case: f"{case['purpose']}:{case['value']}")
def test_lookup_digest_vectors(case: dict[str, str]) -> None:
    key = bytes.fromhex(LOOKUPS["key"])
    assert LookupHasher(key).digest(case["purpose"], case["value"]) == case["digest"]
    purpose = case["purpose"].encode()
    message = struct.pack(">H", len(purpose)) + purpose + case["value"].encode()
    assert hmac.new(key, message, hashlib.sha256).hexdigest() == case["digest"]


async def test_vectors_open_from_one_chunk_and_from_single_bytes() -> None:
    case = next(case for case in STREAMS if case["name"] == "several segments")
    ciphertext, ad = bytes.fromhex(case["ciphertext"]), bytes.fromhex(case["associated_data"])
    key = DataKey(bytes.fromhex(case["data_key"]))
    expected = pattern(case["plaintext_length"])
    assert await collect(key.decrypt_stream(once(ciphertext), ad)) == expected
    assert await collect(key.decrypt_stream(chunks(ciphertext, 1), ad)) == expected
