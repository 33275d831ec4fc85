"""The backward pass as a deck of slides: one 16:9 PDF page per frame, for a lecture.

`save_deck(root, "pass.pdf")` draws the frames of step_frames in the lecture look (large
text, the step's arithmetic as the caption, the step's nodes and edge highlighted), one
page before the pass and one per chain-rule step, each frame fitted to a 16:9 page in the
theme's colours with its number and the step's sentence under it as text (so a PDF viewer
can search the deck and read it aloud). The pages are written with matplotlib, which
chainrule already installs.
"""

from __future__ import annotations

import io
import os
from typing import Any

from .drawing import Drawing, DrawingOptions, need_value_pass
from .files import save_suffix, write_atomically
from .layout import PINNED_ARGS
from .render import render_many, require_renderer
from .steps import backward_steps

PAGE_INCHES = (13.333, 7.5)  # 16:9, the size of a widescreen slide
PAGE_DPI = 96  # each page is 1280 x 720 pixels, a 720p slide
MARGIN = 0.03  # of the page, on every side


def save_deck(
    root: Any,
    path: str | os.PathLike[str],
    gradient: float = 1.0,
    *,
    theme: str | None = None,
    **drawing_options: Any,
) -> str | os.PathLike[str]:
    """Write root's backward pass as a PDF deck: 16:9 pages, one before the pass and one
    per chain-rule step of backward_steps(root, gradient), in the lecture look
    (draw_dot(lecture=True)) and the theme's colours. drawing_options go to draw_dot
    (decimals, color_roles, constants, ...). Returns path; the file is written whole or
    not at all. Afterwards the gradients are those of root.backward(gradient).
    """
    need_value_pass(root, "save_deck's pages")
    save_suffix(path, (".pdf",), "a deck")
    if "step" in drawing_options or "lecture" in drawing_options:
        raise TypeError(
            "save_deck draws every step in the lecture look; leave out step= and lecture="
        )
    options = DrawingOptions.named(
        "save_deck", {**drawing_options, "lecture": True, "theme": theme}
    )
    require_renderer("png")  # fail before the backward pass changes any gradient
    drawing = Drawing.of(root, options)
    steps = list(backward_steps(root, gradient))
    scenes = drawing.scenes(steps, gradient, options)
    layout = drawing.layout(options, scenes)
    sources = [drawing.source(options, scene, layout=layout) for scene in scenes]
    left, bottom, right, top = layout.bounds
    # Pixels per inch that fit the frame into the page's picture area.
    area = (PAGE_INCHES[0] * (1 - 2 * MARGIN), PAGE_INCHES[1] * (1 - 2 * MARGIN))
    dpi = PAGE_DPI * min(area[0] * 72 / (right - left), area[1] * 72 / (top - bottom))
    pictures = render_many(sources, "png", args=PINNED_ARGS, dpi=dpi)
    data = _pdf(pictures, options.colors.background)
    write_atomically(path, data)
    return path


def _pdf(pictures: list[bytes], background: str) -> bytes:
    """The pages as one PDF: each PNG centred on a 16:9 page of the background colour."""
    from PIL import Image

    width, height = (round(inches * PAGE_DPI) for inches in PAGE_INCHES)
    pages = []
    for picture in pictures:
        image = Image.open(io.BytesIO(picture)).convert("RGB")
        page = Image.new("RGB", (width, height), background)
        page.paste(image, ((width - image.width) // 2, (height - image.height) // 2))
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(
        buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=PAGE_DPI,
        quality=92, subsampling=0,
    )  # fmt: skip
    return buffer.getvalue()
