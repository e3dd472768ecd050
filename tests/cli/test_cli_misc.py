"""Help for every command, error handling, and the workspace/demo wiring."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aichat_tui.cli import main
from aichat_tui.commands.workspace import demo_environment, make_app
from tests.cli.conftest import Cli, ui_modules_after
from tests.cli.test_ask import assert_one_error_line

COMMANDS = [
    [],
    ["ask"],
    ["sessions"],
    ["sessions", "list"],
    ["sessions", "show"],
    ["sessions", "rename"],
    ["sessions", "delete"],
    ["sessions", "restore"],
    ["sessions", "search"],
    ["export"],
    ["import"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "main")
def test_help_for_every_command(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([*command, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: aichat-tui {' '.join(command)}".rstrip())
    if command in ([], ["ask"]):
        assert "exit codes:" in out and "130" in out


def test_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["sessions", "frobnicate"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid choice" in err and "--help" in err


def test_unexpected_error_is_one_line_and_debug_shows_the_traceback(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aichat_tui.store import ConversationStore

    def broken(self: object) -> list:
        raise RuntimeError("something nobody expected")

    monkeypatch.setenv("AICHAT_TUI_CONFIG_DIR", str(cli.config_dir))
    monkeypatch.setenv("AICHAT_TUI_DATA_DIR", str(cli.data_dir))
    monkeypatch.setattr(ConversationStore, "list", broken)
    assert main(["sessions", "list"]) == 1
    line = assert_one_error_line(capsys.readouterr().err)
    assert "unexpected RuntimeError: something nobody expected" in line and "--debug" in line
    assert main(["sessions", "list", "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_a_file_where_a_data_folder_goes_is_one_clear_line(cli: Cli, tmp_path: Path) -> None:
    """Issue 16 item 8: was "File exists: … (rerun with --debug …)", exit 1."""
    blocker = tmp_path / "data"
    blocker.mkdir()
    (blocker / "conversations").write_text("not a folder")
    for args in (["sessions", "list"], ["sessions", "search", "x"], ["export", "abc"]):
        out = cli.run(*args)
        assert out.returncode == 1, (args, out.stderr)
        line = assert_one_error_line(out.stderr)
        assert f"cannot create the data folder {blocker / 'conversations'}" in line, args
        assert (
            "a file is in its place" in line and "--debug" not in line and "File exists" not in line
        )


def test_workspace_options_are_checked_before_textual_starts(cli: Cli) -> None:
    both = cli.run("--new", "--session", "abc")
    assert both.returncode == 2
    assert_one_error_line(both.stderr)
    missing = cli.run("--session", "abc")
    assert missing.returncode == 2
    assert "no session" in assert_one_error_line(missing.stderr)
    demo = cli.run("--demo", "--base-url", "http://127.0.0.1:1/v1")
    assert demo.returncode == 2
    assert "--demo" in assert_one_error_line(demo.stderr)


def test_subcommands_do_not_import_textual(cli: Cli) -> None:
    codes, bad, _ = ui_modules_after(cli, ["sessions", "list", "--json"], ["export", "x"])
    assert (codes, bad) == ([0, 2], [])


async def test_demo_environment_serves_both_protocols_and_leaves_nothing(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    from aichat_tui.client import ChatClient, ChatRequest

    monkeypatch.setenv("AICHAT_TUI_CONFIG_DIR", str(cli.config_dir))
    monkeypatch.setenv("AICHAT_TUI_DATA_DIR", str(cli.data_dir))
    with demo_environment() as env:
        root = env.paths.config_dir.parent
        assert env.paths.config_file.is_file()  # the UI's config screen sees the demo profiles
        replies = {}
        for profile in env.settings.profiles.values():
            async with ChatClient(profile) as client:
                chunks = [
                    c
                    async for c in client.stream(
                        ChatRequest(messages=[{"role": "user", "content": "show me a table"}])
                    )
                ]
            replies[profile.kind] = "".join(chunks)
        assert len(chunks) > 1 or profile.kind == "aichat"
    assert set(replies) == {"openai", "aichat"}
    assert all("You said: show me a table" in text for text in replies.values())
    assert not root.exists()  # the temporary folders are gone
    assert not cli.config_dir.exists() and not cli.data_dir.exists()  # user's untouched


async def test_demo_app_starts_on_the_demo_profile(tmp_path: Path) -> None:
    with demo_environment(tmp_path / "demo-data") as env:
        app = make_app(
            env.paths, env.settings, profile_override=env.profile, new_session=True, demo=True
        )
        async with app.run_test() as pilot:
            await pilot.pause()
            assert app.profile_override is env.profile
            # the empty chat says it is a demo (make_app once dropped the flag)
            welcome = str(app.workspace.query_one("#welcome").render())
            assert app.demo and "Demo mode" in welcome
            assert app.startup_errors == []
            await asyncio.sleep(0)
    assert (tmp_path / "demo-data").is_dir()  # --data-dir keeps demo conversations
