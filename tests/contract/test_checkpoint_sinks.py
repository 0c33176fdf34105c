"""Both checkpoint sinks keep every checkpoint, hand back each organisation's newest, and never replace one.

`[file]` runs the JSON-lines file under a temp directory, `[azurite]` the blob sink against
Azurite, Azure's Blob Storage emulator.
"""

from __future__ import annotations

import stat
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from azure.storage.blob.aio import BlobServiceClient

from store.checkpoints import Checkpoint, CheckpointSink, FileCheckpointSink
from store.checkpoints_azure import BlobCheckpointSink
from store.errors import ConflictError, CorruptCheckpoint
from tests.fixtures.azurite import Azurite

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def _checkpoint(org_id: str, seq: int, minutes: int = 0, head: str = "a") -> Checkpoint:
    return Checkpoint(
        org_id=org_id,
        seq=seq,
        head_hash=(head * 64)[:64],
        at=T0 + timedelta(minutes=minutes),
        key_id="ed25519:abc",
        algorithm="Ed25519",
        signature=bytes(range(64)),
    )


@pytest.fixture(params=["file", "azurite"])
async def sink(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[CheckpointSink]:
    made: CheckpointSink
    if request.param == "file":
        made = FileCheckpointSink(tmp_path / "var" / "audit-checkpoints.jsonl")
    else:
        azurite: Azurite = request.getfixturevalue("azurite")
        made = BlobCheckpointSink.from_connection_string(
            azurite.connection_string, azurite.new_container_name()
        )
    await made.open()
    yield made
    await made.close()


async def test_an_empty_sink_has_no_checkpoints(sink: CheckpointSink) -> None:
    assert await sink.latest() == {}


async def test_the_newest_checkpoint_of_each_organisation_comes_back_whole(sink: CheckpointSink) -> None:
    for checkpoint in (
        _checkpoint("org-a", 3, 0),
        _checkpoint("org-b", 7, 1, head="b"),
        _checkpoint("org-a", 9, 2, head="c"),
        _checkpoint("org/ä c", 1, 3),  # any organisation id survives the naming
        _checkpoint("org-a", 9, 4, head="d"),  # the same head anchored again later
    ):
        await sink.append(checkpoint)
    latest = await sink.latest()
    assert latest == {
        "org-a": _checkpoint("org-a", 9, 4, head="d"),
        "org-b": _checkpoint("org-b", 7, 1, head="b"),
        "org/ä c": _checkpoint("org/ä c", 1, 3),
    }
    await sink.append(_checkpoint("org-b", 8, 5))
    assert (await sink.latest())["org-b"].seq == 8


async def test_the_checkpoint_file_is_private_and_only_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    sink = FileCheckpointSink(path)
    await sink.open()
    await sink.append(_checkpoint("org-a", 1))
    first = path.read_bytes()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await sink.append(_checkpoint("org-a", 2))
    assert path.read_bytes().startswith(first)
    assert len(path.read_bytes().splitlines()) == 2
    assert Checkpoint.from_json(path.read_bytes().splitlines()[1]) == _checkpoint("org-a", 2)


async def test_a_line_that_is_not_a_checkpoint_is_reported_by_its_number(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    sink = FileCheckpointSink(path)
    await sink.append(_checkpoint("org-a", 1))
    assert (await sink.latest())["org-a"].seq == 1
    with path.open("a") as file:
        file.write('{"format": "sigill-checkpoint/1", "org_id": "org-a", "seq": "many"}\n')
    with pytest.raises(CorruptCheckpoint, match=f"line 2 of {path}"):
        await FileCheckpointSink(path).latest()
    with pytest.raises(CorruptCheckpoint, match="line 2"):
        await sink.latest()  # also when only the new part is read


async def test_a_checkpoint_file_replaced_by_hand_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "checkpoints.jsonl"
    sink = FileCheckpointSink(path)
    await sink.append(_checkpoint("org-a", 5))
    assert (await sink.latest())["org-a"].seq == 5
    path.unlink()
    other = FileCheckpointSink(path)
    await other.append(_checkpoint("org-b", 1))
    assert set(await sink.latest()) == {"org-b"}


async def test_a_checkpoint_blob_is_never_overwritten(azurite: Azurite) -> None:
    container = azurite.new_container_name()
    sink = BlobCheckpointSink(
        BlobServiceClient.from_connection_string(azurite.connection_string), container, suffix=lambda: "fixed"
    )
    await sink.open()
    original = _checkpoint("org-a", 4, head="a")
    await sink.append(original)
    forged = _checkpoint("org-a", 4, head="f")  # the same name, other content
    with pytest.raises(ConflictError):
        await sink.append(forged)
    assert (await sink.latest())["org-a"] == original
    async with BlobServiceClient.from_connection_string(azurite.connection_string) as service:
        names = [blob.name async for blob in service.get_container_client(container).list_blobs()]
    assert len(names) == 1
    await sink.close()
