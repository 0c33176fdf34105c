"""Regenerate the known-answer vectors in vectors/ (run only when the format changes on purpose).

    .venv/bin/python -m tests.unit.crypto.generate_vectors

Every random input (keys, nonces, salts) is fixed here and injected as `random_bytes`, so the
outputs are reproducible; the tests recompute them and also check them against the format
as docs/crypto-format.md describes it, with the primitives alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from crypto.envelope import DataKey
from crypto.hashing import LookupHasher
from crypto.keyring_file import FileKeyring
from tests.unit.crypto.support import VECTORS, Script, collect, once, pattern

DATA_KEY = bytes(range(32))
NONCE = bytes.fromhex("000102030405060708090a0b")
AD = b"sigill/1\x1forg-1\x1fmessage-1\x1fcontent"


def _sealed_cases() -> list[dict[str, str]]:
    cases = [
        ("empty plaintext", b"", AD),
        ("short text", "Hej från Västerås kommun".encode(), AD),
        ("empty associated data", b"secret", b""),
        ("one kilobyte", pattern(1000), AD),
    ]
    out = []
    for name, plaintext, ad in cases:
        key = DataKey(DATA_KEY, random_bytes=Script(NONCE))
        out.append(
            {
                "name": name,
                "data_key": DATA_KEY.hex(),
                "nonce": NONCE.hex(),
                "plaintext": plaintext.hex(),
                "associated_data": ad.hex(),
                "ciphertext": key.encrypt(plaintext, ad).hex(),
            }
        )
    return out


async def _stream_cases() -> list[dict[str, Any]]:
    salt, prefix = bytes(range(100, 116)), bytes(range(200, 207))
    ad = b"sigill/1\x1forg-1\x1fmessage-1\x1fattachment:a1"
    cases = [("empty", 64, 0), ("shorter than a segment", 64, 63), ("exactly one segment", 64, 64)]
    cases += [("one byte into a second segment", 64, 65), ("several segments", 64, 200)]
    cases += [("default segment size, three segments", 256 << 10, 600 << 10)]
    out = []
    for name, segment_size, length in cases:
        key = DataKey(DATA_KEY, random_bytes=Script(salt, prefix), segment_size=segment_size)
        ciphertext = await collect(key.encrypt_stream(once(pattern(length)), ad))
        case: dict[str, Any] = {
            "name": name,
            "data_key": DATA_KEY.hex(),
            "salt": salt.hex(),
            "nonce_prefix": prefix.hex(),
            "segment_size": segment_size,
            "plaintext_length": length,
            "associated_data": ad.hex(),
        }
        if len(ciphertext) <= 1024:
            case["ciphertext"] = ciphertext.hex()
        else:
            case["ciphertext_sha256"] = hashlib.sha256(ciphertext).hexdigest()
            case["ciphertext_length"] = len(ciphertext)
        out.append(case)
    return out


async def _wrapped_cases() -> dict[str, Any]:
    kek, lookup_key = bytes(range(64, 96)), bytes(range(96, 128))
    id_suffix = bytes.fromhex("0a0b0c0d")
    ad = b"sigill/1\x1forg-1\x1fmessage-1\x1fkey"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keys.json"
        keyring = FileKeyring.open(path, random_bytes=Script(id_suffix, kek, lookup_key, NONCE))
        key_file = json.loads(path.read_text())
        wrapped = await keyring.wrap(DATA_KEY, ad)
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    return {
        "key_file": key_file,
        "cases": [
            {
                "key_id": keyring.current_key_id(),
                "data_key": DATA_KEY.hex(),
                "nonce": NONCE.hex(),
                "associated_data": ad.hex(),
                "wrapped": wrapped.hex(),
            }
        ],
    }


def _lookup_cases() -> dict[str, Any]:
    key = bytes(range(32, 64))
    hasher = LookupHasher(key)
    values = [("link-token", "vSx1"), ("email", "anna.andersson@vasteras.example"), ("phone", "+46701234567")]
    values += [("email", "+46701234567")]
    return {
        "key": key.hex(),
        "cases": [{"purpose": p, "value": v, "digest": hasher.digest(p, v)} for p, v in values],
    }


async def main() -> None:
    VECTORS.mkdir(exist_ok=True)
    documents = {
        "sealed.json": {"format": "sealed value, version 1", "cases": _sealed_cases()},
        "stream.json": {"format": "stream, version 1", "cases": await _stream_cases()},
        "wrapped_file.json": {"format": "wrapped key, version 1, file keyring", **await _wrapped_cases()},
        "lookup.json": {"format": "HMAC-SHA256 lookup digest", **_lookup_cases()},
    }
    for name, document in documents.items():
        (VECTORS / name).write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
