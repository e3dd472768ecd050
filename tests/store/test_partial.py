"""Partial-reply sidecars: written at most once a second, removed on close,
skipped while their writer lives, and folded back in as interrupted replies."""

from __future__ import annotations

import json
import os

import pytest

from aichat_tui.models import Message
from aichat_tui.store import ConversationStore, PartialWriter, Paths, StoreError
from aichat_tui.store.partial import SUFFIX, sidecar_path


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def sidecar_text(paths: Paths, conv_id: str, message_id: str) -> str:
    return json.loads(sidecar_path(paths, conv_id, message_id).read_text())["text"]


def test_writes_at_most_once_per_interval(store: ConversationStore) -> None:
    conv = store.create()
    clock = Clock()
    writer = PartialWriter(store.paths, conv.id, "m1", clock=clock)
    writer.update("a")
    assert writer.writes == 1 and sidecar_text(store.paths, conv.id, "m1") == "a"
    for i in range(50):
        clock.now += 0.01
        writer.update("a" + "b" * i)
    assert writer.writes == 1
    clock.now += 1.0
    writer.update("abc")
    assert writer.writes == 2 and sidecar_text(store.paths, conv.id, "m1") == "abc"
    writer.update("abcd")
    writer.flush()
    assert writer.writes == 3 and sidecar_text(store.paths, conv.id, "m1") == "abcd"
    writer.flush()
    assert writer.writes == 3
    writer.close()
    assert not sidecar_path(store.paths, conv.id, "m1").exists()
    assert not [n for n in os.listdir(store.paths.locks_dir) if "partial" in n]
    writer.close()  # idempotent


def test_live_writer_is_left_alone_and_dead_one_recovered(store: ConversationStore) -> None:
    conv = store.create()
    conv.messages.append(Message("user", "tell me"))
    store.save(conv)
    writer = store.partial_writer(conv.id, "reply1")
    writer.update("half an ans\ud83d")
    assert store.recover() == []  # still streaming (its lock is held)
    assert sidecar_path(store.paths, conv.id, "reply1").exists()
    writer._lock.release()  # as if its process had died
    assert store.recover() == [conv.id]
    loaded = store.load(conv.id)
    assert [(m.role, m.content, m.status, m.id) for m in loaded.messages] == [
        ("user", "tell me", None, conv.messages[0].id),
        ("assistant", "half an ans\ufffd", "interrupted", "reply1"),
    ]
    assert not [n for n in os.listdir(store.paths.conversations_dir) if n.endswith(SUFFIX)]
    assert store.recover() == []


def test_recovery_replaces_a_shorter_reply_but_not_a_complete_one(
    store: ConversationStore,
) -> None:
    conv = store.create()
    conv.messages.append(Message("assistant", "sh", status="interrupted", id="short"))
    conv.messages.append(Message("assistant", "done", status="complete", id="full"))
    store.save(conv)
    for message_id, text in (("short", "short and longer"), ("full", "done and more")):
        writer = store.partial_writer(conv.id, message_id)
        writer.update(text)
        writer._lock.release()
    assert store.recover() == [conv.id]
    contents = {m.id: (m.content, m.status) for m in store.load(conv.id).messages}
    assert contents == {
        "short": ("short and longer", "interrupted"),
        "full": ("done", "complete"),
    }


def test_damaged_sidecar_and_missing_conversation_are_problems(store: ConversationStore) -> None:
    folder = store.paths.conversations_dir
    (folder / f"abc.def{SUFFIX}").write_text("{broken")
    writer = store.partial_writer("gone", "m")
    writer.update("orphan text")
    writer._lock.release()
    assert store.recover() == []
    messages = " ".join(p.message for p in store.problems)
    assert "damaged partial-reply file" in messages and "missing conversation" in messages
    assert not [n for n in os.listdir(folder) if n.endswith(SUFFIX)]
    kept = os.listdir(store.paths.quarantine_dir)
    assert f"abc.def{SUFFIX}" in kept and f"gone.m{SUFFIX}" in kept


def test_writer_used_as_context_manager_cleans_up(store: ConversationStore) -> None:
    conv = store.create()
    with store.partial_writer(conv.id, "m") as writer:
        writer.update("x")
        assert sidecar_path(store.paths, conv.id, "m").exists()
    assert not sidecar_path(store.paths, conv.id, "m").exists()


def test_detach_keeps_the_text_for_recovery_when_the_final_save_failed(
    store: ConversationStore,
) -> None:
    conv = store.create()
    clock = Clock()
    writer = PartialWriter(store.paths, conv.id, "r", clock=clock)
    writer.update("first")
    writer.update("first and unsaved tail")  # throttled: not on disk yet
    assert sidecar_text(store.paths, conv.id, "r") == "first"
    writer.detach()
    assert sidecar_text(store.paths, conv.id, "r") == "first and unsaved tail"
    assert store.recover() == [conv.id]  # same process: the lock was released
    assert store.load(conv.id).messages[-1].content == "first and unsaved tail"


def test_ids_that_are_not_safe_file_names_are_refused(store: ConversationStore) -> None:
    conv = store.create()
    for bad in ("../x", "a.b", ""):
        with pytest.raises(StoreError):
            store.partial_writer(conv.id, bad)
    assert not [n for n in os.listdir(store.paths.conversations_dir) if n.endswith(SUFFIX)]
