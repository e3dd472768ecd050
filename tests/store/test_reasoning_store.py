"""Reasoning, endings and usage in the conversation file, the cache and exports."""

from __future__ import annotations

import json

from aichat_tui.models import Conversation, Message, Usage
from aichat_tui.store import ConversationStore, from_json, to_json, to_markdown
from aichat_tui.store import cache as cache_module


def _conv(store: ConversationStore) -> Conversation:
    conv = store.create(title="thinking")
    conv.max_tokens = 512
    conv.messages += [
        Message(role="user", content="why?"),
        Message(
            role="assistant",
            content="Because.",
            status="complete",
            reasoning='First\n"""quoted""" </details> step\n',
            finish_reason="length",
            usage=Usage(
                prompt_tokens=50, completion_tokens=40, ttft=0.3141, tokens_per_second=1184.2584
            ),
        ),
    ]
    store.save(conv)
    return conv


def test_toml_round_trip(store: ConversationStore) -> None:
    conv = _conv(store)
    text = store.path_of(conv.id).read_text()
    assert 'finish_reason = "length"' in text
    assert "usage = { prompt_tokens = 50, completion_tokens = 40, ttft = 0.314" in text
    store.cache.drop(conv.id)  # read from the TOML file first
    loaded = store.load(conv.id)
    message = loaded.messages[-1]
    assert message.reasoning == conv.messages[-1].reasoning
    assert message.finish_reason == "length"
    assert message.usage == Usage(50, 40, 0.314, 1184.26)
    assert loaded.max_tokens == 512
    # and the second load, answered by the JSON cache, reads the same
    again = store.load(conv.id)
    assert again.messages[-1] == message and again.max_tokens == 512


def test_an_older_cache_file_is_not_misread(store: ConversationStore) -> None:
    conv = _conv(store)
    store.load(conv.id)  # writes the cache
    folder = store.paths.data_dir / "cache"
    path = folder / f"{conv.id}.json"
    raw = json.loads(path.read_text())
    assert raw["version"] == cache_module.CACHE_VERSION == 4
    raw["version"] = 2
    raw["conversation"]["messages"][-1] = raw["conversation"]["messages"][-1][:6]
    path.write_text(json.dumps(raw))
    assert store.load(conv.id).messages[-1].reasoning.startswith("First")


def test_exports_carry_it(store: ConversationStore) -> None:
    conv = _conv(store)
    markdown = to_markdown(conv)
    assert "<details>\n<summary>Thinking</summary>" in markdown
    assert "&lt;/details> step" in markdown  # cannot close the section early
    assert markdown.index("</details>") < markdown.index("Because.")
    assert "truncated" in markdown and "50 → 40 tokens" in markdown
    back = from_json(to_json(conv))
    assert back.messages[-1].reasoning == conv.messages[-1].reasoning
    assert back.messages[-1].finish_reason == "length"
    assert back.messages[-1].usage is not None
    assert back.messages[-1].usage.completion_tokens == 40


def test_reasoning_is_never_on_the_wire() -> None:
    conv = Conversation(
        messages=[
            Message(role="user", content="q"),
            Message(role="assistant", content="a", status="complete", reasoning="secret thought"),
        ]
    )
    assert "secret thought" not in json.dumps(conv.wire_messages())


def test_reasoning_display_setting_and_profile_fields(tmp_path) -> None:
    import pytest

    from aichat_tui.store import Paths, load_settings
    from aichat_tui.store.errors import ConfigError

    paths = Paths.resolve(config_dir=tmp_path / "c", data_dir=tmp_path / "d")
    paths.ensure()
    paths.config_file.write_text(
        '[ui]\nreasoning = "hidden"\n\n[profiles.x]\nmax_tokens = 300\n'
        'user_agent = "UA/1"\n\n[profiles.x.headers]\nx-one = "1"\n'
    )
    settings = load_settings(paths)
    assert settings.reasoning == "hidden"
    profile = settings.profiles["x"]
    assert (profile.max_tokens, profile.user_agent, profile.headers) == (
        300,
        "UA/1",
        {"x-one": "1"},
    )
    assert profile.temperature is None and profile.top_p is None
    for bad in (
        '[ui]\nreasoning = "loud"\n',
        "[profiles.x]\nmax_tokens = 0\n",
        '[profiles.x.headers]\n"bad header" = "v"\n',
    ):
        paths.config_file.write_text(bad)
        with pytest.raises(ConfigError):
            load_settings(paths)
