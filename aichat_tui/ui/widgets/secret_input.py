"""An ``Input`` for secrets (cookies, API keys, proxy passwords).

Textual's ``Input(password=True)`` only masks the *display*: select-all then copy or
cut still puts the secret on the clipboard (and on OSC 52, into the terminal's and
possibly a remote machine's clipboard). This input refuses both, and is never
prefilled: a stored value is signalled through the placeholder only.
"""

from __future__ import annotations

from textual.widgets import Input

__all__ = ["SecretInput"]

STORED_PLACEHOLDER = "stored — leave empty to keep"


class SecretInput(Input):
    """A masked input whose content never reaches the clipboard.

    ``stored`` says whether a value is already saved; the placeholder then tells the
    user that leaving the field empty keeps it.
    """

    def __init__(
        self,
        *,
        stored: bool = False,
        empty_placeholder: str = "",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        self._empty_placeholder = empty_placeholder
        super().__init__(
            value="",
            placeholder=STORED_PLACEHOLDER if stored else empty_placeholder,
            password=True,
            id=id,
            classes=classes,
        )

    def set_stored(self, stored: bool) -> None:
        """Clear the field and show whether a value is stored, without revealing it."""
        self.value = ""
        self.placeholder = STORED_PLACEHOLDER if stored else self._empty_placeholder

    def action_copy(self) -> None:
        """Copying a secret is refused: it would leak through the clipboard."""
        if self.password:
            self.notify("Secrets cannot be copied.", severity="warning", markup=False)
            return
        super().action_copy()

    def action_cut(self) -> None:
        """Cutting a secret is refused for the same reason as copying."""
        if self.password:
            self.notify("Secrets cannot be cut.", severity="warning", markup=False)
            return
        super().action_cut()
