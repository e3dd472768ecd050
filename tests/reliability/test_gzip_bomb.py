"""A gzip bomb in an error body, and in a model list (issue 16, item 9).

Before: the error body was capped at 64 KB, but httpx inflated each network chunk
whole, so memory still peaked at 230 MB. The client runs in a child process that
reports its peak RSS (``ru_maxrss``) before and after the request.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.reliability.helpers import ROOT, clean_env

CHILD = textwrap.dedent(
    """
    import asyncio, json, resource, sys, zlib
    from aichat_tui.client import ChatClient, AichatError
    from aichat_tui.client.chat import ChatRequest
    from aichat_tui.loopback import Behaviour, LoopbackServer
    from aichat_tui.models import Profile

    # 512 MiB of JSON-ish text, compressed piece by piece (the peak stays low).
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b" " * 2**20
    bomb = packer.compress(b"{") + b"".join(packer.compress(block) for _ in range(512))
    bomb += packer.flush()
    server = LoopbackServer()
    server.start_in_thread()
    profile = Profile(name="p", kind="openai", base_url=server.openai_url, model="m",
                      timeout=60.0, proxy="")
    headers = {"content-encoding": "gzip", "content-type": "application/json"}

    async def main():
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results = []
        for what in ("chat", "models", "stream"):
            status = 500 if what == "chat" else 200
            kind = "text/event-stream" if what == "stream" else "application/json"
            server.push(Behaviour(status=status, body=bomb,
                                  headers={**headers, "content-type": kind}))
            async with ChatClient(profile) as client:
                try:
                    if what != "models":
                        await client.complete(ChatRequest(messages=[
                            {"role": "user", "content": "hi"}]))
                    else:
                        await client.list_models()
                    results.append("no error")
                except AichatError as exc:
                    results.append(f"{type(exc).__name__}: {exc}")
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"grew_kb": after - before, "errors": results}))

    asyncio.run(main())
    server.stop_thread()
    """
)


def test_gzip_bombs_in_an_error_body_and_a_model_list_stay_small() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        capture_output=True,
        text=True,
        env=clean_env(NO_PROXY="127.0.0.1"),
        cwd=ROOT,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    chat, models, stream = report["errors"]
    assert chat.startswith("ServerError") and "500" in chat
    assert models.startswith("ProtocolError") and "larger than 4 MiB" in models
    assert stream.startswith(("ProtocolError", "StreamInterrupted")), stream  # a 512 MiB line
    # 512 MiB inflated each time: before, the peak grew by 1.6 GB (197 MB for the
    # error body alone: httpx inflates each network chunk whole; the model list had
    # no cap). Now ~30 MB, most of it the stream parser's 16 MiB line limit.
    assert report["grew_kb"] < 64 * 1024, report
