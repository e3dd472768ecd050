"""``aichat-tui sessions ...`` on real conversation files."""

from __future__ import annotations

import json

from aichat_tui.models import Message
from tests.cli.conftest import Cli
from tests.cli.test_ask import assert_one_error_line


def seed(cli: Cli) -> tuple[str, str]:
    a = cli.add_session(
        "Reversing lists",
        ("user", "How do I reverse a list?"),
        ("assistant", "Use items[::-1] \x1b[31mred\x1b[0m."),
    )
    b = cli.add_session("Greeting [/] \x1b]0;x\x07", ("user", "Say hi"), ("assistant", "Hi!"))
    return a, b


def test_list_plain_and_json(cli: Cli) -> None:
    a, b = seed(cli)
    plain = cli.run("sessions", "list")
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[0].split() == ["ID", "UPDATED", "MSGS", "TITLE"]
    assert lines[1].startswith(b[:8]) and lines[2].startswith(a[:8])  # newest first
    assert "Greeting [/]" in lines[1] and "\x1b" not in plain.stdout
    data = json.loads(cli.run("sessions", "list", "--json").stdout)
    assert [d["id"] for d in data] == [b, a]
    assert data[1]["title"] == "Reversing lists" and data[1]["message_count"] == 2
    assert json.loads(cli.run("sessions", "list", "--json", "-n", "1").stdout)[0]["id"] == b


def test_empty_list(cli: Cli) -> None:
    out = cli.run("sessions", "list", "--json")
    assert out.returncode == 0 and json.loads(out.stdout) == []
    plain = cli.run("sessions", "list")
    assert plain.returncode == 0 and plain.stdout == "" and "no sessions" in plain.stderr


def test_show_plain_and_json(cli: Cli) -> None:
    a, _ = seed(cli)
    out = cli.run("sessions", "show", a[:5])
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Reversing lists\n")
    assert "[user]" in out.stdout and "How do I reverse a list?" in out.stdout
    assert "Use items[::-1] red." in out.stdout and "\x1b" not in out.stdout
    data = json.loads(cli.run("sessions", "show", a, "--json").stdout)
    assert data["id"] == a
    assert [m["role"] for m in data["messages"]] == ["user", "assistant"]


def test_rename_delete_restore(cli: Cli) -> None:
    a, b = seed(cli)
    out = cli.run("sessions", "rename", a[:6], "Python", "lists")
    assert out.returncode == 0, out.stderr
    assert cli.store().load(a).title == "Python lists"
    gone = cli.run("sessions", "delete", a[:6])
    assert gone.returncode == 0, gone.stderr
    assert "trash" in gone.stderr and f"sessions restore {a[:8]}" in gone.stderr
    assert [s.id for s in cli.store().list()] == [b]
    back = cli.run("sessions", "restore", a[:6])
    assert back.returncode == 0, back.stderr
    assert {s.id for s in cli.store().list()} == {a, b}
    again = cli.run("sessions", "restore", a[:6])
    assert again.returncode == 2
    # The error names the listing that shows what can be restored.
    assert "sessions list --trash" in assert_one_error_line(again.stderr)


def test_list_trash_shows_ids_that_restore_takes(cli: Cli) -> None:
    a, b = seed(cli)
    empty = cli.run("sessions", "list", "--trash")
    assert empty.returncode == 0 and empty.stdout == "" and "trash is empty" in empty.stderr
    assert cli.run("sessions", "delete", a[:6]).returncode == 0
    listed = cli.run("sessions", "list", "--trash")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["ID", "DELETED", "MSGS", "TITLE"]
    assert len(lines) == 2 and lines[1].startswith(a[:8]) and "Reversing lists" in lines[1]
    assert b[:8] not in listed.stdout  # only the trash
    data = json.loads(cli.run("sessions", "list", "--trash", "--json").stdout)
    assert [d["id"] for d in data] == [a] and data[0]["message_count"] == 2
    # The id as listed is what restore takes.
    back = cli.run("sessions", "restore", lines[1].split()[0])
    assert back.returncode == 0, back.stderr
    assert {s.id for s in cli.store().list()} == {a, b}


def test_search_plain_and_json(cli: Cli) -> None:
    a, _ = seed(cli)
    plain = cli.run("sessions", "search", "reverse")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.startswith(a[:8]) and "Reversing lists" in plain.stdout
    data = json.loads(cli.run("sessions", "search", "reverse", "--json").stdout)
    assert [h["id"] for h in data] == [a] and "reverse" in data[0]["snippet"].lower()
    none = cli.run("sessions", "search", "zebra-xyz")
    assert none.returncode == 0 and none.stdout == ""


def test_unknown_and_ambiguous_ids(cli: Cli) -> None:
    store = cli.store()
    from aichat_tui.models import Conversation

    for suffix in ("1", "2"):
        store.save(Conversation(id="abcd" + suffix * 28, title=suffix))
    amb = cli.run("sessions", "show", "abcd")
    assert amb.returncode == 2
    assert "ambiguous" in assert_one_error_line(amb.stderr)
    missing = cli.run("sessions", "delete", "ffff")
    assert missing.returncode == 2
    assert "no session" in assert_one_error_line(missing.stderr)
    assert cli.run("sessions", "show", "abcd1").returncode == 0


def test_location_options_work_before_and_after_the_command(cli: Cli, tmp_path) -> None:
    other = tmp_path / "elsewhere"
    cli.env.pop("AICHAT_TUI_DATA_DIR")
    from aichat_tui.models import Conversation
    from aichat_tui.store import ConversationStore, Paths

    paths = Paths.resolve(config_dir=cli.config_dir, data_dir=other)
    paths.ensure()
    ConversationStore(paths).save(Conversation(id="e" * 32, title="Elsewhere"))
    before = cli.run("--data-dir", str(other), "sessions", "list", "--json")
    after = cli.run("sessions", "list", "--json", "--data-dir", str(other))
    assert json.loads(before.stdout)[0]["title"] == "Elsewhere"
    assert json.loads(after.stdout)[0]["title"] == "Elsewhere"


def test_show_prints_the_active_branch_and_with_all_every_branch(cli: Cli) -> None:
    a = cli.add_session("Tree", ("user", "first"), ("assistant", "old answer"))
    store = cli.store()
    conv = store.load(a)
    conv.add_branch(conv.messages[0].id, Message("assistant", "new answer", status="complete"))
    store.save(conv)
    out = cli.run("sessions", "show", a[:6])
    assert out.returncode == 0, out.stderr
    assert "new answer" in out.stdout and "old answer" not in out.stdout
    assert "(1 other branch(es) not shown" in out.stdout
    full = cli.run("sessions", "show", a[:6], "--all")
    assert full.returncode == 0, full.stderr
    assert "=== branch 1 of 2, after message 1 ===" in full.stdout
    assert "old answer" in full.stdout and full.stdout.count("first") == 1
    assert "(the branch above is branch 2 of 2)" in full.stdout
    hits = json.loads(cli.run("sessions", "search", "old answer", "--json").stdout)
    assert [(h["id"], h["branch"]) for h in hits] == [(a, 1)]
    md = cli.run("export", a[:6], "--all-branches")
    assert "## Branch 1 of 2 (after message 1)" in md.stdout and "old answer" in md.stdout
    data = json.loads(cli.run("export", a[:6], "--format", "json").stdout)
    assert data["version"] == 2 and len(data["messages"]) == 3


def test_show_carries_thinking_ending_and_usage(cli: Cli) -> None:
    from aichat_tui.models import Message, Usage

    store = cli.store()
    conv = store.create(title="thinker")
    conv.messages += [
        Message(role="user", content="q"),
        Message(
            role="assistant",
            content="",
            status="complete",
            reasoning="pondering \x1b[31mdeeply",
            finish_reason="length",
            usage=Usage(prompt_tokens=29, completion_tokens=40),
        ),
    ]
    store.save(conv)
    out = cli.run("sessions", "show", conv.id[:8])
    assert out.returncode == 0, out.stderr
    assert "[thinking]\npondering deeply\n[/thinking]" in out.stdout
    assert "(truncated: max_tokens reached)" in out.stdout
    assert "29 → 40 tokens" in out.stdout
    data = json.loads(cli.run("sessions", "show", conv.id, "--json").stdout)
    assert data["messages"][-1]["reasoning"] == "pondering deeply"
