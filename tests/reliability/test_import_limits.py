"""Hostile import files (issue 16, item 1): bombs, deep nesting, too many entries.

Every case ends in one clear line and exit 2, read in bounded chunks; the limits are
lowered with monkeypatch where a real-sized file would only make the test slow (the
1 GiB zip is measured by tests/perf/import_bomb.py, not here).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from aichat_tui.store import importers, json_stream
from aichat_tui.store.importers import ImportFormatError, read_import_file
from tests.cli.chatgpt_export import conversations
from tests.reliability.helpers import run_cli


def one_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr and "Error:" not in lines[0].split("aichat-tui: ")[-1][:6]
    return lines[0]


def test_deeply_nested_json_is_refused_in_one_line(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000)
    out = run_cli(tmp_path, "import", str(deep))
    assert out.returncode == 2
    line = one_line(out.stderr)
    assert "nested more than 100 levels deep" in line
    assert "RecursionError" not in out.stderr and "unexpected" not in out.stderr


def test_deep_nesting_inside_a_zip_too(tmp_path: Path) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("conversations.json", '[{"mapping": ' + "{" * 50_000)
    out = run_cli(tmp_path, "import", str(archive))
    assert out.returncode == 2
    assert "nested more than 100 levels" in one_line(out.stderr)


def test_declared_size_over_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 64 * 1024)
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("conversations.json", " " * (1024 * 1024))
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: object, *args: object, **kw: object) -> object:
        opened.append(str(name))
        return real_open(self, name, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    said = r"1 MiB uncompressed; the import limit is 0.0625 MiB"
    with pytest.raises(ImportFormatError, match=said):
        read_import_file(archive)
    assert opened == []  # refused from the header, nothing decompressed


def test_a_lying_size_header_is_still_read_with_a_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plain file over the limit is refused from its size; a stream that grows past
    the limit (what a forged header would give) stops at the cap."""
    monkeypatch.setattr(importers, "MAX_IMPORT_BYTES", 64 * 1024)
    big = tmp_path / "conversations.json"
    big.write_text(json.dumps(conversations()) + " " * 100_000)
    with pytest.raises(ImportFormatError, match="import limit"):
        read_import_file(big)
    read = 0

    class Endless:
        def read(self, n: int) -> bytes:
            nonlocal read
            read += n
            return b" " * n

    with pytest.raises(ImportFormatError, match="larger than the import limit"):
        importers._read_stream(Endless(), "stream")  # type: ignore[arg-type]
    assert read <= 64 * 1024 + json_stream.CHUNK


def test_too_many_zip_entries_or_conversations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importers, "MAX_ZIP_ENTRIES", 10)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for i in range(11):
            zf.writestr(f"file{i}.txt", "x")
        zf.writestr("conversations.json", json.dumps(conversations()))
    with pytest.raises(ImportFormatError, match="holds 12 files; more than the import limit"):
        read_import_file(archive)
    monkeypatch.setattr(importers, "MAX_CONVERSATIONS", 1)
    source = tmp_path / "two.json"
    source.write_text(json.dumps(conversations()))
    with pytest.raises(ImportFormatError, match="more than 1 conversations"):
        read_import_file(source)
    monkeypatch.setattr(importers, "MAX_CONVERSATION_CHARS", 2 * 2**20)
    huge = tmp_path / "huge.json"
    huge.write_text('[{"mapping": {}, "title": "' + "x" * 3 * 2**20 + '"}]')
    with pytest.raises(ImportFormatError, match="one conversation larger than 2 MiB"):
        read_import_file(huge)


@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
def test_streamed_reading_matches_json_at_every_chunk_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(json_stream, "CHUNK", chunk)
    data = conversations()
    data[0]["title"] = 'quote " back\\slash \\" ] } [ { é 😀 \u2028'
    source = tmp_path / "conversations.json"
    source.write_text("\ufeff " + json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    kind, convs = read_import_file(source)
    assert kind == "ChatGPT export"
    assert [c.title for c in convs] == [importers.chatgpt_conversation(d).title for d in data]
    assert convs[0].title == data[0]["title"].strip()
    single = tmp_path / "one.json"
    single.write_text(json.dumps(data[1]))
    assert [c.id for c in read_import_file(single)[1]] == [convs[1].id]
    for broken in ('[{"mapping": {}}', '[{"mapping": {}}] x', "[1]", "", "]"):
        single.write_text(broken)
        with pytest.raises(ImportFormatError):
            read_import_file(single)
