"""Secrets end to end (faults 70-77): file modes after the app ran, the permission
warning, and no cookie, API key or proxy password in DEBUG logs, error messages,
the screen, exports, the clipboard, CLI errors or crash output.

Client-level log/error checks are in tests/client/test_secrets.py; the config
screen's password fields (never prefilled, copy/cut blocked) in
tests/ui/test_config_screen.py.
"""

from __future__ import annotations

import base64
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from aichat_tui.store import ConversationStore, Paths, to_json, to_markdown
from tests.client.helpers import free_port, pproxy

from .helpers import ROOT, PtyApp, clean_env, poll, save_work_profile
from .uihelpers import make_app, send, settled, wait_until

API_KEY = "sk-live-SECRETKEY0123456789"
COOKIE = "cookie-SECRET-42xyz"
PROXY_PASSWORD = "Pr0xy:s3cr@t/pw#%"
ALL = (API_KEY, COOKIE, PROXY_PASSWORD)


def forms(secret: str) -> list[str]:
    """The ways a secret could show up: raw, percent-encoded, bytes repr, base64 auth."""
    return [
        secret,
        quote(secret, safe=""),
        repr(secret.encode())[2:-1],
        base64.b64encode(f"alice:{secret}".encode()).decode(),
    ]


def assert_clean(text: str, where: str) -> None:
    for secret in ALL:
        for form in forms(secret):
            assert form not in text, f"{where} leaks {form!r}"


def screen_text(app) -> str:
    """Everything the terminal would show, as SVG text (all of it, not a region)."""
    return app.export_screenshot()


def modes(root: Path) -> dict[str, int]:
    """Permission bits of every file and folder under ``root``."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            found[str(path.relative_to(root))] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


async def test_debug_logs_screen_errors_and_exports_hold_no_secret(
    app_dirs: Paths, loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    for name in ("", "httpx", "httpcore", "hpack", "asyncio", "aichat_tui"):
        caplog.set_level(logging.DEBUG, logger=name or None)
    loopback.api_key = API_KEY
    with pproxy("socks5", f"alice:{PROXY_PASSWORD}") as port:
        proxy = f"socks5://alice:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:{port}"
        profile = Profile(
            name="work",
            kind="openai",
            base_url=loopback.openai_url,
            model="m",
            api_key=API_KEY,
            proxy=proxy,
            timeout=10.0,
        )
        app, notices = make_app(app_dirs, profile)
        async with app.run_test(size=(120, 40)) as pilot:
            ws = app.workspace
            await send(pilot, app, "first, through the SOCKS proxy")
            await wait_until(pilot, lambda: settled(app))
            assert ws.conv.messages[-1].status == "complete"
            # the server echoes the key in an error body; a 500 is shown in the pane
            loopback.push(
                Behaviour(status=500, times=3, body=f'{{"error": {{"message": "bad {API_KEY}"}}}}')
            )
            await send(pilot, app, "second")
            await wait_until(pilot, lambda: settled(app))
            failed = ws.conv.messages[-1]
            assert failed.status == "error" and "***" in failed.error
            await pilot.pause()  # the frame after the reply's ending was shown
            shown = screen_text(app)
            assert "HTTP 500" in shown or "failed" in shown
            assert_clean(shown, "the screen")
            await pilot.press("ctrl+y")  # copy the last reply
            assert_clean(app.clipboard, "the clipboard")
            conv_id = ws.conv.id
    assert "setup_socks5_connection" in caplog.text or "socks" in caplog.text.lower()
    assert_clean(caplog.text, "the DEBUG log")
    assert_clean(notices.text(), "the notifications")
    for message in ConversationStore(app_dirs).load(conv_id).messages:
        assert_clean(message.error or "", "a stored error")
    conv = ConversationStore(app_dirs).load(conv_id)
    assert_clean(to_markdown(conv), "the Markdown export")
    assert_clean(to_json(conv), "the JSON export")
    # secrets are only in config.toml, which is private
    for path in app_dirs.data_dir.rglob("*"):
        if path.is_file():
            assert_clean(path.read_bytes().decode("utf-8", "replace"), str(path))


async def test_cookie_rejected_by_the_server_is_not_echoed(
    app_dirs: Paths, loopback: LoopbackServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    profile = Profile(
        name="a",
        kind="aichat",
        base_url=loopback.url,
        cookies={"sid": COOKIE},
        timeout=10.0,
        proxy="",
    )
    loopback.push(
        Behaviour(
            status=401,
            body=f"expired session sid={COOKIE}",
            content_type="text/plain",
            headers={"set-cookie": f"sid={COOKIE}"},
        )
    )
    app, notices = make_app(app_dirs, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "hi")
        await wait_until(pilot, lambda: settled(app))
        reply = app.workspace.conv.messages[-1]
        assert reply.status == "error" and "cookies" in reply.error  # names the credential
        assert_clean(reply.error, "the error")
        assert_clean(screen_text(app), "the screen")
    assert_clean(caplog.text + notices.text(), "logs and notices")


async def test_files_are_private_after_the_app_ran(
    app_dirs: Paths, loopback: LoopbackServer
) -> None:
    profile, settings = save_work_profile(
        app_dirs, base_url=loopback.openai_url, api_key=API_KEY, timeout=10.0
    )
    loopback.push(Behaviour(text="slow " * 100, chunk_delay=0.01))
    app, _ = make_app(app_dirs, profile)
    async with app.run_test(size=(120, 40)) as pilot:
        await send(pilot, app, "hello")
        await wait_until(pilot, lambda: settled(app))
        app.apply_settings(settings)  # rewrites config.toml
        app.engine.delete(app.workspace.conv.id)  # the trash folder is written too
        assert app.store.list_trash()
    found = {
        **{f"config/{k}": v for k, v in modes(app_dirs.config_dir).items()},
        **{f"data/{k}": v for k, v in modes(app_dirs.data_dir).items()},
    }
    assert "config/config.toml" in found and len(found) > 4
    for name, mode in found.items():
        path = app_dirs.config_dir.parent / name
        expected = 0o700 if path.is_dir() else 0o600
        assert mode & 0o077 == 0, f"{name} is {oct(mode)}"
        assert mode == expected or not path.is_file() or mode & 0o177 == 0, name
    assert stat.S_IMODE(os.stat(app_dirs.config_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(app_dirs.data_dir).st_mode) == 0o700


async def test_world_readable_config_is_warned_about(
    app_dirs: Paths, loopback: LoopbackServer
) -> None:
    save_work_profile(app_dirs, base_url=loopback.openai_url, api_key=API_KEY)
    os.chmod(app_dirs.config_file, 0o644)
    from aichat_tui.ui.app import AichatApp

    app = AichatApp(paths=app_dirs)  # loads config.toml itself
    seen: list[str] = []
    real = app.notify
    app.notify = lambda message, *a, **k: (seen.append(str(message)), real(message, *a, **k))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
    assert any(str(app_dirs.config_file) in m and "0644" in m for m in seen), seen
    assert_clean("\n".join(seen), "the warning")


def test_cli_errors_hide_credentials_in_urls(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(MY_KEY=API_KEY)
    url = f"http://alice:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:{port}/v1?key={COOKIE}"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aichat_tui",
            "--config-dir",
            str(tmp_path / "c"),
            "--data-dir",
            str(tmp_path / "d"),
            "ask",
            "--base-url",
            url,
            "--api-key-env",
            "MY_KEY",
            "--proxy",
            f"http://bob:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:{free_port()}",
            "--debug",
            "hello",
        ],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode != 0 and "127.0.0.1" in err
    assert_clean(err + done.stdout.decode("utf-8", "replace"), "the CLI error")


def test_crash_output_of_the_app_has_no_secrets(tmp_path: Path) -> None:
    paths = Paths.resolve(config_dir=tmp_path / "config", data_dir=tmp_path / "data")
    paths.ensure()
    proxy = f"socks5://alice:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:1080"
    save_work_profile(
        paths,
        kind="aichat",
        base_url="http://127.0.0.1:9/",
        api_key=API_KEY,
        cookies={"sid": COOKIE},
        proxy=proxy,
    )
    app = PtyApp(
        ["--config-dir", str(paths.config_dir), "--data-dir", str(paths.data_dir)],
        module="tests.reliability.crash_app",
    )
    try:
        app.wait_output(b"Message", 30)
        app.type_prompt("crash now")
        poll(lambda: app.proc.poll() is not None, 30, "the app to crash and exit")
        poll(lambda: b"simulated bug" in app.captured(), 10, "the crash report")
    finally:
        app.close()
    assert app.proc.returncode != 0
    text = app.captured().decode("utf-8", "replace")
    assert "RuntimeError" in text  # the crash was reported...
    assert_clean(text, "the crash output")  # ...without any secret


async def test_config_screen_of_the_real_app_never_shows_or_copies_secrets(
    app_dirs: Paths, loopback: LoopbackServer
) -> None:
    from textual.widgets import Input

    proxy = f"socks5://alice:{quote(PROXY_PASSWORD, safe='')}@127.0.0.1:1080"
    save_work_profile(
        app_dirs,
        kind="aichat",
        base_url=loopback.url,
        model="",
        api_key=API_KEY,
        cookies={"sid": COOKIE},
        proxy=proxy,
    )
    from aichat_tui.ui.app import AichatApp

    app = AichatApp(paths=app_dirs)  # loads config.toml itself, secrets included
    async with app.run_test(size=(120, 50)) as pilot:
        await pilot.press("f3")
        await wait_until(pilot, lambda: app.screen.query("#f-api_key"), what="config screen")
        await pilot.pause()
        assert_clean(screen_text(app), "the config screen")
        proxy_url = app.screen.query_one("#f-proxy_url", Input).value
        assert "alice@127.0.0.1:1080" in proxy_url  # the proxy is there, not its password
        assert_clean(proxy_url, "the proxy field")
        for secret_field in ("#f-api_key", "#f-cookies", "#f-proxy_password"):
            assert app.screen.query_one(secret_field, Input).value == ""
        field = app.screen.query_one("#f-api_key", Input)
        field.focus()
        await pilot.press(*"sk-typed-SECRET")
        await pilot.press("ctrl+shift+a", "ctrl+c")
        await pilot.press("ctrl+shift+a", "ctrl+x")
        assert "sk-typed-SECRET" not in app.clipboard
        assert_clean(app.clipboard, "the clipboard")
        assert "sk-typed-SECRET" not in screen_text(app)
