"""Printable handouts (chainrule/handouts.py): the sheet and the key as complete LaTeX
documents, and PDFs where pdflatex is installed."""

import shutil

import pytest

from chainrule.example_files import read_toml
from chainrule.handouts import key_tex, student_tex
from chainrule.variants import make_variants, write_variants


def test_the_sheet_is_a_complete_document_without_answers():
    [variant] = make_variants("2-2-2", 7)
    tex = student_tex(variant, "graph.png", (2187, 449))
    assert tex.startswith("\\documentclass[11pt]{article}")
    assert tex.rstrip().endswith("\\end{document}")
    assert "\\includegraphics[width=24cm,height=16cm,keepaspectratio]{graph.png}" in tex
    assert "\\rotatebox{90}" in tex  # a wide graph gets a page of its own, turned
    assert "\\section*{3. One step of gradient descent}" in tex
    assert "new = old - 0.5 * gradient" in tex
    # No asked number is on the sheet: out_h1 of this variant is 0.6135 at 4 decimals.
    out_h1 = variant.example.values["out_h1"].data
    assert f"{out_h1:.4f}" == "0.6135" and "0.6135" not in tex


def test_the_key_holds_the_derivation_and_the_update():
    [variant] = make_variants("2-2-2", 7)
    tex = key_tex(variant, "key_graph.png", (800, 600))
    assert tex.startswith("\\documentclass[11pt]{article}") and "\\end{document}" in tex
    assert "The chain rule along every path" in tex
    assert "\\section*{One gradient-descent step}" in tex
    assert "$0.613535947$" in tex  # out_h1 = sigmoid(0.4622) in the key's 9 decimals
    assert "Source:" not in tex  # a variant's numbers are not the source's
    assert "\\rotatebox" not in tex  # a picture about as tall as wide stays on the page


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="needs pdflatex (texlive)")
def test_handouts_compile_to_the_same_pdfs_for_the_same_seed(tmp_path):
    first = write_variants("xyz", tmp_path / "a", seed=2, handouts=True)
    names = sorted(p.name for p in first)
    assert {"student.tex", "student.pdf", "key.tex", "key.pdf"} <= set(names)
    assert (tmp_path / "a" / "student.pdf").read_bytes()[:5] == b"%PDF-"
    write_variants("xyz", tmp_path / "b", seed=2, handouts=True)
    for name in ("student.pdf", "key.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert read_toml(tmp_path / "a" / "answers.toml")["exercise"]["seed"] == 2


def test_a_class_gets_handouts_in_the_handout_and_keys_folders(tmp_path):
    from chainrule.classroom import write_class

    (tmp_path / "r.csv").write_text("id\nann\n", encoding="utf-8")
    write_class("xyz", tmp_path / "r.csv", tmp_path / "c", secret="s", handouts=True)
    assert (tmp_path / "c" / "handout" / "ann" / "student.tex").is_file()
    assert (tmp_path / "c" / "keys" / "ann" / "key.tex").is_file()
    assert not (tmp_path / "c" / "handout" / "ann" / "key.tex").exists()
