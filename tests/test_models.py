"""Plain-data helpers in aichat_tui.models."""

from __future__ import annotations

import pytest

from aichat_tui.models import Conversation, Message, Profile, split_credentials


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("socks5://u:p@ss:w/rd#1@127.0.0.1:1080", ("socks5", "u", "p@ss:w/rd#1", "127.0.0.1:1080")),
        ("http://us%40er:p%3Aw@h:3128/", ("http", "us@er", "p:w", "h:3128/")),
        ("http://h:3128", ("http", "", "", "h:3128")),
        ("h:3128", ("", "", "", "h:3128")),
    ],
)
def test_split_credentials_last_at_ends_them(url: str, expected: tuple[str, ...]) -> None:
    assert split_credentials(url) == expected


def test_profile_secrets_include_raw_and_encoded_proxy_password() -> None:
    profile = Profile(
        cookies={"session": "cookie-value"},
        api_key="sk-test-key",
        proxy="socks5h://me:p@ss/w#rd@127.0.0.1:1080",
    )
    secrets = profile.secrets()
    assert {"cookie-value", "sk-test-key", "p@ss/w#rd", "p%40ss%2Fw%23rd"} <= set(secrets)


def test_api_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AICHAT_TEST_KEY", "sk-from-env")
    assert Profile(api_key_env="AICHAT_TEST_KEY").resolved_api_key() == "sk-from-env"
    assert Profile(api_key_env="AICHAT_TEST_UNSET_VAR").resolved_api_key() is None


def test_wire_messages_skip_errors_and_empty_replies() -> None:
    conv = Conversation(system_prompt="be brief")
    conv.messages = [
        Message("user", "hi"),
        Message("assistant", "", status="error", error="refused"),
        Message("assistant", ""),
        Message("user", "again"),
    ]
    assert conv.wire_messages() == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "hi"},
        {"role": "user", "content": "again"},
    ]
