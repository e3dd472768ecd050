"""The config form's rules, without widgets: secret keeping, proxy URLs, validation."""

from __future__ import annotations

import pytest

from aichat_tui.models import Profile
from aichat_tui.ui.screens.config_form import (
    ProfileForm,
    build_profile,
    form_from_profile,
    split_proxy,
)

STORED = Profile(
    name="work",
    kind="aichat",
    base_url="https://chat.example.org",
    model="gpt-x",
    temperature=0.7,
    top_p=0.9,
    timeout=30,
    cookies={"session": "COOKIE-SECRET-1"},
    api_key="sk-STORED-KEY",
    api_key_env="WORK_KEY",
    proxy="socks5h://alice:p%40ss-SECRET@127.0.0.1:1080",
)


def _form(**changes: object) -> ProfileForm:
    form = form_from_profile(STORED)
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def test_form_from_profile_never_carries_secrets() -> None:
    form = form_from_profile(STORED)
    assert form.cookies == form.api_key == form.proxy_password == ""
    assert form.proxy_mode == "url"
    assert form.proxy_url == "socks5h://alice@127.0.0.1:1080"
    assert "SECRET" not in repr(form)


def test_unchanged_form_round_trips_and_empty_secrets_keep_old_values() -> None:
    profile, errors = build_profile(_form(), STORED, set())
    assert errors == {}
    assert profile == STORED


def test_typed_secrets_replace_and_clear_flags_delete() -> None:
    profile, errors = build_profile(
        _form(cookies="Cookie: a=1; b=2", api_key=" sk-NEW ", proxy_password="n:w@"), STORED, set()
    )
    assert errors == {}
    assert profile is not None
    assert profile.cookies == {"a": "1", "b": "2"}
    assert profile.api_key == "sk-NEW"
    assert profile.proxy == "socks5h://alice:n%3Aw%40@127.0.0.1:1080"
    cleared, errors = build_profile(
        _form(clear_cookies=True, clear_api_key=True, clear_proxy_password=True), STORED, set()
    )
    assert errors == {}
    assert cleared is not None
    assert cleared.cookies == {} and cleared.api_key is None
    assert cleared.proxy == "socks5h://alice@127.0.0.1:1080"


def test_changing_proxy_host_keeps_the_stored_password() -> None:
    profile, _ = build_profile(_form(proxy_url="socks5://alice@10.0.0.2:9050"), STORED, set())
    assert profile is not None
    assert profile.proxy == "socks5://alice:p%40ss-SECRET@10.0.0.2:9050"


def test_proxy_modes_map_to_none_and_empty_string() -> None:
    env, _ = build_profile(_form(proxy_mode="env"), STORED, set())
    direct, _ = build_profile(_form(proxy_mode="none"), STORED, set())
    assert env is not None and env.proxy is None
    assert direct is not None and direct.proxy == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"name": "other"}, "name"),  # taken
        ({"name": "bad\x1bname"}, "name"),
        ({"kind": "gemini"}, "kind"),
        ({"base_url": ""}, "base_url"),
        ({"base_url": "ftp://x.org"}, "base_url"),
        ({"base_url": "http://user:pw@x.org"}, "base_url"),
        ({"base_url": "http://x.org:99999"}, "base_url"),
        ({"temperature": "2.5"}, "temperature"),
        ({"temperature": "nan"}, "temperature"),
        ({"top_p": "-0.1"}, "top_p"),
        ({"timeout": "0"}, "timeout"),
        ({"timeout": "abc"}, "timeout"),
        ({"cookies": "no pairs here"}, "cookies"),
        ({"api_key": "sk has spaces"}, "api_key"),
        ({"api_key_env": "1BAD"}, "api_key_env"),
        ({"proxy_url": "ftp://proxy:21"}, "proxy_url"),
        ({"proxy_url": ""}, "proxy_url"),
        ({"proxy_url": "socks5://127.0.0.1:1080", "proxy_password": "pw"}, "proxy_password"),
    ],
)
def test_invalid_values_are_reported_on_their_field(changes: dict[str, str], field: str) -> None:
    profile, errors = build_profile(_form(**changes), STORED, {"other"})
    assert profile is None
    assert field in errors
    # No error message ever echoes a secret.
    assert not any("SECRET" in message for message in errors.values())


def test_split_proxy() -> None:
    assert split_proxy(None) == ("", False)
    assert split_proxy("http://h:3128") == ("http://h:3128", False)
    assert split_proxy("http://u@h:3128") == ("http://u@h:3128", False)
    assert split_proxy("socks5h://u:p@h:1") == ("socks5h://u@h:1", True)


def test_password_typed_into_the_url_itself_is_used() -> None:
    profile, errors = build_profile(
        _form(proxy_url="http://bob:typed@127.0.0.1:3128"), STORED, set()
    )
    assert errors == {}
    assert profile is not None and profile.proxy == "http://bob:typed@127.0.0.1:3128"


@pytest.mark.parametrize("value", [0.5, 60.0, 0.123456789, 1e-05, 2.0])
def test_numbers_round_trip_exactly_through_the_form(value: float) -> None:
    profile = Profile(name="n", temperature=min(value, 2.0), top_p=min(value, 1.0), timeout=value)
    rebuilt, errors = build_profile(form_from_profile(profile), profile, set())
    assert errors == {}
    assert rebuilt == profile
