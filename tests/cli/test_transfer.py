"""``aichat-tui export`` and ``aichat-tui import`` (ChatGPT export and own JSON)."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

from tests.cli.chatgpt_export import EXPECTED_A, T0, conversations
from tests.cli.conftest import Cli
from tests.cli.test_ask import assert_one_error_line


def write_export(path: Path, data: list[dict]) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_import_chatgpt_export_is_idempotent(cli: Cli, tmp_path: Path) -> None:
    source = write_export(tmp_path / "conversations.json", conversations())
    first = cli.run("import", str(source))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "ChatGPT export: 2 imported, 0 updated, 0 skipped"
    second = cli.run("import", str(source))
    assert second.stdout.strip() == "ChatGPT export: 0 imported, 0 updated, 2 skipped"
    summaries = cli.store().list()
    assert [s.title for s in summaries] == ["Greeting", "Reversing lists"]
    conv = cli.store().load(summaries[1].id)
    assert [(m.role, m.content) for m in conv.messages] == EXPECTED_A
    assert conv.created.timestamp() == T0  # original times kept


def test_newer_chatgpt_export_adds_only_new_messages(cli: Cli, tmp_path: Path) -> None:
    cli.run("import", str(write_export(tmp_path / "old.json", conversations())))
    newer = copy.deepcopy(conversations())
    mapping = newer[1]["mapping"]
    mapping["b2"]["children"] = ["b3"]
    mapping["b3"] = {
        "id": "b3",
        "parent": "b2",
        "children": [],
        "message": {
            "id": "b3",
            "author": {"role": "user"},
            "create_time": T0 + 200,
            "content": {"content_type": "text", "parts": ["One more thing"]},
            "metadata": {},
            "recipient": "all",
            "weight": 1.0,
        },
    }
    newer[1]["current_node"] = "b3"
    newer[1]["update_time"] = T0 + 200
    out = cli.run("import", str(write_export(tmp_path / "new.json", newer)))
    assert out.stdout.strip() == "ChatGPT export: 0 imported, 1 updated, 1 skipped"
    greeting = next(s for s in cli.store().list() if s.title == "Greeting")
    texts = [m.content for m in cli.store().load(greeting.id).messages]
    assert texts == ["Say hi", "Hi! [/] [@click=app.quit]x[/]", "One more thing"]


def test_conversation_without_text_is_skipped(cli: Cli, tmp_path: Path) -> None:
    data = conversations()
    data[1]["mapping"] = {"only": {"id": "only", "parent": None, "children": [], "message": None}}
    data[1]["current_node"] = "only"
    out = cli.run("import", str(write_export(tmp_path / "c.json", data)))
    assert out.stdout.strip() == "ChatGPT export: 1 imported, 0 updated, 1 skipped"
    assert "'Greeting' has no text messages" in out.stderr


def test_import_from_the_export_zip(cli: Cli, tmp_path: Path) -> None:
    archive = tmp_path / "chatgpt-export.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("chat.html", "<html></html>")
        zf.writestr("conversations.json", json.dumps(conversations()))
    out = cli.run("import", str(archive))
    assert out.returncode == 0, out.stderr
    assert "2 imported" in out.stdout


def test_export_markdown_and_json_then_import_own_json(cli: Cli, tmp_path: Path) -> None:
    conv_id = cli.add_session("Secret-free", ("user", "hello \x1b[2J"), ("assistant", "hi there"))
    md = cli.run("export", conv_id[:6], "--format", "md")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# Secret-free") and "hi there" in md.stdout
    assert "\x1b" not in md.stdout
    target = tmp_path / "out.json"
    js = cli.run("export", conv_id, "-f", "json", "-o", str(target))
    assert js.returncode == 0 and js.stdout == "" and str(target) in js.stderr
    data = json.loads(target.read_text())
    assert data["id"] == conv_id and data["messages"][1]["content"] == "hi there"

    other = Cli(
        config_dir=cli.config_dir,
        data_dir=tmp_path / "other-data",
        env={**cli.env, "AICHAT_TUI_DATA_DIR": str(tmp_path / "other-data")},
    )
    first = other.run("import", str(target))
    assert first.stdout.strip() == "aichat-tui export: 1 imported, 0 updated, 0 skipped"
    again = other.run("import", str(target))
    assert again.stdout.strip() == "aichat-tui export: 0 imported, 0 updated, 1 skipped"
    copy_ = other.store().load(conv_id)
    assert [m.content for m in copy_.messages] == ["hello ", "hi there"]  # exports strip escapes


def test_import_skips_what_is_in_the_trash(cli: Cli, tmp_path: Path) -> None:
    source = write_export(tmp_path / "conversations.json", conversations())
    cli.run("import", str(source))
    victim = cli.store().list()[0].id
    assert cli.run("sessions", "delete", victim).returncode == 0
    out = cli.run("import", str(source))
    assert out.stdout.strip() == "ChatGPT export: 0 imported, 0 updated, 2 skipped"
    assert "trash" in out.stderr
    assert len(cli.store().list()) == 1


def test_import_errors_are_one_line(cli: Cli, tmp_path: Path) -> None:
    missing = cli.run("import", str(tmp_path / "nope.json"))
    assert missing.returncode == 2
    assert "no such file" in assert_one_error_line(missing.stderr)
    broken = tmp_path / "broken.json"
    broken.write_text('[{"mapping": ')
    bad = cli.run("import", str(broken))
    assert bad.returncode == 2
    assert "not valid JSON" in assert_one_error_line(bad.stderr)
    other = write_export(tmp_path / "other.json", [{"foo": 1}])
    unknown = cli.run("import", str(other))
    assert unknown.returncode == 2
    assert "neither" in assert_one_error_line(unknown.stderr)
    folder = cli.run("import", str(tmp_path))
    assert folder.returncode == 2
    assert_one_error_line(folder.stderr)


def test_export_unknown_id(cli: Cli) -> None:
    out = cli.run("export", "0123")
    assert out.returncode == 2
    assert "no session" in assert_one_error_line(out.stderr)
