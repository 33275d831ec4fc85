"""chainrule.notebook: plots that fit a notebook's width and say in words what they show."""

from __future__ import annotations

import base64
import re

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure  # a figure outside pyplot: no window, no backend

from chainrule.notebook import describe_figure, figure_html, setup_plots


@pytest.fixture
def figure():
    fig = Figure()
    return fig, fig.subplots()


def test_a_line_plot_is_described_by_its_title_axes_and_lines(figure) -> None:
    fig, axes = figure
    axes.plot([1, 2, 3], [225.0, 94.1, 40.1], label="with zero_grad()")
    axes.plot([1, 2, 3], [225.0, 3.0, 166.0], label="without zero_grad()")
    axes.axvline(2, label="x = 2")
    axes.set_yscale("log")
    axes.set_xlabel("update")
    axes.set_ylabel("loss (MSE)")
    axes.set_title("Forgetting zero_grad()")
    assert describe_figure(fig) == (
        "Forgetting zero_grad(): loss (MSE) on a log scale against update; "
        "with zero_grad() from 225 to 40.1; without zero_grad() from 225 to 166, lowest 3; "
        "x = 2."
    )


def test_points_are_counted_and_every_plot_of_a_figure_gets_a_sentence() -> None:
    fig = Figure()
    left, right = fig.subplots(1, 2)
    left.scatter([0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    left.set_title("two moons")
    right.plot([0.0, 1.0, 2.0], [0.5, 0.9, 0.7])
    right.contourf([[0.0, 1.0], [1.0, 2.0]])
    fig.suptitle("Data")
    assert describe_figure(fig) == (
        "Data. two moons: y against x; 3 points drawn as dots. "
        "A plot: y against x; a line from 0.5 to 0.7, highest 0.9; shaded contour regions."
    )


def test_the_html_image_is_the_png_with_the_description_as_alt(figure) -> None:
    fig, axes = figure
    axes.plot([0, 1], [1, 0], label="a < b")
    image = re.fullmatch(
        r'<img src="data:image/png;base64,([^"]+)" alt="([^"]+)" '
        r'style="max-width: 100%; height: auto">',
        figure_html(fig),
    )
    assert image is not None
    assert base64.b64decode(image.group(1)).startswith(b"\x89PNG")
    assert image.group(2) == "A plot: y against x; a &lt; b from 1 to 0."  # escaped for HTML


def test_setup_plots_sets_the_notebook_figure_size_outside_jupyter_too() -> None:
    with matplotlib.rc_context():
        setup_plots()
        assert list(plt.rcParams["figure.figsize"]) == [6.0, 3.5]
        assert plt.rcParams["figure.dpi"] == 80
