"""Benchmark (not a test): ``aichat-tui import`` on hostile zips (issue 16, item 1).

    $ python -m tests.perf.import_bomb

Builds, in a temp folder, a ~1 MB zip holding a 1 GiB ``conversations.json`` (one
conversation whose title is 1 GiB of ``a``), and the same zip with its size fields
forged to say 1 MiB (so only the capped, streamed read can stop it); then runs the
real CLI on each in a subprocess and prints its wall time, peak memory (the child's
``ru_maxrss``) and the line it printed. Targets: < 100 MB and < 2 s.
"""

from __future__ import annotations

import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

GIB = 2**30
CHUNK = 16 * 2**20


def build_bomb(path: Path) -> None:
    """A zip whose conversations.json is 1 GiB uncompressed, compressed in chunks."""
    head = b'[{"mapping": {}, "title": "'
    tail = b'"}]'
    body = GIB - len(head) - len(tail)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("conversations.json", "w", force_zip64=True) as member,
    ):
        member.write(head)
        block = b"a" * CHUNK
        left = body
        while left:
            member.write(block[: min(left, CHUNK)])
            left -= min(left, CHUNK)
        member.write(tail)


def forge_sizes(src: Path, dst: Path, size: int) -> None:
    """Copy with the uncompressed size in the central directory (and its zip64
    extra) set to ``size``; the CRC then fails, if the reader ever gets that far."""
    data = bytearray(src.read_bytes())
    at = data.rfind(b"PK\x01\x02")
    data[at + 24 : at + 28] = struct.pack("<I", size)
    extra_at = at + 46 + struct.unpack("<H", data[at + 28 : at + 30])[0]
    if data[extra_at : extra_at + 2] == b"\x01\x00":  # zip64 extra: sizes follow
        data[extra_at + 4 : extra_at + 12] = struct.pack("<Q", size)
    dst.write_bytes(bytes(data))


def run(zip_path: Path, home: Path) -> tuple[float, float, int, str]:
    """(seconds, peak MB, exit status, stderr) of one ``import`` in a fresh process."""
    env = dict(
        os.environ,
        AICHAT_TUI_CONFIG_DIR=str(home / "config"),
        AICHAT_TUI_DATA_DIR=str(home / "data"),
    )
    code = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run([sys.executable, '-m', 'aichat_tui', 'import', sys.argv[1]],"
        " capture_output=True, text=True)\n"
        "dt = time.perf_counter() - t\n"
        "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(dt, kb, p.returncode, repr(p.stderr.strip()))\n"
    )
    # A fresh parent per run: RUSAGE_CHILDREN's peak covers this one child only.
    out = subprocess.run(
        [sys.executable, "-c", code, str(zip_path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.split(" ", 3)
    return float(out[0]), int(out[1]) / 1024, int(out[2]), out[3].strip()


def main() -> int:
    """Build the bombs, run the CLI on each, print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bomb = root / "bomb.zip"
        started = time.perf_counter()
        build_bomb(bomb)
        print(
            f"built {bomb.name}: {bomb.stat().st_size / 2**20:.2f} MB zip, 1 GiB inside "
            f"({time.perf_counter() - started:.1f} s)"
        )
        forged = root / "forged.zip"
        forge_sizes(bomb, forged, 2**20)
        forged_big = root / "forged-500.zip"
        forge_sizes(bomb, forged_big, 500 * 2**20)
        print(f"{'case':<32} {'time':>7} {'peak':>9} exit  message")
        worst = 0
        cases = (
            ("1 GiB declared", bomb),
            ("1 GiB, header says 1 MiB", forged),
            ("1 GiB, header says 500 MiB", forged_big),
        )
        for name, path in cases:
            secs, peak, status, said = run(path, root / name.replace(" ", "_"))
            ok = peak < 100 and secs < 2 and status == 2
            worst |= not ok
            print(f"{name:<32} {secs:6.2f}s {peak:7.1f}MB {status:>4}  {said}")
        builder = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of this builder process: {builder:.0f} MB")
        return int(worst)


if __name__ == "__main__":
    sys.exit(main())
