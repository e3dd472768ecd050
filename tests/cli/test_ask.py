"""``aichat-tui ask`` in a subprocess against a real loopback server."""

from __future__ import annotations

import dataclasses
import json
import signal
import socket
import time

from aichat_tui.loopback import Behaviour, LoopbackServer
from aichat_tui.models import Profile
from tests.cli.conftest import Cli, echo_reply, read_until, ui_modules_after


def assert_one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("aichat-tui"), stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_ask_streams_reply_and_is_stateless(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    out = cli.run("ask", "what", "is", "this?")
    assert out.returncode == 0, out.stderr
    assert out.stdout == echo_reply([{"content": "what is this?"}]) + "\n"
    assert out.stderr == ""
    sent = server.requests[-1].json()
    assert sent["messages"] == [{"role": "user", "content": "what is this?"}]
    assert sent["model"] == "demo-model"
    assert cli.store().list() == []  # nothing recorded without --save/--continue/--session


def test_piped_stdin_is_appended_to_the_question(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    diff = "diff --git a/x b/x\n-old\n+new\n"
    out = cli.run("ask", "review this", input=diff)
    assert out.returncode == 0, out.stderr
    sent = server.requests[-1].json()["messages"][-1]["content"]
    assert sent == "review this\n\n" + diff.rstrip("\n")
    only = cli.run("ask", input="just stdin\n")
    assert only.returncode == 0, only.stderr
    assert server.requests[-1].json()["messages"][-1]["content"] == "just stdin"


def test_stdin_over_the_limit_is_a_usage_error(cli: Cli, openai_profile: Profile) -> None:
    cli.configure(openai_profile)
    out = cli.run("ask", "summarise", input=b"x" * (5 * 1024 * 1024 + 1))
    assert out.returncode == 2
    assert "5 MiB" in assert_one_error_line(out.stderr)


def test_escape_sequences_in_the_reply_never_reach_stdout(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    hostile = "safe \x1b]52;c;aGVsbG8=\x07clip \x1b[2Jclear \x9b31mred\r\nend \x1b]0;title\x1b\\ok"
    server.push(Behaviour(text=hostile, chunk_chars=3))
    out = cli.run("ask", "hi")
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x9b" not in out.stdout
    assert out.stdout == "safe clip clear red\nend ok\n"


def test_save_then_continue_appends_to_the_session(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    first = cli.run("ask", "--save", "--system", "be brief", "first question")
    assert first.returncode == 0, first.stderr
    assert "saved as session" in first.stderr
    second = cli.run("ask", "--continue", "second question")
    assert second.returncode == 0, second.stderr
    sent = server.requests[-1].json()["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "user"]
    assert sent[0]["content"] == "be brief"
    assert sent[2]["content"] == echo_reply([{"content": "first question"}])
    [summary] = cli.store().list()
    conv = cli.store().load(summary.id)
    assert [m.content for m in conv.messages if m.role == "user"] == [
        "first question",
        "second question",
    ]
    assert [m.status for m in conv.messages if m.role == "assistant"] == ["complete"] * 2
    assert conv.profile == "loop"
    third = cli.run("ask", "--session", summary.id[:6], "third")
    assert third.returncode == 0, third.stderr
    assert len(cli.store().load(summary.id).messages) == 6


def test_ctrl_c_saves_the_partial_reply_as_interrupted(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    long_reply = "".join(f"word{i} " for i in range(2000))
    server.push(Behaviour(text=long_reply, chunk_chars=5, chunk_delay=0.02))
    proc = cli.popen("ask", "--save", "tell me a long story")
    try:
        seen = read_until(proc, lambda data: b"word20 " in data)
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    printed = (seen + rest).decode()
    assert err.decode().count("\n") == 1 and "interrupted" in err.decode()
    assert "Traceback" not in err.decode()
    [summary] = cli.store().list()
    reply = cli.store().load(summary.id).messages[-1]
    assert reply.role == "assistant" and reply.status == "interrupted"
    assert reply.content and long_reply.startswith(reply.content)
    assert len(reply.content) < len(long_reply)
    assert printed == reply.content + "\n"  # what was shown is what was saved


def test_ctrl_c_while_waiting_for_the_server_is_not_a_network_error(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(delay_headers=30))
    proc = cli.popen("ask", "hi")
    try:
        deadline = time.monotonic() + 15
        while not server.requests and time.monotonic() < deadline:
            time.sleep(0.02)  # polling the server's record, bounded
        assert server.requests, "the request never reached the server"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert out == b""
    assert err.decode().strip() == "aichat-tui: interrupted"


def test_killed_ask_leaves_a_recoverable_partial_reply(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    long_reply = "".join(f"word{i} " for i in range(2000))
    server.push(Behaviour(text=long_reply, chunk_chars=5, chunk_delay=0.02))
    proc = cli.popen("ask", "--save", "tell me a long story")
    try:
        read_until(proc, lambda data: b"word20 " in data)
        proc.kill()  # SIGKILL: no chance to save
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    shown = cli.run("sessions", "show", "--json", cli.store().list()[0].id)
    assert shown.returncode == 0, shown.stderr
    assert "recovered 1 unfinished" in shown.stderr
    reply = json.loads(shown.stdout)["messages"][-1]
    assert reply["status"] == "interrupted"
    assert reply["content"] and long_reply.startswith(reply["content"])


def test_stream_cut_by_the_server_keeps_the_partial_reply(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(text="The first part arrives, the rest never does.", cut_after=20))
    out = cli.run("ask", "--save", "hi")
    assert out.returncode == 4
    assert_one_error_line(out.stderr)
    assert out.stdout.startswith("The first part")  # what arrived was shown
    reply = cli.store().load(cli.store().list()[0].id).messages[-1]
    assert reply.status == "error" and reply.error
    assert out.stdout == reply.content + "\n"


def test_rate_limit_is_waited_out_with_a_notice(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(status=429, headers={"retry-after-ms": "200"}))
    out = cli.run("ask", "busy?")
    assert out.returncode == 0, out.stderr
    assert out.stdout == echo_reply([{"content": "busy?"}]) + "\n"
    assert "HTTP 429" in out.stderr and "retrying in" in out.stderr
    assert len([r for r in server.requests if r.path.endswith("/chat/completions")]) == 2


def test_server_errors_give_up_after_bounded_retries(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(status=503, times=3))
    out = cli.run("ask", "down?")
    assert out.returncode == 4
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 3 and all("retrying in" in line for line in lines[:2])
    assert "HTTP 503" in lines[-1] and "Traceback" not in out.stderr
    assert len([r for r in server.requests if r.path.endswith("/chat/completions")]) == 3


def test_closed_stdout_stops_quietly(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    cli.configure(openai_profile)
    server.push(Behaviour(text="line\n" * 5000, chunk_chars=50, chunk_delay=0.005))
    proc = cli.popen("ask", "many lines")
    read_until(proc, lambda data: b"line\n" in data)
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head -1` exiting
    err = proc.stderr.read() if proc.stderr else b""
    assert proc.wait(timeout=20) == 141
    assert b"Traceback" not in err and b"BrokenPipe" not in err


def test_rejected_key_is_an_auth_error(cli: Cli) -> None:
    srv = LoopbackServer(api_key="right-key-123")
    srv.start_in_thread()
    try:
        cli.configure(
            Profile(
                name="keyed",
                kind="openai",
                base_url=srv.openai_url,
                api_key="wrong-key-456",
                timeout=10.0,
                proxy="",
            )
        )
        out = cli.run("ask", "hi")
    finally:
        srv.stop_thread()
    assert out.returncode == 5
    line = assert_one_error_line(out.stderr)
    assert "wrong-key-456" not in out.stderr
    assert "401" in line or "auth" in line.lower()


def test_missing_cookies_is_an_auth_error(cli: Cli, server: LoopbackServer) -> None:
    cli.configure(Profile(name="aichat", kind="aichat", base_url=server.url, proxy=""))
    out = cli.run("ask", "hi")
    assert out.returncode == 5
    assert_one_error_line(out.stderr)
    assert server.requests == []  # refused before any request


def test_connection_refused_is_a_network_error(cli: Cli) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = cli.run("ask", "--base-url", f"http://127.0.0.1:{port}/v1", "--proxy", "", "hi")
    assert out.returncode == 4
    assert "127.0.0.1" in assert_one_error_line(out.stderr)


def test_endpoint_overrides_without_any_config(cli: Cli, server: LoopbackServer) -> None:
    out = cli.run(
        "ask",
        "--kind",
        "aichat",
        "--base-url",
        server.url,
        "--cookie",
        "sid=abc123; theme=dark",
        "--proxy",
        "",
        "hello aichat",
    )
    assert out.returncode == 0, out.stderr
    request = server.requests[-1]
    assert request.path == "/api/text"
    assert request.cookies == {"sid": "abc123", "theme": "dark"}
    assert not cli.paths.config_file.exists()  # nothing written


def test_api_key_comes_from_the_named_environment_variable(cli: Cli) -> None:
    srv = LoopbackServer(api_key="env-key-789", reply=echo_reply)
    srv.start_in_thread()
    try:
        cli.env["MY_TEST_KEY"] = "env-key-789"
        out = cli.run(
            "ask", "--base-url", srv.openai_url, "--api-key-env", "MY_TEST_KEY", "--proxy", "", "hi"
        )
        missing = cli.run("ask", "--base-url", srv.openai_url, "--api-key-env", "NOPE_X", "hi")
    finally:
        srv.stop_thread()
    assert out.returncode == 0, out.stderr
    assert srv.requests[-1].headers["authorization"] == "Bearer env-key-789"
    assert missing.returncode == 3
    assert "NOPE_X" in assert_one_error_line(missing.stderr)


def test_credentials_are_not_sent_to_an_overridden_host(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    other = LoopbackServer(reply=echo_reply)
    other.start_in_thread()
    try:
        cli.configure(dataclasses.replace(openai_profile, api_key="stored-secret-key"))
        out = cli.run("ask", "--base-url", other.openai_url, "hi")
    finally:
        other.stop_thread()
    assert out.returncode == 0, out.stderr
    assert "authorization" not in other.requests[-1].headers


def test_usage_errors_exit_2(cli: Cli, openai_profile: Profile) -> None:
    cli.configure(openai_profile)
    nothing = cli.run("ask")
    assert nothing.returncode == 2
    assert "nothing to ask" in assert_one_error_line(nothing.stderr)
    bad = cli.run("ask", "--temperature-typo", "1", "hi")
    assert bad.returncode == 2
    assert_one_error_line(bad.stderr)
    cont = cli.run("ask", "--continue", "hi")
    assert cont.returncode == 2
    assert "no session" in assert_one_error_line(cont.stderr)
    both = cli.run("ask", "--continue", "--save", "hi")
    assert both.returncode == 2
    unknown = cli.run("ask", "--profile", "nosuch", "hi")
    assert unknown.returncode == 2
    assert "nosuch" in assert_one_error_line(unknown.stderr)


def test_no_profile_at_all_is_a_config_error(cli: Cli) -> None:
    cli.configure()  # a config.toml without profiles
    out = cli.run("ask", "hi")
    assert out.returncode == 3
    line = assert_one_error_line(out.stderr)
    assert str(cli.paths.config_file) in line and "--demo" in line


def test_corrupt_config_names_file_and_line(cli: Cli) -> None:
    cli.paths.ensure()
    cli.paths.config_file.write_text('theme = "aichat-dark"\n[profiles.x\nkind = 1\n')
    out = cli.run("ask", "hi")
    assert out.returncode == 3
    line = assert_one_error_line(out.stderr)
    assert str(cli.paths.config_file) in line and "line 2" in line


def test_ask_never_imports_textual(
    server: LoopbackServer, openai_profile: Profile, cli: Cli
) -> None:
    cli.configure(openai_profile)
    codes, bad, stdout = ui_modules_after(
        cli, ["ask", "--no-stdin", "hi"], ["sessions", "list", "--json"]
    )
    assert (codes, bad) == ([0, 0], [])
    assert json.loads(stdout[stdout.index("[") :]) == []


def test_continue_follows_the_active_branch(
    cli: Cli, server: LoopbackServer, openai_profile: Profile
) -> None:
    from aichat_tui import branches
    from aichat_tui.models import Message

    cli.configure(openai_profile)
    conv_id = cli.add_session("Tree", ("user", "q"), ("assistant", "old answer"))
    store = cli.store()
    conv = store.load(conv_id)
    conv.add_branch(conv.messages[0].id, Message("assistant", "new answer", status="complete"))
    store.save(conv)
    out = cli.run("ask", "-c", "and then?")
    assert out.returncode == 0, out.stderr
    sent = server.requests[-1].json()["messages"]
    assert [m["content"] for m in sent] == ["q", "new answer", "and then?"]
    saved = cli.store().load(conv_id)
    assert [m.content for m in saved.messages][:2] == ["q", "new answer"]
    assert "old answer" in [m.content for m in branches.all_messages(saved)]
