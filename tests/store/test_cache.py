"""The parsed-conversation cache (``cache/<id>.json``, issue 6): used only for the
exact TOML version it was made from; the TOML file stays the truth."""

from __future__ import annotations

import json
import os
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationFileError, ConversationStore, Paths, schema
from aichat_tui.store.cache import CACHE_VERSION
from tests.store.test_multiline_strings import PIECES


def _cache_file(paths: Paths, conv_id: str) -> Path:
    return paths.cache_dir / f"{conv_id}.json"


def _saved(store: ConversationStore, *texts: str) -> Conversation:
    conv = store.create(title="cached", profile="p", model="m", system_prompt="be brief")
    conv.temperature = 0.25
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        conv.messages.append(Message(role, text, status=None if role == "user" else "complete"))
    store.save(conv)
    return conv


def _cold(store: ConversationStore, conv_id: str) -> Conversation:
    """What the TOML file alone says."""
    path = store.path_of(conv_id)
    conv = schema.loads(path.read_bytes(), path)
    conv.id = conv_id
    return conv


def test_a_saved_conversation_loads_from_the_cache_equal_to_its_file(app_dirs: Paths) -> None:
    conv = _saved(ConversationStore(app_dirs), "hello", "world\nline two")
    assert _cache_file(app_dirs, conv.id).is_file()
    fresh = ConversationStore(app_dirs)
    loaded = fresh.load(conv.id)
    assert (fresh.cache.hits, fresh.parse_count) == (1, 0)
    assert loaded == _cold(fresh, conv.id)
    assert loaded.temperature == 0.25 and loaded.messages[1].content == "world\nline two"


def test_nasty_texts_survive_the_cache_as_the_toml_file_reads_them(app_dirs: Paths) -> None:
    rng = random.Random(6)
    texts = ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30))) for _ in range(60)]
    texts += ["\ud83d", "\ud83d\ude00 split", "nul\x00 \x1b]52;c;aGk=\x07 \u202eevil\r\nx"]
    store = ConversationStore(app_dirs)
    conv = _saved(store, *texts)
    conv.title = "title \ud83d half"
    conv.messages[0].time = datetime(2026, 1, 2, 3, 4, 5, 678901)  # naive: read as UTC
    conv.messages[1].time = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=5)))
    conv.top_p = 1  # an int in memory reads back as a float
    store.save(conv)
    fresh = ConversationStore(app_dirs)
    loaded = fresh.load(conv.id)
    assert fresh.cache.hits == 1
    cold = _cold(fresh, conv.id)
    assert loaded == cold
    assert [m.time for m in loaded.messages] == [m.time for m in cold.messages]
    assert [m.time.utcoffset() for m in loaded.messages[:2]] == [
        timedelta(0),
        timedelta(hours=5),
    ]
    assert isinstance(loaded.top_p, float)


def test_a_cold_load_writes_the_cache_for_the_next_one(app_dirs: Paths) -> None:
    conv = _saved(ConversationStore(app_dirs), "q", "a")
    _cache_file(app_dirs, conv.id).unlink()
    first = ConversationStore(app_dirs)
    first.load(conv.id)
    assert (first.cache.hits, first.parse_count) == (0, 1)
    second = ConversationStore(app_dirs)
    assert second.load(conv.id) == first.load(conv.id)
    assert (second.cache.hits, second.parse_count) == (1, 0)


def test_a_hand_edited_file_is_read_from_the_toml_not_the_cache(app_dirs: Paths) -> None:
    conv = _saved(ConversationStore(app_dirs), "original")
    path = app_dirs.conversations_dir / f"{conv.id}.toml"
    stale = _cache_file(app_dirs, conv.id).read_bytes()
    # edited in place (same inode), same size, mtime set back: only mtime_ns differs
    text = path.read_text(encoding="utf-8").replace("original", "0riginal")
    st = os.stat(path)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert os.stat(path).st_size == st.st_size and os.stat(path).st_ino == st.st_ino
    store = ConversationStore(app_dirs)
    assert store.load(conv.id).messages[0].content == "0riginal"
    assert store.cache.hits == 0
    assert _cache_file(app_dirs, conv.id).read_bytes() != stale  # refreshed
    again = ConversationStore(app_dirs)
    assert again.load(conv.id).messages[0].content == "0riginal" and again.cache.hits == 1


def test_a_broken_file_is_quarantined_even_with_a_stale_cache(app_dirs: Paths) -> None:
    conv = _saved(ConversationStore(app_dirs), "fine")
    path = app_dirs.conversations_dir / f"{conv.id}.toml"
    assert _cache_file(app_dirs, conv.id).is_file()
    path.write_bytes(path.read_bytes() + b"\n[[messages]\nbroken = \n")
    store = ConversationStore(app_dirs)
    with pytest.raises(ConversationFileError):
        store.load(conv.id)
    assert not path.exists()
    assert [p.path for p in store.problems] == [path]
    assert list(app_dirs.quarantine_dir.glob("*.toml"))
    assert not _cache_file(app_dirs, conv.id).exists()
    assert store.list() == []


@pytest.mark.parametrize(
    "damage",
    [
        b"",
        b"{not json",
        b"[]",
        b'{"version": 1, "stamp": "x", "conversation": {}}',
        b"\xff\xfe garbage",
    ],
)
def test_a_corrupt_cache_is_ignored_and_rewritten(app_dirs: Paths, damage: bytes) -> None:
    conv = _saved(ConversationStore(app_dirs), "q", "a")
    cache = _cache_file(app_dirs, conv.id)
    cache.write_bytes(damage)
    store = ConversationStore(app_dirs)
    assert store.load(conv.id) == _cold(store, conv.id)
    assert (store.cache.hits, store.problems) == (0, [])
    assert json.loads(cache.read_bytes())["version"] == CACHE_VERSION


def test_a_cache_with_the_right_stamp_but_bad_content_is_ignored(app_dirs: Paths) -> None:
    conv = _saved(ConversationStore(app_dirs), "q", "a")
    cache = _cache_file(app_dirs, conv.id)
    raw = json.loads(cache.read_bytes())
    raw["conversation"]["messages"][0][1] = "wizard"  # not a role
    cache.write_text(json.dumps(raw), encoding="utf-8")
    store = ConversationStore(app_dirs)
    assert [m.role for m in store.load(conv.id).messages] == ["user", "assistant"]
    assert store.cache.hits == 0


def test_a_failed_cache_write_does_not_fail_the_save(app_dirs: Paths) -> None:
    assert not app_dirs.cache_dir.exists()  # made on the first cache write
    app_dirs.cache_dir.write_text("a file where the folder should be", encoding="utf-8")
    store = ConversationStore(app_dirs)
    conv = _saved(store, "q")
    assert ConversationStore(app_dirs).load(conv.id) == _cold(store, conv.id)


def test_a_save_by_another_instance_is_seen_and_merged(app_dirs: Paths) -> None:
    one, two = ConversationStore(app_dirs), ConversationStore(app_dirs)
    conv = _saved(one, "first")
    mine, theirs = one.load(conv.id), two.load(conv.id)
    theirs.messages.append(Message("assistant", "from two", status="complete"))
    two.save(theirs)
    mine.messages.append(Message("user", "from one"))
    one.save(mine)
    third = ConversationStore(app_dirs)
    loaded = third.load(conv.id)
    assert third.cache.hits == 1
    assert sorted(m.content for m in loaded.messages) == ["first", "from one", "from two"]
    assert loaded == _cold(third, conv.id)


def test_deleting_removes_the_cache_and_listing_cleans_orphans(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    kept, gone = _saved(store, "keep"), _saved(store, "go")
    store.delete(gone.id)
    assert not _cache_file(app_dirs, gone.id).exists()
    orphan = _cache_file(app_dirs, "orphan")
    orphan.write_text("{}", encoding="utf-8")
    assert [s.id for s in store.list()] == [kept.id]
    assert not orphan.exists() and _cache_file(app_dirs, kept.id).exists()
    store.restore(gone.id)
    fresh = ConversationStore(app_dirs)
    assert fresh.load(gone.id).messages[0].content == "go" and fresh.cache.hits == 0
