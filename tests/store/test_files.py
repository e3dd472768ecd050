"""Conversation files: byte-exact text round trips, hand-edited forms, and
damaged files (bad TOML, bad UTF-8, BOM, wrong types, huge, symlinks) that are
moved aside with the file and line named while everything else still loads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aichat_tui.models import Conversation, Message
from aichat_tui.store import ConversationFileError, ConversationStore, Paths, SaveError, schema

AWKWARD = [
    'quotes " and \'single\' and """triple""" and \'\'\'',
    "back\\slash \\n not a newline \\u0041 \\",
    '[[messages]]\nrole = "system"\ncontent = "injected"\n[[messages]]',
    "tab\there\t",
    "line\u2028sep\u2029para\x85nel",
    "esc \x1b[31mred\x1b[0m osc \x1b]52;c;aGk=\x07 nul \x00 del \x7f bell \x07",
    "crlf\r\nlone cr\rend\r",
    "\n\nleading and trailing newlines\n\n",
    "",
    "😀 emoji é ñ 中文 \ufeff bom inside",
    '"',
    "\\",
    'ends with a quote"',
    "x" * 100_000,
]


@pytest.mark.parametrize("text", AWKWARD, ids=range(len(AWKWARD)))
def test_text_round_trips_byte_exact(store: ConversationStore, text: str) -> None:
    conv = store.create(title=text[:200], system_prompt=text)
    conv.messages.append(Message("user", text))
    conv.messages.append(Message("assistant", text, status="error", error=text))
    store.save(conv)
    loaded = ConversationStore(store.paths).load(conv.id)
    assert loaded.title == text[:200]
    assert loaded.system_prompt == text
    assert [m.content for m in loaded.messages] == [text, text]
    assert loaded.messages[1].error == text
    assert len(loaded.messages) == 2  # nothing injected


def test_split_surrogates_are_joined_or_replaced(store: ConversationStore) -> None:
    conv = store.create()
    conv.messages.append(Message("assistant", "a\ud83d" + "\ude00b", status="complete"))
    conv.messages.append(Message("assistant", "lone \ud83d end", status="interrupted"))
    store.save(conv)
    loaded = store.load(conv.id)
    assert loaded.messages[0].content == "a😀b"
    assert loaded.messages[1].content == "lone \ufffd end"


def test_every_message_is_an_array_table_and_none_fields_are_omitted(
    store: ConversationStore,
) -> None:
    conv = store.create()
    conv.messages.append(Message("user", "hi"))  # short: would fit an inline table
    store.save(conv)
    text = store.path_of(conv.id).read_text()
    assert "[[messages]]" in text and "{" not in text
    assert "status" not in text and "error" not in text and "profile" not in text


def write(paths: Paths, name: str, data: str | bytes) -> Path:
    path = paths.conversations_dir / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_hand_edited_inline_array_without_trailing_newline_then_save(
    store: ConversationStore,
) -> None:
    text = (
        'schema_version = 1\ntitle = "hand"\ncreated = 2024-01-01T00:00:00Z\n'
        "updated = 2024-01-01T00:00:00\n"
        'messages = [{role = "user", content = "hi", time = 2024-01-01T00:00:01Z},'
        ' {role = "assistant", content = "yo", status = "complete"}]'
    )
    write(store.paths, "hand.toml", text)
    conv = store.load("hand")
    assert [m.content for m in conv.messages] == ["hi", "yo"]
    assert conv.updated.tzinfo is not None  # a local date-time is taken as UTC
    ids = [m.id for m in conv.messages]
    assert ids == [m.id for m in ConversationStore(store.paths).load("hand").messages]
    conv.messages.append(Message("user", "more"))
    store.save(conv)
    again = ConversationStore(store.paths).load("hand")
    assert [m.content for m in again.messages] == ["hi", "yo", "more"]
    assert [m.id for m in again.messages][:2] == ids
    assert "[[messages]]" in store.path_of("hand").read_text()


GOOD = schema.dumps(
    Conversation(id="x", title="ok", messages=[Message("user", "q"), Message("assistant", "a")])
)


@pytest.mark.parametrize(
    ("data", "line", "fragment"),
    [
        ('schema_version = 1\ntitle = "x\n', 2, "invalid TOML"),
        ("schema_version = 1\ntitle = 1\ntitle = 2\n", 3, "invalid TOML"),
        (b'schema_version = 1\ntitle = "\xff"\n', 2, "UTF-8"),
        ('schema_version = 1\nmessages = "x"\n', 2, "messages"),
        ('schema_version = 1\n\n[[messages]]\nrole = 5\ncontent = "a"\n', 4, "messages[0].role"),
        (
            'schema_version = 1\n[[messages]]\nrole = "user"\ncontent = "a"\n'
            '[[messages]]\nrole = "wizard"\ncontent = "b"\n',
            6,
            "messages[1].role",
        ),
        (
            'schema_version = 1\n[[messages]]\nrole = "user"\ncontent = "a"\ntime = 2024\n',
            5,
            "messages[0].time",
        ),
        (
            'schema_version = 1\n[[messages]]\nrole = "assistant"\ncontent = "a"\n'
            'status = "done"\n',
            5,
            "messages[0].status",
        ),
        (
            'schema_version = 1\n[[messages]]\nrole = "user"\ncontent = "a"\ntokens = 12\n',
            5,
            "messages[0].tokens",
        ),
        ('schema_version = 1\ncolour = "red"\n', 2, "colour"),
        ("schema_version = 99\n", 1, "newer"),
        ('title = "no version"\n', None, "schema_version"),
        ("", None, "empty"),
        ("  \n\n\t\n", None, "empty"),
        ("schema_version = 1\nx = " + "[" * 50_000, None, "nested too deeply"),
        (GOOD + "\x00" * 32, GOOD.count("\n") + 1, "invalid TOML"),
    ],
)
def test_damaged_file_is_moved_aside_named_and_others_load(
    store: ConversationStore, data: str | bytes, line: int | None, fragment: str
) -> None:
    good = store.create(title="fine")
    path = write(store.paths, "bad.toml", data)
    original = path.read_bytes()
    with pytest.raises(ConversationFileError) as caught:
        store.load("bad")
    error = caught.value
    assert error.path == path and error.line == line
    assert fragment in str(error) and str(path) in str(error)
    assert not path.exists()
    (moved,) = [p for p in store.paths.quarantine_dir.iterdir() if p.suffix == ".toml"]
    assert moved.read_bytes() == original
    assert [p.path for p in store.problems] == [path]
    assert [s.id for s in store.list()] == [good.id]


def test_listing_reports_bad_files_and_keeps_going(store: ConversationStore) -> None:
    good = store.create(title="fine")
    write(store.paths, "bad.toml", 'schema_version = 1\ntitle = "x\n')
    assert [s.id for s in store.list()] == [good.id]
    (problem,) = store.problems
    assert problem.message.startswith("line 2: invalid TOML")  # the path is problem.path
    assert problem.moved_to is not None
    assert problem.moved_to.read_text().startswith("schema_version")
    assert store.list() == store.list() and len(store.problems) == 1


def test_torn_file_at_every_byte_never_loads_wrong_types(tmp_path: Path) -> None:
    conv = Conversation(title="t")
    conv.messages = [Message("user", "question"), Message("assistant", "answer", status="complete")]
    data = schema.dumps(conv).encode()
    path = tmp_path / "torn.toml"
    for cut in range(len(data)):
        try:
            loaded = schema.loads(data[:cut], path)
        except ConversationFileError:
            continue
        # what loads is a valid conversation whose messages are a prefix
        for message, full in zip(loaded.messages, conv.messages, strict=False):
            assert message.role == full.role and full.content.startswith(message.content)
            assert isinstance(message.time, type(full.time))


def test_bom_prefixed_file_loads(store: ConversationStore) -> None:
    write(store.paths, "bom.toml", b"\xef\xbb\xbf" + GOOD.encode())
    assert [m.content for m in store.load("bom").messages] == ["q", "a"]


def test_huge_file_is_refused_before_parsing(store: ConversationStore) -> None:
    path = store.paths.conversations_dir / "huge.toml"
    with open(path, "wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: costs no disk or time
    with pytest.raises(ConversationFileError, match="too large"):
        store.load("huge")
    assert store.parse_count == 0


@pytest.mark.skipif(os.name != "posix", reason="symlinks")
def test_symlinks_and_folders_are_refused_not_followed(
    store: ConversationStore, tmp_path: Path
) -> None:
    target = tmp_path / "elsewhere.toml"
    target.write_text(GOOD)
    link = store.paths.conversations_dir / "link.toml"
    link.symlink_to(target)
    (store.paths.conversations_dir / "folder.toml").mkdir()
    assert store.list() == []
    assert {p.path.name for p in store.problems} == {"link.toml", "folder.toml"}
    with pytest.raises(ConversationFileError, match="not a regular file"):
        store.load("link")
    with pytest.raises(SaveError, match="link"):
        store.save(Conversation(id="link"))
    assert link.is_symlink() and target.read_text() == GOOD


def test_save_over_a_damaged_file_moves_it_aside_first(store: ConversationStore) -> None:
    conv = store.create(title="mine")
    path = store.path_of(conv.id)
    path.write_bytes(b'schema_version = 1\ntitle = "broken by hand\n')
    conv.messages.append(Message("user", "still saved"))
    store.save(conv)
    assert store.load(conv.id).messages[0].content == "still saved"
    (moved,) = [p for p in store.paths.quarantine_dir.iterdir() if p.suffix == ".toml"]
    assert moved.read_bytes() == b'schema_version = 1\ntitle = "broken by hand\n'


def test_damage_after_the_header_is_caught_when_opened(store: ConversationStore) -> None:
    conv = store.create(title="half bad")
    conv.messages.append(Message("user", "fine"))
    store.save(conv)
    path = store.path_of(conv.id)
    path.write_text(path.read_text().replace('role = "user"', "role = 5"))
    fresh = ConversationStore(store.paths)
    assert [s.title for s in fresh.list()] == ["half bad"]  # listed from the header
    with pytest.raises(ConversationFileError, match=r"messages\[0\]\.role"):
        fresh.load(conv.id)
    assert fresh.list() == [] and len(fresh.problems) == 1


def test_a_file_fixed_by_another_instance_meanwhile_is_not_moved(
    store: ConversationStore,
) -> None:
    """The race: this instance fails to parse version 1, another instance then
    replaces it with a good version 2; quarantining must leave version 2 alone."""
    from aichat_tui.store.conversations import _BadFile
    from aichat_tui.store.index import stamp_of

    path = write(store.paths, "race.toml", 'schema_version = 1\ntitle = "x\n')
    bad_stamp = stamp_of(os.stat(path))
    with pytest.raises(_BadFile) as caught:
        store._read(path)
    assert caught.value.stamp == bad_stamp
    fixed = path.with_name("fixed.tmp")
    fixed.write_text(GOOD)
    os.replace(fixed, path)  # the other instance's atomic save
    store._fail_load("race", path, caught.value)
    assert path.read_text() == GOOD
    assert store.load("race").title == "ok"
