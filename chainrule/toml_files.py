"""Reading a TOML file the tools are handed (an example, answers, a key): data or one line.

The bytes come through autograd.files.read_text_file (a regular file of sensible size,
never a FIFO or a device); the data may nest only as deep as the formats do. What is read
is kept with its text, so a problem found later in a key can still name the file and the
line it is on: "answers.toml, line 17: gradients.x ...".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd.files import UnusableFile, check_nesting, read_text_file

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

_HEADER = re.compile(r"^\s*\[+\s*([^\]]+?)\s*\]+")


@dataclass(frozen=True)
class TomlFile:
    """A TOML file as read: its path, its text and its data (a dict of tables)."""

    path: Path
    text: str
    data: dict[str, Any]

    def line_of(self, section: str, key: str | None = None) -> int | None:
        """The line of `[section]`, or of `key =` inside it (section "" for the top)."""
        return key_line(self.text.splitlines(), section, key)

    def error(self, message: str, section: str = "", key: str | None = None) -> UnusableFile:
        """An UnusableFile "path, line N: message" (the line of section/key when found)."""
        line = self.line_of(section, key) if (section or key) else None
        where = f"{self.path}, line {line}" if line else str(self.path)
        return UnusableFile(f"{where}: {message}")


def read_toml_file(path: str | Path, *, what: str = "a TOML file") -> TomlFile:
    """The TOML file at path, read and parsed; an UnusableFile naming path (and the line,
    for bad TOML) when it is missing, unreadable, not a regular file, too large, not UTF-8,
    not TOML, or nested deeper than any of the tools' files."""
    path = Path(path)
    try:
        text = read_text_file(path, what=what)
    except FileNotFoundError:
        raise UnusableFile(f"{path}: no such file") from None
    except OSError as error:
        raise UnusableFile(f"{path}: cannot read it: {error.strerror or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UnusableFile(f"{path}: not valid TOML: {error}") from None
    except RecursionError:  # tomllib parses nested arrays and tables recursively
        raise UnusableFile(f"{path}: not {what}: its data is nested too deeply to read") from None
    return TomlFile(path, text, check_nesting(data, path))


def key_line(lines: Sequence[str], section: str, key: str | None = None) -> int | None:
    """The number of the line (from 1) holding `[section]`, or `key =` inside it."""
    current = ""
    for number, line in enumerate(lines, start=1):
        match = _HEADER.match(line)
        if match:
            current = match.group(1)
            if key is None and current == section:
                return number
            continue
        if key is not None and current == section:
            if re.match(rf'^\s*("{re.escape(key)}"|{re.escape(key)})\s*=', line):
                return number
    return None
