"""The ChatGPT importer's parsing, without the command line."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from aichat_tui.store.importers import (
    ImportFormatError,
    chatgpt_conversation,
    local_id,
    parse_import,
)
from tests.cli.chatgpt_export import EXPECTED_A, T0, conversations


def test_active_branch_skips_hidden_tool_and_non_text_nodes() -> None:
    conv = chatgpt_conversation(conversations()[0])
    assert [(m.role, m.content) for m in conv.messages] == EXPECTED_A
    assert conv.title == "Reversing lists"
    assert conv.created == datetime.fromtimestamp(T0, UTC)
    assert conv.updated == datetime.fromtimestamp(T0 + 42, UTC)
    assert conv.messages[0].time == datetime.fromtimestamp(T0 + 10, UTC)
    assert all(m.status == "complete" for m in conv.messages if m.role == "assistant")


def test_messages_without_content_type_are_text() -> None:
    raw = copy.deepcopy(conversations()[0])
    for node in raw["mapping"].values():
        content = (node.get("message") or {}).get("content") or {}
        if content.get("content_type") == "text":
            del content["content_type"]
    conv = chatgpt_conversation(raw)
    assert [(m.role, m.content) for m in conv.messages] == EXPECTED_A


def test_ids_are_stable_across_runs() -> None:
    first = chatgpt_conversation(conversations()[0])
    again = chatgpt_conversation(conversations()[0])
    assert first.id == again.id == local_id("6740aaaa-0000-0000-0000-000000000001")
    assert [m.id for m in first.messages] == [m.id for m in again.messages]
    assert len({m.id for m in first.messages}) == len(first.messages)


def test_missing_current_node_follows_the_newest_children() -> None:
    raw = copy.deepcopy(conversations()[0])
    del raw["current_node"]
    conv = chatgpt_conversation(raw)
    assert [(m.role, m.content) for m in conv.messages] == EXPECTED_A


def test_cyclic_parent_links_do_not_hang() -> None:
    raw = copy.deepcopy(conversations()[1])
    raw["mapping"]["root-b"]["parent"] = "b2"  # a corrupt file: b2 -> b1 -> root-b -> b2
    conv = chatgpt_conversation(raw)
    assert [m.content for m in conv.messages] == ["Say hi", "Hi! [/] [@click=app.quit]x[/]"]


def test_format_detection() -> None:
    kind, convs = parse_import(json.dumps(conversations()))
    assert kind == "ChatGPT export" and len(convs) == 2
    with pytest.raises(ImportFormatError, match="line 1"):
        parse_import("{not json", "x.json")
    with pytest.raises(ImportFormatError, match="neither"):
        parse_import(json.dumps({"hello": "world"}), "x.json")
    assert parse_import("[]") == ("empty", [])


def test_every_branch_is_kept_and_the_current_one_is_active() -> None:
    conv = chatgpt_conversation(conversations()[0])
    every = {m.content: m for m in [*conv.messages, *conv.off_path]}
    # the edited prompt: the old question and its answer are a branch beside the new one
    old_q, new_q = every["And a tuple?"], every["Show me timing for a million items."]
    assert [m.id for m in conv.siblings(new_q.id)] == [old_q.id, new_q.id]
    assert every["Tuples: `t[::-1]`."].parent == old_q.id
    # the regenerated answer: the first attempt is a sibling of the one shown
    first = every["First attempt."]
    shown = every["Let me measure it.\n\nSlicing took **3.1 ms**."]
    assert [m.id for m in conv.siblings(shown.id)] == [first.id, shown.id]
    assert len(conv.leaves()) == 3
    conv.switch_to(old_q.id)
    assert [m.content for m in conv.messages][-2:] == ["And a tuple?", "Tuples: `t[::-1]`."]
    conv.switch_to(new_q.id)  # back: the current branch's newest leaf
    assert [(m.role, m.content) for m in conv.messages] == EXPECTED_A
