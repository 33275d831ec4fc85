"""The one font of every picture: DejaVu Sans, measured here and carried inside each SVG.

A picture's boxes are as wide as the renderer measured their text; a viewer that draws
the text in another font (one that substitutes Helvetica, as librsvg and slide tools do)
lets it spill out of them. So chainrule draws in DejaVu Sans, an open font that comes
with matplotlib (already installed with chainrule), measures text with its own metrics
(`text_width`), and puts the glyphs a picture uses into the SVG itself (`embed_font`): a
subset, made with fontTools, as a WOFF data URL in an @font-face rule. Viewers that read
@font-face (browsers) use those glyphs; the others (librsvg) find the same font by name.
"""

from __future__ import annotations

import base64
import html
import importlib.util
import io
import re
from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "DejaVu Sans"

# The text of a <text> element, and a style sheet's font rule already in an SVG.
_TEXT = re.compile(r"<text\b[^>]*>([^<]*)</text>")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_FONT_STYLE = re.compile(r'<style class="chainrule-font">.*?</style>', re.S)

# Characters a page may write into a picture after it is drawn (numbers and "grad ?").
PAGE_CHARACTERS = "".join(chr(c) for c in range(0x20, 0x7F)) + "−×·σ²Σ∂…"


def font_path() -> Path:
    """DejaVu Sans (the regular face), from matplotlib's data folder, without importing
    matplotlib itself."""
    spec = importlib.util.find_spec("matplotlib")
    folders = spec.submodule_search_locations if spec is not None else None
    if not folders:
        raise RuntimeError(
            "drawing needs matplotlib's copy of DejaVu Sans, and matplotlib is not "
            "installed: pip install matplotlib"
        )
    path = Path(next(iter(folders))) / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf"
    if not path.is_file():
        raise RuntimeError(f"DejaVu Sans is missing from matplotlib's data: {path}")
    return path


@lru_cache(maxsize=1)
def _advances() -> tuple[dict[int, int], int, int]:
    """Each character's advance width in font units, the fallback width, units per em (read
    once; the font file is closed again)."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path(), lazy=True) as font:
        metrics = font["hmtx"].metrics
        cmap = font.getBestCmap()
        widths = {code: metrics[glyph][0] for code, glyph in cmap.items()}
        return widths, metrics[".notdef"][0], font["head"].unitsPerEm


def text_width(text: str, size: float) -> float:
    """How wide text is, in points, drawn in DejaVu Sans at size points (one line)."""
    widths, fallback, units = _advances()
    return sum(widths.get(ord(c), fallback) for c in text) * size / units


def font_face(characters: str) -> str:
    """A CSS @font-face rule holding DejaVu Sans's glyphs for characters (a subset, as a
    WOFF data URL), under the family name FONT_FAMILY."""
    return (
        f'@font-face {{ font-family: "{FONT_FAMILY}"; '
        f"src: url(data:font/woff;base64,{_subset(frozenset(characters))}) format('woff'); }}"
    )


@lru_cache(maxsize=32)
def _subset(characters: frozenset[str]) -> str:
    from fontTools import subset

    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]  # the font's names and licence stay with its glyphs
    options.notdef_outline = True
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps, unused
    buffer = io.BytesIO()
    with subset.load_font(str(font_path()), options) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in sorted(characters)])
        subsetter.subset(font)
        subset.save_font(font, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def svg_characters(svg: str) -> str:
    """Every character the SVG's <text> elements show."""
    return "".join(sorted({c for text in _TEXT.findall(svg) for c in html.unescape(text)}))


def embed_font(svg: str, characters: str = "") -> str:
    """svg carrying the glyphs of its texts (and of characters) in a style sheet of its own;
    an SVG that already carries them is returned as it is."""
    if _FONT_STYLE.search(svg):
        return svg
    match = _SVG_OPEN.search(svg)
    if match is None:
        return svg
    wanted = svg_characters(svg) + characters
    if not wanted:
        return svg
    style = f'<style class="chainrule-font">{font_face(wanted)}</style>'
    return svg[: match.end()] + "\n" + style + svg[match.end() :]


def without_font(svg: str) -> str:
    """svg without the font it carries (a page holding several pictures carries one)."""
    return _FONT_STYLE.sub("", svg)
