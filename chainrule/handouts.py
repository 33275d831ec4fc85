"""Printable handouts: a variant's sheet and key as complete LaTeX documents, and as PDFs.

student.tex is what goes on paper: the given numbers, the forward pass to compute, the
gradients to find, the graph (gradients hidden), the update step, and a box per answer.
key.tex is the worked solution: chainrule.derive's LaTeX derivation (tables and every
chain rule, path by path), the update step and the graph after backward. Where pdflatex is
installed, both are compiled (twice is never needed: no references), with the date fixed
so the same variant gives the same PDF.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from . import grading
from .derive import derivation, latex_name, latex_text

if TYPE_CHECKING:
    from .variants import Variant

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2cm]{geometry}
\usepackage{amsmath}
\usepackage{graphicx}
\usepackage{array}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6ex}
\renewcommand{\arraystretch}{1.25}
"""
PDFLATEX_TIMEOUT_S = 120


def _table(spec: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [rf"\begin{{tabular}}{{{spec}}}", r"\hline"]
    lines.append(" & ".join(rf"\textbf{{{latex_text(h)}}}" for h in headers) + r" \\ \hline")
    lines += [" & ".join(row) + r" \\" for row in rows]
    return "\n".join([*lines, r"\hline", r"\end{tabular}"])


def _given(variant: Variant) -> str:
    rows = [[f"${latex_name(n)}$", f"${_number_text(x)}$"] for n, x in variant.given.items()]
    return r"\section*{Given}" + "\n" + _table("lr", ["name", "value"], rows)


def _number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _picture(name: str | None, caption: str, size: tuple[int, int] | None = None) -> str:
    """The picture, fitted to the page; a graph much wider than tall (the usual
    left-to-right one) gets a page of its own, turned a quarter, so its labels stay
    readable on paper."""
    if name is None:
        return ""
    wide = size is not None and size[0] > 2.5 * size[1]
    label = rf"\\[0.5ex]\small {latex_text(caption)}"
    if wide:  # the page is A4 with 2 cm margins: 17 cm wide, 25.7 cm tall
        return (
            r"\clearpage\begin{center}\rotatebox{90}{\begin{minipage}{24cm}\centering"
            + f"\n\\includegraphics[width=24cm,height=16cm,keepaspectratio]{{{name}}}\n"
            + label
            + "\n"
            + r"\end{minipage}}\end{center}\clearpage"
        )
    fit = r"width=\linewidth,height=0.45\textheight,keepaspectratio"
    return (
        r"\begin{center}"
        + f"\n\\includegraphics[{fit}]{{{name}}}\n"
        + label
        + "\n"
        + r"\end{center}"
    )


def png_size(data: bytes) -> tuple[int, int] | None:
    """A PNG's width and height in pixels, read from its header (None if not a PNG)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or len(data) < 24:
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def student_tex(variant: Variant, picture: str | None, size: tuple[int, int] | None = None) -> str:
    """The sheet as a complete LaTeX document (picture: an image file beside it, or None;
    size: its width and height in pixels)."""
    example = variant.example
    asked = variant.asked()
    root = example.root.label
    d = variant.decimals
    every = grading.asked_names(example)["forward"]
    rows = [
        [
            f"${latex_name(n)}$",
            rf"\texttt{{{latex_text(example.formulas[n])}}}",
            r"\rule{0pt}{3ex}" if n in asked["forward"] else "(not asked)",
        ]
        for n in every
    ]
    parts = [
        PREAMBLE + r"\begin{document}",
        rf"{{\Large\bfseries Backprop by hand: {latex_text(variant.title)}}}",
        rf"The worked example \texttt{{{latex_text(variant.source)}}} with other numbers. "
        rf"Give every answer to {d} decimal{'s' if d != 1 else ''}.",
        _given(variant),
        r"\section*{1. Forward pass}"
        + "\nCompute each value, in this order.\n\n"
        + _table("l l p{4cm}", ["value", "formula", "your number"], rows),
    ]
    if asked["gradients"]:
        grads = [[f"${_partial(root, n)}$", r"\rule{0pt}{3ex}"] for n in asked["gradients"]]
        parts.append(
            r"\section*{2. Backward pass}"
            + f"\nThe gradient of ${latex_name(root)}$ with respect to each of these, in the "
            "order the backward pass finds them: each is the sum, over the values that use "
            "it, of local derivative $\\times$ upstream gradient.\n\n"
            + _table("l p{4cm}", ["gradient", "your number"], grads)
        )
    parts.append(_picture(picture, "The graph after the forward pass, gradients hidden.", size))
    if asked["updated"]:
        rule = latex_text(grading.update_rule(variant.lr))
        new = [[f"${latex_name(p)}$", r"\rule{0pt}{3ex}"] for p in asked["updated"]]
        parts.append(
            r"\section*{3. One step of gradient descent}"
            + f"\nWith learning rate {variant.lr:g}: new = {rule}.\n\n"
            + _table("l p{4cm}", ["parameter after the step", "your number"], new)
        )
    parts.append(r"\end{document}")
    return "\n\n".join(p for p in parts if p) + "\n"


def _partial(upper: str, lower: str) -> str:
    return rf"\partial {latex_name(upper)} / \partial {latex_name(lower)}"


def key_tex(variant: Variant, picture: str | None, size: tuple[int, int] | None = None) -> str:
    """The key as a complete LaTeX document: the derivation (without the source's
    citation: these are not the source's numbers), the update, the graph."""
    example = variant.example
    n = variant.key_number
    values = example.values
    parts = [
        PREAMBLE + r"\begin{document}",
        rf"{{\Large\bfseries Answer key: {latex_text(variant.title)}}}",
        rf"Answers are graded to {variant.decimals} decimals; error carried forward is "
        "credited.",
        _given(variant),
        r"\section*{Forward and backward pass}",
        re.sub(r"\\noindent Source: [^\n]*\n?", "", derivation(example, "latex")),
    ]
    updated = grading.asked_names(example)["updated"]
    if updated:
        lr = variant.lr
        rows = [
            [
                f"${latex_name(p)}$",
                f"${n(values[p].data)}$",
                f"${n(values[p].grad)}$",
                f"${n(values[p].data - lr * values[p].grad)}$",
            ]
            for p in updated
        ]
        parts.append(
            r"\section*{One gradient-descent step}"
            + f"\nLearning rate {lr:g}: new = {latex_text(grading.update_rule(lr))}.\n\n"
            + _table("l r r r", ["parameter", "old", "gradient", "new"], rows)
        )
    parts.append(_picture(picture, "The graph after backward.", size))
    parts.append(r"\end{document}")
    return "\n\n".join(p for p in parts if p) + "\n"


def pdf_of(tex: str, pictures: dict[str, bytes]) -> bytes | None:
    """The PDF pdflatex makes of a document (with its pictures beside it), or None when
    pdflatex is not installed. RuntimeError with pdflatex's last lines when it fails."""
    if shutil.which("pdflatex") is None:
        return None
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for name, data in pictures.items():
            (folder / name).write_bytes(data)
        (folder / "doc.tex").write_text(tex, encoding="utf-8")
        # A fixed date: the same document gives the same bytes.
        env = {**os.environ, "SOURCE_DATE_EPOCH": "0", "FORCE_SOURCE_DATE": "1"}
        result = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=PDFLATEX_TIMEOUT_S,
            env=env,
        )
        if result.returncode != 0:
            tail = " ".join(result.stdout.strip().splitlines()[-5:])
            raise RuntimeError(f"pdflatex could not make the handout: {tail}")
        return (folder / "doc.pdf").read_bytes()


def handout_files(variant: Variant) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """(the student's files, the key's): student.tex and key.tex with their pictures
    (graph.png, key_graph.png) and, where pdflatex is installed, student.pdf and key.pdf.
    The pictures are left out where no Graphviz renderer can draw a PNG."""
    from autograd import draw_dot

    example = variant.example
    constants = example.constant_values()
    drawings = {
        "graph.png": draw_dot(
            example.root,
            decimals=variant.decimals,
            show_grad=False,
            color_roles=True,
            constants=constants,
        ),
        "key_graph.png": draw_dot(
            example.root, decimals=variant.key_decimals, color_roles=True, constants=constants
        ),
    }
    pictures: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for name, drawing in drawings.items():
            try:
                pictures[name] = Path(drawing.save(Path(scratch) / name)).read_bytes()
            except RuntimeError:  # no renderer for PNG: the documents go without it
                continue
    sheet_picture = "graph.png" if "graph.png" in pictures else None
    key_picture = "key_graph.png" if "key_graph.png" in pictures else None
    sizes = {name: png_size(data) for name, data in pictures.items()}
    student = student_tex(variant, sheet_picture, sizes.get(sheet_picture or ""))
    key = key_tex(variant, key_picture, sizes.get(key_picture or ""))
    sheet_files = {"student.tex": student.encode()}
    key_files = {"key.tex": key.encode()}
    if sheet_picture:
        sheet_files[sheet_picture] = pictures[sheet_picture]
    if key_picture:
        key_files[key_picture] = pictures[key_picture]
    student_pdf = pdf_of(student, {k: v for k, v in pictures.items() if k == sheet_picture})
    if student_pdf is not None:
        sheet_files["student.pdf"] = student_pdf
    key_pdf = pdf_of(key, {k: v for k, v in pictures.items() if k == key_picture})
    if key_pdf is not None:
        key_files["key.pdf"] = key_pdf
    return sheet_files, key_files
