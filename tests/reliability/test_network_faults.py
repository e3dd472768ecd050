"""Every row of the client's failure list, through the real client and the real UI
(faults 28-36, 43-53): the chat pane shows a clear error, the prompt is kept
(saved), partial text is kept, the app keeps running, and a retry (Ctrl+R) works
once the fault is gone. Proxy faults use real ``pproxy`` proxies.

The client-level versions (exact error classes) are in tests/client/.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import shutil
import socket

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Message, Profile
from aichat_tui.store import Paths
from aichat_tui.ui.app import AichatApp
from tests.client.helpers import free_port, pproxy

from .uihelpers import make_app, send, settled, wait_until

REPLY = "0123456789" * 30  # 300 characters
GOOD = "the answer after the fault"


def error_line(app: AichatApp, message: Message) -> str:
    """The error line shown under a reply in the chat pane ("" if hidden)."""
    view = app.workspace.transcript.view_for(message.id)
    assert view is not None, "the failed reply is not on screen"
    line = view.query_one(".error-line")
    return str(line.render()) if line.display else ""


async def fail_then_retry(
    app: AichatApp, pilot, expected: str, *, partial: bool, clear=None
) -> None:
    """Send, check the failure as the user sees it, clear the fault, retry."""
    ws = app.workspace
    await send(pilot, app, "my precious prompt")
    await wait_until(pilot, lambda: settled(app), timeout=30, what="the reply to fail")
    prompt, reply = ws.conv.messages[-2:]
    assert prompt.content == "my precious prompt"
    assert reply.status == "error", (reply.status, reply.error)
    shown = error_line(app, reply)
    assert expected.lower() in shown.lower(), shown
    assert "Traceback" not in shown and "CancelledError" not in shown
    stored = app.store.load(ws.conv.id).messages
    assert stored[-2].content == "my precious prompt"  # never lost
    assert stored[-1].status == "error" and stored[-1].error == reply.error
    if partial:
        assert reply.content and REPLY.startswith(reply.content)
        assert stored[-1].content == reply.content
    else:
        assert reply.content == ""
    view = ws.transcript.view_for(reply.id)
    assert view.query_one(".retry").display
    assert app.is_running
    if clear is not None:
        await clear()
    await pilot.press("ctrl+r")
    await wait_until(pilot, lambda: settled(app), timeout=30, what="the retry")
    last = ws.conv.messages[-1]
    assert last.status == "complete", last.error
    assert [m.role for m in ws.conv.messages] == ["user", "assistant"]
    assert app.store.load(ws.conv.id).messages[-1].content == last.content


SERVER_FAULTS = {
    # row: (behaviour, text the user must see, partial text kept?)
    "401": (Behaviour(status=401), "rejected the API key (HTTP 401)", False),
    "403": (Behaviour(status=403), "HTTP 403", False),
    # A wait above the cap is not attempted: the error says how long the server asked for.
    "429 retry-after above the cap": (
        Behaviour(status=429, headers={"retry-after": "99999"}),
        "retry after 99999 s",
        False,
    ),
    # 5xx is retried twice with backoff before the error shows (times=3: every try fails).
    "500": (Behaviour(status=500, times=3), "HTTP 500", False),
    "502": (Behaviour(status=502, times=3), "HTTP 502", False),
    "503": (Behaviour(status=503, times=3), "HTTP 503", False),
    "302 to login": (
        Behaviour(status=302, headers={"location": "/login"}, body=b"", content_type="text/html"),
        "redirected",
        False,
    ),
    "200 html": (Behaviour(html=True), "HTML", False),
    "malformed json": (Behaviour(malformed=True, text=REPLY), "", True),
    "error event": (
        Behaviour(text=REPLY, error_event={"message": "model overloaded"}),
        "model overloaded",
        True,
    ),
    "no [DONE]": (Behaviour(text=REPLY, no_done=True), "", True),
    "cut mid-stream": (Behaviour(text=REPLY, cut_after=120), "cut", True),
    "rst mid-stream": (Behaviour(text=REPLY, cut_after=120, rst=True), "", True),
    "bad chunked": (Behaviour(text=REPLY, bad_chunked=True, chunk_chars=20), "", True),
    "stall": (Behaviour(text=REPLY, stall_after=100), "stopped sending", True),
    "slow drip": (Behaviour(text=REPLY, stall_after=100, drip=0.1), "no reply text", True),
    "bad content-encoding": (
        Behaviour(body=b"not gzip at all", headers={"content-encoding": "gzip"}),
        "Content-Encoding",
        False,
    ),
    "closed without answer": (Behaviour(close_without_response=True), "closed", False),
}


STALL_ROWS = {"stall", "slow drip"}


@pytest.mark.parametrize("row", list(SERVER_FAULTS))
async def test_server_fault_in_the_ui(
    row: str, loopback: LoopbackServer, profile_openai: Profile, app_dirs: Paths
) -> None:
    behaviour, expected, partial = SERVER_FAULTS[row]
    loopback.push(dataclasses.replace(behaviour))
    # Only the stall rows are about the read timeout; it stays several seconds so that
    # a busy machine's scheduling delays never fire it (nor the connect timeout, which
    # is derived from it) before the server's first bytes. The other rows never wait.
    timeout = 3.0 if row in STALL_ROWS else 60.0
    profile = dataclasses.replace(profile_openai, timeout=timeout)
    app, _ = make_app(app_dirs, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_retry(app, pilot, expected, partial=partial)
    # bounded: the failed request (and its automatic retries for 5xx), then the user's retry
    chats = [r for r in loopback.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == behaviour.times + 1


async def test_connection_refused_then_server_comes_up(app_dirs: Paths) -> None:
    port = free_port()
    profile = Profile(
        name="p",
        kind="openai",
        base_url=f"http://127.0.0.1:{port}/v1",
        model="m",
        timeout=5.0,
        proxy="",
    )
    app, _ = make_app(app_dirs, profile)
    server = LoopbackServer(reply=lambda m: GOOD, port=port)

    async def clear() -> None:
        await server.start()

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await fail_then_retry(app, pilot, "connection refused", partial=False, clear=clear)
            conv_id = app.workspace.conv.id
    finally:
        await server.stop()
    assert app.store.load(conv_id).messages[-1].content == GOOD


async def test_dns_failure_is_named_as_such(app_dirs: Paths, loopback: LoopbackServer) -> None:
    profile = Profile(
        name="p",
        kind="openai",
        base_url="http://no-such-host.invalid/v1",
        model="m",
        timeout=5.0,
        proxy="",
    )
    app, _ = make_app(app_dirs, profile)

    async def clear() -> None:  # the user fixes the base URL
        app.profile_override = dataclasses.replace(profile, base_url=loopback.openai_url)

    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_retry(app, pilot, "DNS lookup failed", partial=False, clear=clear)


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_dead_proxy_then_proxy_comes_up(
    scheme: str, app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    port = free_port()
    profile = dataclasses.replace(profile_openai, proxy=f"{scheme}://127.0.0.1:{port}")
    app, _ = make_app(app_dirs, profile)
    with contextlib.ExitStack() as stack:

        async def clear() -> None:
            await asyncio.to_thread(stack.enter_context, pproxy(scheme, port=port))

        async with app.run_test(size=(120, 40)) as pilot:
            # the message names the proxy, not the API server
            await fail_then_retry(
                app,
                pilot,
                f"proxy {scheme}://127.0.0.1:{port} refused",
                partial=False,
                clear=clear,
            )


@pytest.mark.parametrize("scheme", ["http", "socks5"])
async def test_wrong_proxy_password_then_corrected(
    scheme: str, app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    secret = "Right:p@ss/w#rd%"
    with pproxy(scheme, f"alice:{secret}") as port:
        wrong = dataclasses.replace(profile_openai, proxy=f"{scheme}://alice:nope@127.0.0.1:{port}")
        app, notices = make_app(app_dirs, wrong)

        async def clear() -> None:  # the user types the right password
            from urllib.parse import quote

            app.profile_override = dataclasses.replace(
                wrong, proxy=f"{scheme}://alice:{quote(secret, safe='')}@127.0.0.1:{port}"
            )

        async with app.run_test(size=(120, 40)) as pilot:
            await fail_then_retry(
                app, pilot, "proxy authentication failed", partial=False, clear=clear
            )
            shown = "\n".join(
                error_line(app, m) for m in app.workspace.conv.messages if m.role == "assistant"
            )
        assert "nope" not in shown and secret not in shown and "nope" not in notices.text()


async def test_silent_proxy_fails_within_the_budget(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # A "proxy" that accepts TCP and never answers (faults 34, 36).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    profile = dataclasses.replace(profile_openai, proxy=f"socks5://127.0.0.1:{port}", timeout=0.5)
    app, _ = make_app(app_dirs, profile)

    async def clear() -> None:
        app.profile_override = dataclasses.replace(profile_openai)

    try:
        async with app.run_test(size=(120, 40)) as pilot:
            await fail_then_retry(
                app, pilot, f"proxy socks5://127.0.0.1:{port}", partial=False, clear=clear
            )
    finally:
        listener.close()


async def test_stop_mid_stream_is_not_a_network_error(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    # Faults 59 and 62 through the UI: a cancelled reply is "interrupted", never an error.
    loopback.push(Behaviour(text="word " * 400, chunk_chars=5, chunk_delay=0.02))
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await send(pilot, app, "long one")
        await wait_until(pilot, lambda: app.replies and len(app.replies[ws.conv.id].shown) > 30)
        await pilot.press("escape")
        await wait_until(pilot, lambda: settled(app))
        reply = ws.conv.messages[-1]
        assert reply.status == "interrupted" and reply.error is None
        assert error_line(app, reply) == ""
        assert not notices.errors()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("ALL_PROXY", "socks://127.0.0.1:1", "ALL_PROXY"),
        # taken as http://127.0.0.1:3128, like curl does, and named as the proxy
        ("HTTP_PROXY", "127.0.0.1:3128", "proxy http://127.0.0.1:3128 refused"),
        ("HTTP_PROXY", "::garbage::", "HTTP_PROXY"),
    ],
)
async def test_broken_proxy_environment_is_explained_and_can_be_overridden(
    name: str,
    value: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    app_dirs: Paths,
    loopback: LoopbackServer,
    profile_openai: Profile,
) -> None:
    # Fault 38: the app starts, the failure names the variable, and the user can
    # override it (proxy "" in the profile: no proxy at all).
    for var in (
        "NO_PROXY",
        "no_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
        "HTTPS_PROXY",
        "https_proxy",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv(name, value)
    profile = dataclasses.replace(profile_openai, proxy=None)  # None: use the environment
    app, _ = make_app(app_dirs, profile)

    async def clear() -> None:
        app.profile_override = dataclasses.replace(profile, proxy="")

    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_retry(app, pilot, expected, partial=False, clear=clear)


async def test_missing_cookies_are_asked_for_before_any_request(
    app_dirs: Paths, loopback: LoopbackServer, profile_aichat: Profile
) -> None:
    profile = dataclasses.replace(profile_aichat, cookies={})
    app, _ = make_app(app_dirs, profile)

    async def clear() -> None:  # the user adds the cookies
        app.profile_override = dataclasses.replace(profile_aichat)

    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_retry(app, pilot, "cookie", partial=False, clear=clear)
    assert len(loopback.requests) == 1  # nothing was sent without cookies


async def test_invalid_base_url_is_a_configuration_error(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile
) -> None:
    profile = dataclasses.replace(profile_openai, base_url="ftp://127.0.0.1/v1")
    app, _ = make_app(app_dirs, profile)

    async def clear() -> None:
        app.profile_override = dataclasses.replace(profile_openai)

    async with app.run_test(size=(120, 40)) as pilot:
        await fail_then_retry(app, pilot, "base URL", partial=False, clear=clear)


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
async def test_untrusted_tls_certificate_is_shown_never_bypassed(
    app_dirs: Paths, loopback: LoopbackServer, profile_openai: Profile, tmp_path
) -> None:
    from tests.client.test_tls import make_cert, tls_server

    cert, key = make_cert(tmp_path, "selfsigned", "IP:127.0.0.1")
    server = await tls_server(cert, key)
    try:
        profile = dataclasses.replace(profile_openai, base_url=server.openai_url)
        app, _ = make_app(app_dirs, profile)

        async def clear() -> None:  # the user points the profile elsewhere
            app.profile_override = dataclasses.replace(profile_openai)

        async with app.run_test(size=(120, 40)) as pilot:
            await fail_then_retry(app, pilot, "certificate", partial=False, clear=clear)
        assert not [r for r in server.requests if r.path.endswith("/chat/completions")]
    finally:
        await server.stop()


@pytest.mark.parametrize(
    ("behaviour", "requests"),
    [
        (Behaviour(status=429, headers={"retry-after-ms": "300"}), 2),
        (Behaviour(status=429, headers={"retry-after": "1"}), 2),
        (Behaviour(status=503, times=2), 3),
    ],
    ids=["429 retry-after-ms", "429 retry-after seconds", "503 twice"],
)
async def test_rate_limit_and_server_errors_are_retried_with_a_notice(
    behaviour: Behaviour,
    requests: int,
    loopback: LoopbackServer,
    profile_openai: Profile,
    app_dirs: Paths,
) -> None:
    """Faults 44/45: wait as the server asks (or back off), tell the user, then succeed."""
    loopback.push(behaviour)
    app, notices = make_app(app_dirs, profile_openai)
    async with app.run_test(size=(120, 40)) as pilot:
        ws = app.workspace
        await send(pilot, app, "busy server")
        await wait_until(pilot, lambda: settled(app), timeout=30, what="the retried reply")
        assert ws.conv.messages[-1].status == "complete"
    chats = [r for r in loopback.requests if r.path.endswith("/chat/completions")]
    assert len(chats) == requests
    assert "retrying in" in notices.text()
