"""The floor: plain httpx streaming of a reply, no UI (run in its own process).

    python -m tests.perf.floor BASE_URL N [--repeat R]

streams ``bench reply N`` from the OpenAI-compatible endpoint at BASE_URL (the
server's root URL; ``/v1/chat/completions`` is appended), decodes the SSE events,
joins the text, and prints one JSON line: CPU seconds (this process, all threads)
and wall seconds per run, and the number of characters received.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import httpx

from tests.perf.replies import PROMPT_FORMAT


def stream_once(client: httpx.Client, url: str, n: int) -> str:
    """One streamed reply, decoded the simple way a minimal client would."""
    body = {
        "model": "bench",
        "stream": True,
        "messages": [{"role": "user", "content": PROMPT_FORMAT.format(n=n)}],
    }
    parts: list[str] = []
    with client.stream("POST", url, json=body) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                break
            choices = json.loads(data).get("choices") or [{}]
            piece = (choices[0].get("delta") or {}).get("content")
            if piece:
                parts.append(piece)
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    """Measure and print JSON."""
    parser = argparse.ArgumentParser()
    parser.add_argument("base_url")
    parser.add_argument("n", type=int)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    url = args.base_url.rstrip("/") + "/v1/chat/completions"
    cpu: list[float] = []
    wall: list[float] = []
    chars = 0
    with httpx.Client(timeout=60) as client:
        stream_once(client, url, 100)  # warm up the connection and imports
        for _ in range(args.repeat):
            c0, w0 = time.process_time(), time.perf_counter()
            chars = len(stream_once(client, url, args.n))
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
    print(json.dumps({"cpu": cpu, "wall": wall, "chars": chars}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
