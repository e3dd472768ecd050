"""Command-line entry point (placeholder until the CLI issue lands)."""

from __future__ import annotations

import argparse
import sys

from aichat_tui import __version__


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run."""
    parser = argparse.ArgumentParser(prog="aichat-tui")
    parser.add_argument("--version", action="version", version=f"aichat-tui {__version__}")
    parser.parse_args(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
