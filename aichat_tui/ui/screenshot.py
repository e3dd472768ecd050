"""Screenshots from the palette: saved where they can be found, and said where.

Textual's own saves into the user's Downloads folder, which often does not exist
on a server or in a container; its "Failed to save screenshot" then names no
reason (issue 12). Here the SVG goes to Downloads when it exists, else to the
data folder's ``screenshots/``, and the notification names the file or the error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aichat_tui.sanitize import one_line


def screenshot_folder(data_dir: Path) -> Path:
    """Downloads if it exists, else ``<data>/screenshots`` (created)."""
    from platformdirs import user_downloads_path

    downloads = Path(user_downloads_path())
    if downloads.is_dir():
        return downloads
    folder = data_dir / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_screenshot(app: Any, data_dir: Path) -> Path | None:
    """Save an SVG of the screen; tell the user where (or why not)."""
    try:
        path = Path(app.save_screenshot(path=str(screenshot_folder(data_dir))))
    except OSError as exc:
        app.notify(
            one_line(f"Screenshot not saved: {exc.strerror or exc}", 300),
            severity="error",
            markup=False,
        )
        return None
    app.notify(f"Screenshot saved to {path}", title="Screenshot", markup=False)
    return path
