"""``aichat-tui ask -a FILE``: files and images into a one-shot question."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.attachments.images import png_bytes
from tests.cli.conftest import Cli
from tests.cli.test_ask import assert_one_error_line

PNG = png_bytes(seed=11)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    notes = tmp_path / "notes.txt"
    notes.write_text("step 1\nstep 2 ```odd```\n", encoding="utf-8")
    shot = tmp_path / "shot.png"
    shot.write_bytes(PNG)
    return notes, shot


def test_ask_sends_a_text_file_and_an_image(
    cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    notes, shot = _files(tmp_path)
    out = cli.run("ask", "-a", str(notes), "-a", str(shot), "explain")
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    text, image = server.requests[-1].json()["messages"][-1]["content"]
    assert text == {
        "type": "text",
        "text": "explain\n\nFile: notes.txt\n````txt\nstep 1\nstep 2 ```odd```\n````",
    }
    url = image["image_url"]["url"]
    assert url.startswith("data:image/png;base64,")
    assert base64.b64decode(url.split(",", 1)[1]) == PNG


def test_a_saved_session_records_the_attachments_and_stores_the_image(
    cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    notes, shot = _files(tmp_path)
    out = cli.run("ask", "--save", "-a", str(notes), "-a", str(shot), "explain")
    assert out.returncode == 0, out.stderr
    store = cli.store()
    (summary,) = store.list()
    prompt = store.load(summary.id).messages[0]
    assert [(a.name, a.media_type) for a in prompt.attachments] == [
        ("notes.txt", "text/plain"),
        ("shot.png", "image/png"),
    ]
    stored = cli.paths.conversations_dir / f"{summary.id}.files"
    assert [p.read_bytes() for p in stored.iterdir()] == [PNG]
    shown = cli.run("sessions", "show", summary.id)
    size = notes.stat().st_size
    assert f"(attached: notes.txt ({size} B), shot.png ({len(PNG)} B))" in shown.stdout
    # the image goes again with the next question of the session
    again = cli.run("ask", "--continue", "and now?")
    assert again.returncode == 0, again.stderr
    first = server.requests[-1].json()["messages"][0]["content"]
    assert base64.b64decode(first[1]["image_url"]["url"].split(",", 1)[1]) == PNG


def test_dash_reads_the_file_from_standard_input(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    out = cli.run("ask", "-a", "-", "what is it?", input=PNG)
    assert out.returncode == 0, out.stderr
    _text, image = server.requests[-1].json()["messages"][-1]["content"]
    assert base64.b64decode(image["image_url"]["url"].split(",", 1)[1]) == PNG
    text = cli.run("ask", "-a", "-", input="from a pipe\n")
    assert text.returncode == 0, text.stderr
    sent = server.requests[-1].json()["messages"][-1]["content"]
    assert sent == "File: stdin\n```\nfrom a pipe\n```"


def test_the_aichat_profile_refuses_the_image_before_sending(
    cli: Cli, server: LoopbackServer, tmp_path: Path
) -> None:
    cli.configure(
        Profile(name="chat", kind="aichat", base_url=server.url, cookies={"s": "v"}, proxy="")
    )
    notes, shot = _files(tmp_path)
    out = cli.run("ask", "--save", "-a", str(notes), "-a", str(shot), "explain")
    assert out.returncode == 2
    line = assert_one_error_line(out.stderr)
    assert "profile 'chat' uses the aichat protocol, which takes text only" in line
    assert "the image shot.png cannot be sent; nothing was sent" in line
    assert server.requests == [] and cli.store().list() == []


def test_a_50_mb_file_is_refused_and_nothing_is_written(
    cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    big = tmp_path / "huge.log"
    with open(big, "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    out = cli.run("ask", "--save", "-a", str(big), "summarise")
    assert out.returncode == 2
    line = assert_one_error_line(out.stderr)
    assert line == (
        "aichat-tui: error: huge.log is too large to attach (50 MB; text files up to 256 KB); "
        "nothing was attached"
    )
    assert server.requests == []
    conversations = cli.paths.conversations_dir
    assert not conversations.exists() or not any(conversations.glob("*.toml"))


def test_binary_and_missing_files_are_usage_errors(
    cli: Cli, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    blob = tmp_path / "blob.bin"
    blob.write_bytes(bytes(range(256)) * 8)
    out = cli.run("ask", "-a", str(blob), "what")
    assert out.returncode == 2
    assert "blob.bin is a binary file" in assert_one_error_line(out.stderr)
    missing = cli.run("ask", "-a", str(tmp_path / "nope.txt"), "what")
    assert missing.returncode == 2
    assert "no such file" in assert_one_error_line(missing.stderr)


def test_a_latin1_file_is_sent_with_a_note(
    cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    old = tmp_path / "old.txt"
    old.write_bytes(b"caf\xe9\n")
    out = cli.run("ask", "-a", str(old), "read")
    assert out.returncode == 0, out.stderr
    assert out.stderr == "aichat-tui: note: old.txt is not UTF-8: it was read as Windows-1252\n"
    assert "café" in server.requests[-1].json()["messages"][-1]["content"]


def test_a_model_that_refuses_images_is_named(
    cli: Cli, server: LoopbackServer, openai_profile: Profile, tmp_path: Path
) -> None:
    cli.configure(openai_profile)
    _notes, shot = _files(tmp_path)
    said = (
        "image input is not supported - hint: if this is unexpected, "
        "you may need to provide the mmproj"
    )
    body = json.dumps({"error": {"code": 500, "message": said, "type": "server_error"}})
    server.push(Behaviour(status=500, body=body, times=3))
    out = cli.run("ask", "-a", str(shot), "--model", "qwen-text", "what is this?")
    assert out.returncode == 2
    line = assert_one_error_line(out.stderr)
    assert "the model 'qwen-text' at 127.0.0.1:" in line
    assert "does not accept images (HTTP 500)" in line and "mmproj" in line
    assert len(server.requests) == 1
