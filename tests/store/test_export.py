"""Markdown and JSON export: readable, control sequences stripped from every format
alike, JSON read back by from_json, and never a secret."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from aichat_tui.models import Conversation, Message, Profile, Settings
from aichat_tui.store import (
    ConversationStore,
    from_json,
    load_settings,
    save_settings,
    to_json,
    to_markdown,
)
from aichat_tui.store.export import export_text

NASTY = "red \x1b[31mtext\x1b[0m \x1b]52;c;aGk=\x07 \x9b2J nul\x00 \u202eevil\r\nline2"


def sample() -> Conversation:
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    conv = Conversation(
        id="conv1",
        title="Trip [/] plan",
        created=when,
        updated=when,
        profile="work",
        model="gpt-x",
        temperature=0.3,
        system_prompt="Be terse.",
    )
    conv.messages = [
        Message("user", "Where to go?", time=when, id="m1"),
        Message("assistant", NASTY, time=when, status="interrupted", id="m2"),
        Message("assistant", "", time=when, status="error", error="server 500\x1b[2J", id="m3"),
    ]
    return conv


def test_markdown_has_sections_and_no_control_sequences() -> None:
    text = to_markdown(sample())
    assert text.startswith("# Trip [/] plan\n")
    assert "- Model: gpt-x" in text and "- Temperature: 0.3" in text
    assert "## System prompt\n\nBe terse." in text
    assert text.count("## User") == 1 and text.count("## Assistant") == 2
    assert "reply interrupted" in text and "reply failed: server 500" in text
    assert "red text" in text and "line2" in text
    for bad in ("\x1b", "\x9b", "\x00", "\x07", "\r", "\u202e"):
        assert bad not in text


def test_json_round_trips_exactly() -> None:
    conv = sample()
    conv.messages[1].content = "plain text\twith a TAB\nand é 😀 [/]"
    conv.messages[2].error = "server 500"
    back = from_json(to_json(conv))
    assert back.messages == conv.messages
    assert (back.title, back.system_prompt, back.model, back.temperature) == (
        conv.title,
        conv.system_prompt,
        conv.model,
        conv.temperature,
    )
    assert (back.created, back.updated, back.id) == (conv.created, conv.updated, conv.id)
    assert back.profile is None  # a profile name is local configuration, not exported


def test_every_format_strips_controls_the_same_way() -> None:
    """Issue 16 item 2: JSON kept U+009B and U+202E (ensure_ascii=False) and ESC."""
    conv = sample()
    conv.title = "title \u202e\x9b2J\x1b]0;pwned\x07"
    conv.system_prompt = "sys \x9b31m\u2066x\u2069"
    markdown = to_markdown(conv)
    raw_json = to_json(conv)
    data = json.loads(raw_json)
    texts = [data["title"], data["system_prompt"], data["messages"][2]["error"]]
    texts += [m["content"] for m in data["messages"]]
    for bad in ("\x1b", "\x9b", "\x00", "\x07", "\r", "\u202e", "\u2066", "\u2069"):
        assert bad not in markdown
        assert bad not in raw_json
        assert all(bad not in text for text in texts)
    cleaned = export_text(NASTY)
    assert data["messages"][1]["content"] == cleaned
    assert f"\n{cleaned}\n" in markdown
    assert cleaned == "red text   nul evil\nline2"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not json", "not JSON"),
        ('{"format": "other"}', "not an aichat-tui"),
        ('{"format": "aichat-tui.conversation", "version": 9}', "version"),
        (
            '{"format": "aichat-tui.conversation", "version": 1, "created": "2026-01-01T00:00:00Z",'
            ' "updated": "2026-01-01T00:00:00Z", "messages": [{"role": "bot", "content": "x"}]}',
            "messages[0].role",
        ),
    ],
)
def test_from_json_rejects_bad_input_naming_the_field(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        from_json(text)


def test_exports_contain_no_secrets(store: ConversationStore) -> None:
    settings = Settings(
        profiles={
            "work": Profile(
                name="work",
                kind="aichat",
                base_url="https://chat.example",
                cookies={"session": "COOKIE-SECRET-1"},
                api_key="sk-KEY-SECRET-2",
                proxy="http://user:PROXY-SECRET-3@127.0.0.1:3128",
            )
        },
        default_profile="work",
    )
    save_settings(store.paths, settings)
    profile = load_settings(store.paths).profiles["work"]
    conv = store.create(title="chat", profile="work", model="m")
    conv.messages.append(Message("user", "hello"))
    store.save(conv)
    loaded = store.load(conv.id)
    exported = to_markdown(loaded) + to_json(loaded)
    for secret in profile.secrets():
        assert secret not in exported
    assert "PROXY-SECRET" not in exported and "127.0.0.1:3128" not in exported
    assert set(json.loads(to_json(loaded))) == {
        "format",
        "version",
        "id",
        "title",
        "created",
        "updated",
        "model",
        "temperature",
        "top_p",
        "system_prompt",
        "messages",
    }
    # nor does the conversation file itself hold any
    raw = store.path_of(conv.id).read_text()
    assert not any(secret in raw for secret in profile.secrets())
