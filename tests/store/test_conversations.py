"""ConversationStore basics: create/list/load/save, rename, duplicate, delete to
trash and restore, search, and the index that keeps listing cheap."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import pytest

from aichat_tui.models import Conversation, Message, utcnow
from aichat_tui.store import ConversationNotFound, ConversationStore, Paths, StoreError, schema


def chat(store: ConversationStore, title: str, *texts: str) -> Conversation:
    conv = store.create(title=title, profile="local", model="m1")
    for i, text in enumerate(texts):
        role = "user" if i % 2 == 0 else "assistant"
        conv.messages.append(
            Message(role, text, status="complete" if role == "assistant" else None)
        )
    store.save(conv)
    return conv


def test_create_saves_and_lists_newest_first(store: ConversationStore) -> None:
    first = chat(store, "first", "hello")
    second = chat(store, "second", "a", "b")
    listed = store.list()
    assert [s.id for s in listed] == [second.id, first.id]
    assert (listed[0].title, listed[0].message_count, listed[0].model) == ("second", 2, "m1")
    assert store.path_of(first.id).is_file()


def test_load_returns_what_was_saved(store: ConversationStore) -> None:
    conv = chat(store, "t", "question", "answer")
    conv.system_prompt = "be brief"
    conv.temperature = 0.25
    conv.top_p = 0.5
    conv.messages[1].status = "error"
    conv.messages[1].error = "server said no"
    store.save(conv)
    loaded = ConversationStore(store.paths).load(conv.id)
    assert loaded == conv


def test_save_with_touch_updates_time_and_rename_does_not(store: ConversationStore) -> None:
    conv = chat(store, "t", "x")
    before = conv.updated
    store.rename(conv.id, "renamed [/] [@click=app.quit]x")
    loaded = store.load(conv.id)
    assert loaded.title == "renamed [/] [@click=app.quit]x"
    assert loaded.updated == before
    conv.updated = before - timedelta(days=1)
    store.save(conv)
    assert conv.updated > before


def test_missing_and_invalid_ids(store: ConversationStore) -> None:
    with pytest.raises(ConversationNotFound):
        store.load("nope")
    with pytest.raises(StoreError):
        store.load("../../etc/passwd")
    with pytest.raises(StoreError):
        store.save(Conversation(id="a/b"))


def test_duplicate_gets_new_ids_and_copy_title(store: ConversationStore) -> None:
    conv = chat(store, "orig", "q", "a")
    copy = store.duplicate(conv.id)
    assert copy.id != conv.id and copy.title == "orig (copy)"
    assert [m.content for m in copy.messages] == ["q", "a"]
    assert not {m.id for m in copy.messages} & {m.id for m in conv.messages}
    assert store.load(copy.id) == copy
    assert store.load(conv.id).title == "orig"


def test_delete_moves_to_trash_and_restore_brings_it_back(store: ConversationStore) -> None:
    conv = chat(store, "doomed", "q")
    keep = chat(store, "kept", "q")
    store.delete(conv.id)
    assert [s.id for s in store.list()] == [keep.id]
    trash = store.list_trash()
    assert [(t.id, t.title, t.message_count) for t in trash] == [(conv.id, "doomed", 1)]
    store.restore(conv.id)
    assert {s.id for s in store.list()} == {conv.id, keep.id}
    assert store.load(conv.id) == conv
    assert store.list_trash() == []
    with pytest.raises(ConversationNotFound):
        store.restore(conv.id)
    with pytest.raises(ConversationNotFound):
        store.delete("missing")


def test_old_trash_is_purged_on_start(app_dirs: Paths) -> None:
    store = ConversationStore(app_dirs)
    old = chat(store, "old", "q")
    recent = chat(store, "recent", "q")
    store.delete(old.id)
    store.delete(recent.id)
    month_ago = time.time() - 31 * 86400
    os.utime(app_dirs.trash_dir / f"{old.id}.toml", (month_ago, month_ago))
    fresh = ConversationStore(app_dirs)
    assert [t.id for t in fresh.list_trash()] == [recent.id]


def test_search_titles_and_contents(store: ConversationStore) -> None:
    a = chat(store, "Python tips", "nothing here")
    b = chat(store, "cooking", "How long do I BOIL an egg?", 'About 7 minutes; a "soft" one 6.')
    c = chat(store, "other", "tab\there and back\\slash")
    hits = store.search("boil")
    assert [(h.id, h.message_index) for h in hits] == [(b.id, 0)]
    assert "BOIL" in hits[0].snippet
    assert [h.id for h in store.search("python")] == [a.id]
    assert store.search("python")[0].message_index is None
    # characters the file format escapes still match (no raw prefilter for them)
    assert [h.id for h in store.search('"soft"')] == [b.id]
    assert [h.id for h in store.search("back\\slash")] == [c.id]
    assert [h.id for h in store.search("tab\there")] == [c.id]
    assert store.search("   ") == []
    assert store.search("zzz-not-there") == []
    assert len(store.search("o", limit=2)) == 2


def test_search_snippet_is_one_clean_line(store: ConversationStore) -> None:
    long = "x" * 200 + " needle \x1b[2J\nafter " + "y" * 200
    conv = chat(store, "t", long)
    (hit,) = store.search("needle")
    assert hit.id == conv.id
    assert "needle" in hit.snippet and "\x1b" not in hit.snippet and "\n" not in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")
    assert len(hit.snippet) < 120


def write_raw(paths: Paths, count: int) -> list[str]:
    """Write conversation files directly (fast, no fsync) for index tests."""
    ids = []
    base = utcnow()
    for i in range(count):
        conv = Conversation(title=f"chat {i}", created=base, updated=base + timedelta(seconds=i))
        conv.messages = [Message("user", f"q{i} " * 20), Message("assistant", "a" * 300)]
        (paths.conversations_dir / f"{conv.id}.toml").write_text(schema.dumps(conv))
        ids.append(conv.id)
    return ids


def test_listing_1000_conversations_parses_none_once_indexed(app_dirs: Paths) -> None:
    ids = write_raw(app_dirs, 1000)
    first = ConversationStore(app_dirs)
    listed = first.list()
    # building the index reads each file's header only, no message
    assert (first.header_count, first.parse_count) == (1000, 0)
    assert [s.id for s in listed] == ids[::-1]
    assert all(s.message_count == 2 for s in listed)

    again = ConversationStore(app_dirs)
    started = time.perf_counter()
    listed_again = again.list()
    elapsed = time.perf_counter() - started
    print(f"\nlisting 1,000 indexed conversations took {elapsed * 1000:.1f} ms")
    assert (again.header_count, again.parse_count) == (0, 0)
    assert listed_again == listed

    # one changed file is re-read, and only that one
    path = app_dirs.conversations_dir / f"{ids[5]}.toml"
    conv = again.load(ids[5])
    conv.title = "changed elsewhere"
    path.write_text(schema.dumps(conv))
    third = ConversationStore(app_dirs)
    summaries = {s.id: s for s in third.list()}
    assert (third.header_count, third.parse_count) == (1, 0)
    assert summaries[ids[5]].title == "changed elsewhere"


def test_corrupt_or_stale_index_is_rebuilt_silently(app_dirs: Paths) -> None:
    ids = write_raw(app_dirs, 5)
    ConversationStore(app_dirs).list()
    app_dirs.index_file.write_text("{not json")
    store = ConversationStore(app_dirs)
    assert {s.id for s in store.list()} == set(ids)
    assert store.problems == []
    assert json.loads(app_dirs.index_file.read_text())["version"] == 1
    # an entry for a file that no longer exists disappears
    os.unlink(app_dirs.conversations_dir / f"{ids[0]}.toml")
    assert {s.id for s in ConversationStore(app_dirs).list()} == set(ids[1:])
    assert ids[0] not in json.loads(app_dirs.index_file.read_text())["entries"]


def test_naive_times_are_stored_as_utc_and_list_sorts(store: ConversationStore) -> None:
    from datetime import datetime

    naive = store.create(title="naive")
    naive.updated = datetime(2030, 1, 1, 12, 0)  # no offset
    naive.messages.append(Message("user", "x", time=datetime(2030, 1, 1, 12, 0)))
    store.save(naive, touch=False)
    chat(store, "aware", "y")
    listed = store.list()
    assert [s.title for s in listed] == ["naive", "aware"]
    assert listed[0].updated.tzinfo is not None
    assert store.load(naive.id).messages[0].time.utcoffset() == timedelta(0)


def test_index_falls_back_to_a_full_parse_for_hand_edited_files(store: ConversationStore) -> None:
    folder = store.paths.conversations_dir
    # no message_count, and a multi-line string holding a [[messages]] line
    (folder / "hand.toml").write_text(
        'schema_version = 1\ntitle = "hand"\nsystem_prompt = """\n[[messages]]\nx"""\n'
        '[[messages]]\nrole = "user"\ncontent = "a"\n'
    )
    conv = store.create(title="ours", system_prompt="line\n[[messages]]\nline")
    conv.messages.append(Message("user", "[[messages]]\n[[messages]]"))
    store.save(conv)
    fresh = ConversationStore(store.paths)
    summaries = {s.id: s for s in fresh.list()}
    assert (summaries["hand"].title, summaries["hand"].message_count) == ("hand", 1)
    assert (summaries[conv.id].title, summaries[conv.id].message_count) == ("ours", 1)
    assert (fresh.header_count, fresh.parse_count) == (1, 1)
    assert fresh.load("hand").system_prompt == "[[messages]]\nx"
