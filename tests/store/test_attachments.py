"""Attachments in the store: TOML records, image files beside the conversation,
the trash, the JSON cache, and the exports."""

from __future__ import annotations

import base64
import json
import os
import stat
import time
from pathlib import Path

import pytest

from aichat_tui.attachments.reading import read_bytes
from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationFileError, ConversationStore, Paths
from aichat_tui.store.export import from_json, to_json, to_markdown
from aichat_tui.store.importers import merge_into_store
from tests.attachments.images import png_bytes

PNG = png_bytes(seed=7)
NOTES = b"first line\nsecond ``` line\n"


def _with_attachments(store: ConversationStore) -> Conversation:
    conv = store.create(title="files")
    conv.messages += [
        Message(
            "user",
            "explain",
            attachments=[read_bytes(NOTES, "notes.txt"), read_bytes(PNG, "shot.png")],
        ),
        Message("assistant", "it is a picture", status="complete"),
    ]
    store.save(conv)
    return conv


def _files(paths: Paths, conv_id: str) -> Path:
    return paths.conversations_dir / f"{conv_id}.files"


def test_images_live_beside_the_conversation_never_in_its_file(
    store: ConversationStore, app_dirs: Paths
) -> None:
    conv = _with_attachments(store)
    image = conv.messages[0].attachments[1]
    stored = _files(app_dirs, conv.id) / f"{image.sha256}.png"
    assert stored.read_bytes() == PNG
    if os.name == "posix":
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(stored.parent.stat().st_mode) == 0o700
    text = store.path_of(conv.id).read_text(encoding="utf-8")
    assert "[[messages.attachments]]" in text and 'name = "shot.png"' in text
    assert base64.b64encode(PNG).decode()[:20] not in text
    assert "second ``` line" in text  # the text the model saw is kept


@pytest.mark.parametrize("cached", [False, True])
def test_a_reopened_conversation_lists_its_attachments_and_can_send_them(
    store: ConversationStore, app_dirs: Paths, cached: bool
) -> None:
    conv = _with_attachments(store)
    fresh = ConversationStore(app_dirs)
    if not cached:
        fresh.cache.drop(conv.id)
    loaded = fresh.load(conv.id)
    assert fresh.cache.hits == (1 if cached else 0)
    assert loaded.messages[0].attachments == conv.messages[0].attachments
    notes, shot = loaded.messages[0].attachments
    assert (notes.name, notes.encoding, shot.name, shot.media_type) == (
        "notes.txt",
        "utf-8",
        "shot.png",
        "image/png",
    )
    wire = loaded.wire_messages()[0]["content"]
    assert wire[1]["image_url"]["url"].endswith(base64.b64encode(PNG).decode())
    assert fresh.problems == [] and [s.id for s in fresh.list()] == [conv.id]


def test_one_image_attached_twice_is_stored_once(store: ConversationStore, app_dirs: Paths) -> None:
    conv = _with_attachments(store)
    conv.messages.append(Message("user", "again", attachments=[read_bytes(PNG, "copy.png")]))
    store.save(conv)
    assert len(os.listdir(_files(app_dirs, conv.id))) == 1


def test_images_no_message_refers_to_are_removed(store: ConversationStore, app_dirs: Paths) -> None:
    conv = _with_attachments(store)
    del conv.messages[:]
    store.save(conv)
    assert not _files(app_dirs, conv.id).exists()


def test_delete_moves_the_images_to_the_trash_and_restore_brings_them_back(
    store: ConversationStore, app_dirs: Paths
) -> None:
    conv = _with_attachments(store)
    store.delete(conv.id)
    assert not _files(app_dirs, conv.id).exists()
    assert (app_dirs.trash_dir / f"{conv.id}.files").is_dir()
    store.restore(conv.id)
    assert not (app_dirs.trash_dir / f"{conv.id}.files").exists()
    loaded = ConversationStore(app_dirs).load(conv.id)
    wire = loaded.wire_messages()[0]["content"]
    assert wire[1]["image_url"]["url"].endswith(base64.b64encode(PNG).decode())


def test_purging_the_trash_removes_the_images(store: ConversationStore, app_dirs: Paths) -> None:
    conv = _with_attachments(store)
    store.delete(conv.id)
    old = time.time() - 40 * 86400
    os.utime(app_dirs.trash_dir / f"{conv.id}.toml", (old, old))
    store.trash.purge()
    assert os.listdir(app_dirs.trash_dir) == []


def test_duplicate_copies_the_images(store: ConversationStore, app_dirs: Paths) -> None:
    conv = _with_attachments(store)
    copy = store.duplicate(conv.id)
    image = copy.messages[0].attachments[1]
    assert (_files(app_dirs, copy.id) / f"{image.sha256}.png").read_bytes() == PNG
    store.delete(conv.id)
    assert ConversationStore(app_dirs).load(copy.id).wire_messages()[0]["content"][1]


def test_a_hand_edited_sha256_cannot_name_another_file(
    store: ConversationStore, app_dirs: Paths
) -> None:
    conv = _with_attachments(store)
    path = store.path_of(conv.id)
    sha = conv.messages[0].attachments[1].sha256
    path.write_text(path.read_text().replace(sha, "../../config"), encoding="utf-8")
    with pytest.raises(ConversationFileError, match="sha256: must be 64 lower-case hex digits"):
        ConversationStore(app_dirs).load(conv.id)


def test_json_export_round_trips_attachments_with_image_bytes(
    store: ConversationStore, tmp_path: Path
) -> None:
    conv = _with_attachments(store)
    exported = to_json(store.load(conv.id))
    item = json.loads(exported)["messages"][0]["attachments"][1]
    assert base64.b64decode(item["data_base64"]) == PNG
    other = ConversationStore(Paths(tmp_path / "c2", tmp_path / "d2"))
    report = merge_into_store(other, [from_json(exported)])
    assert report.imported == 1
    again = other.load(conv.id)
    assert again.messages[0].attachments == conv.messages[0].attachments
    stored = tmp_path / "d2" / "conversations" / f"{conv.id}.files"
    assert [p.read_bytes() for p in stored.iterdir()] == [PNG]


def test_json_import_refuses_image_bytes_that_do_not_match() -> None:
    conv = Conversation(messages=[Message("user", "x", attachments=[read_bytes(PNG, "a.png")])])
    body = json.loads(to_json(conv))
    body["messages"][0]["attachments"][0]["data_base64"] = base64.b64encode(b"other").decode()
    with pytest.raises(ValueError, match=r"attachments\[0\].data_base64: does not match"):
        from_json(json.dumps(body))


def test_markdown_lists_attachments_and_includes_text_files(store: ConversationStore) -> None:
    md = to_markdown(_with_attachments(store))
    assert "Attached files:\n- notes.txt (27 B, text/plain)\n- shot.png (" in md
    assert "File: notes.txt\n````txt\nfirst line\nsecond ``` line\n````" in md
