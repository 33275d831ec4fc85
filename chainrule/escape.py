"""Text a file supplies (a title, a source, an [explain] entry), made safe for the format it
is printed into.

An example file is written by anyone: its title may hold `<img src=x onerror=...>`, a
newline inside a table cell, a right-to-left mark. Markdown passes raw HTML through to the
page (live in Jupyter and most renderers), and pdflatex stops at a character it has no
glyph for. Each function here returns text that reads the same and is only text: HTML's
specials as entities in Markdown, control and direction characters dropped, a newline
where one would end a line (a table row, a heading) turned into a space.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

# Characters that are not text: controls, direction marks and embeddings (U+200E, U+202E,
# U+2066...), zero-width ones, line and paragraph separators, private use, surrogates.
_NOT_TEXT = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def plain(text: str) -> str:
    """text on one line, without characters that are not text (whitespace as spaces)."""
    kept = []
    for c in text:
        if c.isspace():
            kept.append(" ")
        elif unicodedata.category(c) not in _NOT_TEXT:
            kept.append(c)
    return "".join(kept)


# -- Markdown ----------------------------------------------------------------------------

# HTML's specials as entities (no tag, comment or entity of the file's survives), and the
# characters that would make a link, an image or a code span of plain text.
_MARKDOWN_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "\\": "\\\\",
    "`": "\\`",
    "[": "\\[",
    "]": "\\]",
}


def markdown_text(text: str) -> str:
    """text for a Markdown paragraph or heading: shown as written, never as HTML, a link
    or code, and on one line."""
    return "".join(_MARKDOWN_ESCAPES.get(c, c) for c in plain(text))


def markdown_cell(text: str) -> str:
    """text for a cell of a Markdown table (also `|`, which would start a new cell)."""
    return markdown_text(text).replace("|", "\\|")


def markdown_url(url: str) -> str | None:
    """url for a Markdown link's target, or None when it should not be one: only http,
    https and mailto addresses are links (never javascript: or data:)."""
    url = plain(url).strip()
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in ("http", "https", "mailto"):
        return None
    return quote(url, safe="/:?#@!$&'*+,;=%~-._")  # spaces, quotes, brackets and <> encoded


def code_fence(text: str, info: str = "") -> str:
    """text in a fenced code block whose fence no run of backticks inside can close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


# -- LaTeX -------------------------------------------------------------------------------

_LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "_": r"\_",
    "^": r"\^{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "{": r"\{",
    "}": r"\}",
    "~": r"\~{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    # Beyond Latin-1, pdflatex knows only some characters: these, and the Greek letters.
    "\u2212": "-",  # minus sign
    "\u2013": "--",
    "\u2014": "---",
    "\u2018": "`",
    "\u2019": "'",
    "\u201c": "``",
    "\u201d": "''",
    "\u2026": r"\ldots{}",
    "\u2192": r"\ensuremath{\rightarrow}",
    "\u2190": r"\ensuremath{\leftarrow}",
    "\u2202": r"\ensuremath{\partial}",
    "\u221a": r"\ensuremath{\surd}",
    "\u2211": r"\ensuremath{\sum}",
    "\u00b7": r"\ensuremath{\cdot}",
}

# Greek letters, as math-mode commands; the capitals LaTeX draws like Latin letters
# (Alpha, Beta, ...) have no command and are written as those letters.
_GREEK_SMALL = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho"
_GREEK_SMALL += " varsigma sigma tau upsilon phi chi psi omega"
_GREEK_CAPITAL = "A B Gamma Delta E Z H Theta I K Lambda M N Xi O Pi P - Sigma T Upsilon Phi X"
_GREEK_CAPITAL += " Psi Omega"
_GREEK = {
    **{chr(0x3B1 + i): name for i, name in enumerate(_GREEK_SMALL.split())},
    **{chr(0x391 + i): name for i, name in enumerate(_GREEK_CAPITAL.split()) if name != "-"},
}


def latex_text(text: str) -> str:
    """text for LaTeX's text mode, compiled as written by pdflatex: its special
    characters escaped, Greek letters and common symbols as commands, control and
    direction characters dropped, and a character pdflatex has no glyph for as `?`."""
    return "".join(_latex_char(c) for c in plain(text))


def _latex_char(c: str) -> str:
    if c in _LATEX_ESCAPES:
        return _LATEX_ESCAPES[c]
    if ord(c) < 0x80 or 0xA0 <= ord(c) <= 0xFF:  # ASCII and Latin-1: pdflatex has them
        return c if c != "\u00a0" else "~"
    name = _GREEK.get(c)
    if name is None:
        return "?"
    return name if len(name) == 1 else rf"\ensuremath{{\{name}}}"
