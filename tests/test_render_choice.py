"""CHAINRULE_RENDERER picks the program that draws pictures (autograd/render.py).

`make notebooks` sets it to graphviz-pure so that committed notebooks hold the same SVG
bytes on every machine; unset, the system `dot` is preferred when it is installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd import Value, draw_dot
from autograd import render as render_module


def test_graphviz_pure_is_used_when_asked_for_even_beside_a_system_dot(monkeypatch):
    monkeypatch.setenv("CHAINRULE_RENDERER", "graphviz-pure")
    chosen = render_module.find_renderer()
    assert chosen is not None and Path(chosen).name == "graphviz-pure"
    svg = draw_dot(Value(2.0, "x")).pipe("svg").decode()
    assert "(graphviz-pure)" in svg  # the renderer names itself in the SVG's header comment


@pytest.mark.skipif(render_module.find_dot() is None, reason="system Graphviz dot not installed")
def test_dot_is_used_when_asked_for(monkeypatch):
    monkeypatch.setenv("CHAINRULE_RENDERER", "dot")
    assert render_module.find_renderer() == render_module.find_dot()
    svg = draw_dot(Value(2.0, "x")).pipe("svg").decode()
    assert "(graphviz-pure)" not in svg


def test_an_unknown_renderer_name_is_an_error_that_lists_the_choices(monkeypatch):
    monkeypatch.setenv("CHAINRULE_RENDERER", "neato")
    with pytest.raises(ValueError, match="CHAINRULE_RENDERER='neato' is not a renderer") as error:
        render_module.find_renderer()
    assert "dot or graphviz-pure" in str(error.value)


def test_asking_for_a_renderer_that_is_missing_says_which_and_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAINRULE_RENDERER", "dot")
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no `dot` on PATH
    with pytest.raises(render_module.RendererNotFound) as error:
        draw_dot(Value(2.0, "x")).pipe("svg")
    message = str(error.value)
    assert "needs dot, which CHAINRULE_RENDERER asks for," in message
    assert "apt-get install graphviz" in message
