"""Subcommands of the ``aichat-tui`` command line (no Textual import here).

Every command reports failure by raising :class:`CliError` with one of the exit
codes below; ``aichat_tui.cli.main`` prints it as one line on stderr.
"""

from __future__ import annotations

import os
import sys
import textwrap

EXIT_OK = 0
EXIT_FAILURE = 1  # storage problems and unexpected errors
EXIT_USAGE = 2  # bad arguments, unknown or ambiguous session id, unreadable input file,
# a file that cannot be attached, images the backend or model cannot take
EXIT_CONFIG = 3  # config.toml cannot be read, no usable profile, bad proxy/base URL
EXIT_NETWORK = 4  # connection, proxy, timeout, server or protocol failure
EXIT_AUTH = 5  # 401/403 from the server, missing cookies or API key
EXIT_TRUNCATED = 6  # ask: the reply stopped at max_tokens (finish_reason "length")
EXIT_INTERRUPTED = 130  # Ctrl+C (SIGINT)
EXIT_BROKEN_PIPE = 141  # stdout closed by the reader (e.g. `| head`)

EXIT_CODES_HELP = """\
exit codes:
  0    success
  1    storage problem or unexpected error (rerun with --debug for the traceback)
  2    usage error: bad arguments, unknown or ambiguous session id, unreadable file,
       a file that cannot be attached, images the backend or model cannot take
  3    configuration error: config.toml invalid, no profile, bad URL or proxy
  4    network or server error (connection, proxy, timeout, 5xx, bad response)
  5    authentication error (401/403, missing cookies or API key)
  6    ask: the reply was truncated at max_tokens (printed and saved; a warning on stderr)
  130  interrupted by Ctrl+C (ask saves the partial reply when it records the session)
  141  stdout closed early (e.g. piped into `head`)
"""


def wrap(text: str, width: int = 78) -> str:
    """Fill a help paragraph (help formatters here keep text as written)."""
    return "\n\n".join(textwrap.fill(" ".join(p.split()), width) for p in text.split("\n\n"))


def silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


class CliError(Exception):
    """A failure to report as one line on stderr, with a process exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


__all__ = [
    "EXIT_AUTH",
    "EXIT_BROKEN_PIPE",
    "EXIT_CODES_HELP",
    "EXIT_CONFIG",
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_NETWORK",
    "EXIT_OK",
    "EXIT_USAGE",
    "CliError",
    "silence_stdout",
    "wrap",
]
