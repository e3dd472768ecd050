"""A process for the kill -9 and two-writer tests (run with ``python -m``).

Modes:
  stream CONFIG DATA JOURNAL   user message, then a streamed reply through a
                               PartialWriter, then the final save; forever.
  save   CONFIG DATA JOURNAL TAG  saves conversation TAG again and again, one
                               30 KB message more each time; forever.
  append CONFIG DATA JOURNAL CONV N  appends N messages to CONV, one save each.
  branch CONFIG DATA JOURNAL CONV PARENT ROLE N  adds N new branches under
                               message PARENT of CONV (ROLE messages), one save each.
  hold-lock CONFIG DATA JOURNAL CONV   takes CONV's lock and sleeps.
  settings CONFIG DATA JOURNAL saves config.toml again and again, a new model each time.

The journal gets one line per completed step, written after the step returned
(O_APPEND, no fsync: the OS keeps it when only the process is killed).
"""

from __future__ import annotations

import hashlib
import os
import sys
import time

from aichat_tui.models import Conversation, Message, new_id
from aichat_tui.store import ConversationNotFound, ConversationStore, Paths

STREAM_CONV = "streamconv"
CHUNK = 7


def reply_text(message_id: str) -> str:
    """The full reply streamed for a message id (deterministic, awkward text)."""
    seed = hashlib.sha256(message_id.encode()).hexdigest()
    # the emoji is a surrogate pair, as a JSON stream decoder may deliver it, so
    # chunk boundaries split it sometimes
    unit = f'{seed[:8]} "q" \\b\t[[messages]]\n\u2028 \ud83d\ude00 é\r\n'
    return (unit * 200)[: 4000 + int(seed[:2], 16) * 10]


def save_text(tag: str, index: int) -> str:
    """The content of message ``index`` in save mode."""
    return f"{tag}:{index}:" + ('x\n"\\' * 7500)


class Journal:
    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, *parts: object) -> None:
        os.write(self.fd, (" ".join(str(p) for p in parts) + "\n").encode())


def _conversation(store: ConversationStore, conv_id: str) -> Conversation:
    try:
        return store.load(conv_id)
    except ConversationNotFound:
        conv = Conversation(id=conv_id, title=conv_id)
        store.save(conv)
        return conv


def stream(store: ConversationStore, journal: Journal) -> None:
    conv = _conversation(store, STREAM_CONV)
    journal.write("ready")
    while True:
        question = Message("user", f"question {new_id()}")
        conv.messages.append(question)
        store.save(conv)
        journal.write("saved", question.id)
        reply = Message("assistant", "", status=None)
        full = reply_text(reply.id)
        writer = store.partial_writer(conv.id, reply.id)
        for end in range(CHUNK, len(full) + CHUNK, CHUNK):
            text = full[:end]
            writer.update(text)
            journal.write("stream", reply.id, len(text), repr(time.time()))
            time.sleep(0.002)
        reply.content = full
        reply.status = "complete"
        conv.messages.append(reply)
        store.save(conv)
        journal.write("saved", reply.id)
        writer.close()


def save_loop(store: ConversationStore, journal: Journal, tag: str) -> None:
    conv = Conversation(id=tag, title=tag)
    journal.write("ready")
    index = 0
    while True:
        conv.messages.append(Message("user", save_text(tag, index)))
        store.save(conv)
        index += 1
        journal.write("saved", tag, index)


def append(store: ConversationStore, journal: Journal, conv_id: str, count: int) -> None:
    conv = _conversation(store, conv_id)
    journal.write("ready")
    for i in range(count):
        conv.messages.append(Message("user", f"{os.getpid()}-{i}"))
        store.save(conv)
    journal.write("done")


def branch(
    store: ConversationStore, journal: Journal, conv_id: str, parent: str, role: str, count: int
) -> None:
    conv = store.load(conv_id)
    journal.write("ready")
    for i in range(count):
        status = "complete" if role == "assistant" else None
        conv.add_branch(parent, Message(role, f"{os.getpid()}-{i}", status=status))  # type: ignore[arg-type]
        store.save(conv)
    journal.write("done")


def hold_lock(store: ConversationStore, journal: Journal, conv_id: str) -> None:
    with store._lock(conv_id):
        journal.write("locked")
        time.sleep(60)


def settings_loop(paths: Paths, journal: Journal) -> None:
    from aichat_tui.store import load_settings, save_settings

    settings = load_settings(paths)
    profile = settings.profiles["local"]
    profile.cookies = {f"c{i}": "v" * 200 for i in range(200)}  # a bigger file to tear
    journal.write("ready")
    index = 0
    while True:
        index += 1
        profile.model = f"model-{index}"
        save_settings(paths, settings)
        journal.write("saved", index)


def main(argv: list[str]) -> None:
    mode, config_dir, data_dir, journal_path, *rest = argv
    store = ConversationStore(Paths.resolve(config_dir, data_dir))
    journal = Journal(journal_path)
    if mode == "stream":
        stream(store, journal)
    elif mode == "save":
        save_loop(store, journal, rest[0])
    elif mode == "append":
        append(store, journal, rest[0], int(rest[1]))
    elif mode == "branch":
        branch(store, journal, rest[0], rest[1], rest[2], int(rest[3]))
    elif mode == "settings":
        settings_loop(store.paths, journal)
    elif mode == "hold-lock":
        hold_lock(store, journal, rest[0])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
