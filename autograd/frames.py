"""The backward pass as pictures: one frame before it and one per chain-rule step.

Every frame is drawn from one Drawing (autograd/drawing.py) with one layout
(autograd/layout.py), so all have the same size and every node stays in its place; the
gradients not yet known show "?". `save_step_frames` renders them all in one run of the
renderer; `frames_to_gif` makes them an animation.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .drawing import Drawing, DrawingOptions, need_value_pass
from .engine import Value
from .files import write_atomically
from .fonts import embed_font, svg_characters
from .graph import Graph
from .layout import PINNED_ARGS
from .render import IMAGE_FORMATS, find_renderer, render_many, require_renderer
from .steps import backward_steps


def step_frames(root: Value, gradient: float = 1.0, **draw_options: Any) -> list[Graph]:
    """The backward pass of root as pictures: frame 0 before it starts (every gradient
    "?"), then one frame per chain-rule step, so frame k is step k of N.

    All frames share one layout, computed once: the same size, every node in the same
    place (without a renderer, which the layout needs, each frame is plain DOT text).
    This runs a real backward pass (backward_steps(root, gradient)): afterwards the
    gradients are those of root.backward(gradient). draw_options go to draw_dot.
    """
    need_value_pass(root, "step_frames and save_step_frames")
    if "step" in draw_options:
        raise TypeError("step_frames draws every step itself; do not pass step=")
    options = DrawingOptions.named("step_frames", draw_options)
    structure = Drawing.of(root, options)
    steps = list(backward_steps(root, gradient))
    scenes = structure.scenes(steps, gradient, options)
    if find_renderer() is None:  # DOT text only: each frame laid out when it is drawn
        return [structure.graph(options, scene) for scene in scenes]
    layout = structure.layout(options, scenes)
    return [structure.graph(options, scene, layout) for scene in scenes]


def save_step_frames(
    root: Value,
    folder: str | os.PathLike[str],
    gradient: float = 1.0,
    fmt: str = "png",
    *,
    dpi: float | None = None,
    **draw_options: Any,
) -> list[Path]:
    """Run backward_steps(root, gradient) and save its frames into folder: step_00 before
    the pass, then step_01 for step 1 of N, and so on (numbered so they sort).

    Every frame has the same size and layout (see step_frames). The folder is created if
    needed; the paths are returned in order. All pictures are drawn by one run of the
    renderer. fmt is "png", "svg", or "dot"/"gv" (DOT text with the positions fixed; draw
    it with `neato -n2`). dpi sets the PNGs' resolution. draw_options go to draw_dot.
    """
    formats = (*IMAGE_FORMATS, "dot", "gv")
    if fmt not in formats:
        raise ValueError(f"fmt must be one of {', '.join(formats)}, got {fmt!r}")
    if fmt in IMAGE_FORMATS:
        require_renderer(fmt)  # fail before the backward pass changes any gradient
    frames = step_frames(root, gradient, **draw_options)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if fmt in IMAGE_FORMATS:
        pictures = render_many([f.source for f in frames], fmt, args=PINNED_ARGS, dpi=dpi)
        if fmt == "svg":  # every frame carries one font, with the glyphs of all of them
            texts = [picture.decode("utf-8") for picture in pictures]
            glyphs = "".join(sorted(set("".join(svg_characters(text) for text in texts))))
            pictures = [embed_font(text, glyphs).encode("utf-8") for text in texts]
    else:
        pictures = [f.source.encode("utf-8") for f in frames]
    width = max(2, len(str(len(frames) - 1)))
    paths = []
    for k, picture in enumerate(pictures):
        path = folder / f"step_{k:0{width}d}.{fmt}"
        write_atomically(path, picture)
        paths.append(path)
    return paths


def frames_to_gif(
    frames: Sequence[str | os.PathLike[str]],
    path: str | os.PathLike[str],
    seconds_per_frame: float = 1.5,
) -> str | os.PathLike[str]:
    """An animated GIF of PNG frames (such as save_step_frames' output), looping forever.

    Needs Pillow (`pip install pillow`), which chainrule does not install by itself. Frames
    of different sizes are placed on one white canvas, top-left, so nothing is stretched.
    """
    try:
        from PIL import Image
    except ImportError:
        raise RuntimeError(
            "frames_to_gif needs Pillow, which is not installed: pip install pillow"
        ) from None
    if not frames:
        raise ValueError("frames_to_gif needs at least one frame, got none")
    if seconds_per_frame <= 0:
        raise ValueError(f"seconds_per_frame must be positive, got {seconds_per_frame!r}")
    images = [Image.open(frame).convert("RGB") for frame in frames]
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, (0, 0))
        canvases.append(canvas)
    buffer = io.BytesIO()
    canvases[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=canvases[1:],
        duration=round(seconds_per_frame * 1000),
        loop=0,
    )
    write_atomically(path, buffer.getvalue())
    return path
