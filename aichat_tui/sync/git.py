"""Running git as a subprocess: a timeout, no prompts, the user's SSH set-up.

Every command names the repository explicitly (``--git-dir``/``--work-tree``), so
a damaged repository is reported as such instead of git walking up to some
enclosing repository (a dotfiles repo in $HOME, say). Prompts are impossible:
stdin is closed, ``GIT_TERMINAL_PROMPT=0``, the child has no controlling terminal
(a new session) and ssh runs in batch mode unless the user chose their own ssh
command. ``~/.ssh/config`` and a running ssh-agent are used as usual.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aichat_tui.sanitize import one_line, scrub
from aichat_tui.sync.errors import Kind, SyncError

LOCAL_TIMEOUT = 60.0
# Variables that point git at some other repository (set e.g. inside git hooks).
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_QUARANTINE_PATH",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
)
NETWORK_TIMEOUT = 120.0

# Lower-cased fragments of git/ssh/curl messages, checked in this order.
_PATTERNS: tuple[tuple[Kind, tuple[str, ...]], ...] = (
    (
        "auth",
        (
            "authentication failed",
            "could not read username",
            "could not read password",
            "permission denied (publickey",
            "permission denied, please try again",
            "host key verification failed",
            "returned error: 401",
            "returned error: 403",
            "http 401",
            "http 403",
            "access denied",
            "access rights",
        ),
    ),
    (
        "offline",
        (
            "could not resolve host",
            "could not resolve hostname",
            "failed to connect",
            "connection refused",
            "connection timed out",
            "operation timed out",
            "network is unreachable",
            "no route to host",
            "connection reset",
            "temporary failure in name resolution",
            "name or service not known",
            "unable to access",
            "connection closed by",
            "timed out",
        ),
    ),
    (
        "rejected",
        (
            "[rejected]",
            "[remote rejected]",
            "non-fast-forward",
            "fetch first",
            "failed to push some refs",
            "cannot lock ref",
        ),
    ),
)


def classify(stderr: str) -> Kind:
    """The kind of failure a git error output describes ("error" if unknown)."""
    low = stderr.lower()
    for kind, fragments in _PATTERNS:
        if any(f in low for f in fragments):
            return kind
    return "error"


def first_line(stderr: str) -> str:
    """The most telling line of git's output: the first ``fatal:``/``error:`` one."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    for prefix in ("fatal:", "error:", "!"):
        for line in lines:
            if line.lower().startswith(prefix):
                return line
    return lines[0] if lines else "git failed without a message"


@dataclass
class Result:
    """A finished git command."""

    code: int
    out: str
    err: str
    raw: bytes = b""  # stdout as bytes


class Git:
    """git for one work tree (the data folder) and its ``.git`` folder."""

    def __init__(self, work_tree: Path, secrets: list[str] | None = None) -> None:
        self.work_tree = Path(work_tree)
        self.git_dir = self.work_tree / ".git"
        self.secrets = [s for s in (secrets or []) if s]
        exe = shutil.which("git")
        if exe is None:
            raise SyncError("no-git", "git is not installed (or not on PATH): install git to sync")
        self.exe = exe

    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in _REPOSITORY_VARIABLES:
            env.pop(name, None)  # ours is named on the command line
        env["GIT_TERMINAL_PROMPT"] = "0"
        env["GIT_EDITOR"] = env["GIT_SEQUENCE_EDITOR"] = "true"
        env["GIT_MERGE_AUTOEDIT"] = "no"
        env["LC_ALL"] = env["LANGUAGE"] = "C"  # error texts are classified in English
        env.setdefault("SSH_ASKPASS_REQUIRE", "never")
        if "GIT_SSH_COMMAND" not in env and "GIT_SSH" not in env and not self._own_ssh():
            env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
        return env

    def _own_ssh(self) -> bool:
        """Whether git's config names an ssh command (then it is used as it is)."""
        if not hasattr(self, "_ssh_configured"):
            self._ssh_configured = False
            if self.git_dir.is_dir():
                found = self._spawn(["config", "--get", "core.sshCommand"], 10.0, {})
                self._ssh_configured = found.code == 0 and bool(found.out.strip())
        return self._ssh_configured

    def _spawn(
        self, args: list[str], timeout: float, env: dict[str, str], stdin: bytes | None = None
    ) -> Result:
        command = [
            self.exe,
            f"--git-dir={self.git_dir}",
            f"--work-tree={self.work_tree}",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "core.quotepath=false",
            *args,
        ]
        try:
            proc = subprocess.Popen(
                command,
                cwd=self.work_tree,
                stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=env or None,
                start_new_session=os.name == "posix",
            )
        except FileNotFoundError as exc:
            raise SyncError("no-git", "git is not installed (or not on PATH)") from exc
        except OSError as exc:
            raise SyncError("error", f"cannot run git: {exc.strerror}") from exc
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise SyncError(
                "offline", f"git {args[0]} did not finish within {timeout:g} s (network down?)"
            ) from None
        return Result(
            proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), out
        )

    def run(
        self,
        *args: str,
        timeout: float = LOCAL_TIMEOUT,
        check: bool = True,
        stdin: bytes | None = None,
    ) -> Result:
        """Run ``git ARGS``; with ``check`` a failure raises a one-line SyncError."""
        result = self._spawn(list(args), timeout, self._env(), stdin)
        if check and result.code != 0:
            raise self.error(result)
        return result

    def error(self, result: Result, kind: Kind | None = None) -> SyncError:
        """A SyncError for a failed command, its text scrubbed of secrets."""
        text = scrub(one_line(first_line(result.err or result.out), 300), self.secrets)
        return SyncError(kind or classify(result.err + result.out), text)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill git and whatever it started (ssh, remote helpers)."""
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired, OSError):
        proc.communicate(timeout=5.0)
