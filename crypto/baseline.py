"""The reference figure for the streaming benchmark: AES-256-GCM with nothing around it.

It lives here because crypto/ is the only package that touches `cryptography`.
"""

from __future__ import annotations

import os
import time

from crypto.aead import KEY_SIZE, NONCE_SIZE, aes_gcm


def raw_aesgcm_seconds(total_bytes: int, chunk_size: int = 64 * 1024) -> float:
    """Seconds to encrypt `total_bytes` in memory as independent `chunk_size` messages."""
    aesgcm = aes_gcm(os.urandom(KEY_SIZE))
    chunk = os.urandom(chunk_size)
    count = max(1, total_bytes // chunk_size)
    started = time.perf_counter()
    for counter in range(count):
        aesgcm.encrypt(counter.to_bytes(NONCE_SIZE, "big"), chunk, None)
    return time.perf_counter() - started
