"""An example file's text, for messages: where a section or a key is, and errors naming it.

Every error the reader raises names the file and, when it can be found, the line of the
`[section]` or `key =` that is wrong, so a teacher goes straight to it.
"""

from __future__ import annotations

from pathlib import Path

from .toml_files import key_line
from .worked import ExampleError


class ExampleText:
    """One example file's path and lines."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """The line of `[section]` (or of `key =` inside it), for messages."""
        return key_line(self.lines, section, key)

    def error(self, message: str, section: str = "", key: str | None = None) -> ExampleError:
        line = self.line_of(section, key) if (section or key) else None
        where = f"{self.path}, line {line}" if line else str(self.path)
        return ExampleError(f"{where}: {message}")


def is_name(text: object) -> bool:
    """A name an example may give a value: an identifier not starting with "__"."""
    return isinstance(text, str) and text.isidentifier() and not text.startswith("__")
