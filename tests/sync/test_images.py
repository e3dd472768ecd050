"""Attached images (``<id>.files/``) travel with their conversation, into the
trash and back out of it (issue 14 + 15)."""

from __future__ import annotations

from aichat_tui.attachments.reading import read_bytes
from aichat_tui.models import Message
from tests.attachments.images import png_bytes
from tests.sync.conftest import Machine, git


def _attach(machine: Machine, conv_id: str, seed: int) -> str:
    conv = machine.store.load(conv_id)
    image = read_bytes(png_bytes(seed=seed), f"pic{seed}.png")
    conv.messages.append(Message("user", f"look {seed}", attachments=[image]))
    machine.store.save(conv)
    return f"{conv_id}.files/{image.sha256}.png"


def test_images_travel_and_come_back_with_a_conversation_kept_over_a_delete(
    machines, remote
) -> None:
    a, b = machines
    conv = a.chat(a.store.create(title="pics"), "hi")
    first = _attach(a, conv.id, 1)
    a.init(remote)
    b.init(remote)
    assert (b.paths.conversations_dir / first).read_bytes() == png_bytes(seed=1)

    a.store.delete(conv.id)  # the images go to the trash with it
    assert (a.paths.trash_dir / first).exists()
    second = _attach(b, conv.id, 2)
    a.sync()
    report = b.sync()
    assert any("pics" in n for n in report.notes)
    a.sync()
    for m in (a, b):
        assert (m.paths.conversations_dir / first).read_bytes() == png_bytes(seed=1)
        assert (m.paths.conversations_dir / second).read_bytes() == png_bytes(seed=2)
        assert not list(m.paths.trash_dir.iterdir())
        assert [x.content for x in m.store.load(conv.id).messages][-1] == "look 2"
    assert a.files() == b.files()
    tracked = git("ls-files", cwd=a.paths.data_dir).split()
    assert f"conversations/{first}" in tracked and f"conversations/{second}" in tracked


def test_an_image_whose_bytes_do_not_match_its_name_is_refused(machines, remote) -> None:
    a, _ = machines
    conv = a.chat(a.store.create(), "hi")
    name = _attach(a, conv.id, 3)
    (a.paths.conversations_dir / name).write_bytes(b"not the image")
    report = a.init(remote)
    assert any(name in n and "does not match" in n for n in report.notes)
    assert f"conversations/{name}" not in git("ls-files", cwd=a.paths.data_dir)
