"""The notebooks in notebooks/: paired, executed, up to date, and showing the slides' numbers.

Each notebook is NN_name.py (its cells as text, jupytext's percent format) paired with
NN_name.ipynb (the same cells with their committed outputs). The tests check that the two
files hold the same cells, run every notebook afresh in the python3 kernel (as
`make notebooks` does, with notebooks/execute.py; the committed files are never rewritten),
and compare the fresh outputs with the committed ones.

What the comparison leaves out, because it changes with the machine and not with the code
(`comparable` below does the normalising):

- text written to stderr: progress bars (tqdm redraws them for the terminal's width and
  speed) and library warnings, which come and go with library versions;
- memory addresses (0x7f3a...) and durations (1.3 s, 250 ms, 12.5 it/s) in any text;
- matplotlib plots (image/png): only that a plot is there and its alternative text (which
  names what it plots, its lines and their first and last values); its pixels depend on
  the matplotlib and FreeType versions;
- graph pictures (image/svg+xml): the words and numbers drawn in them and their alternative
  text, not the geometry, which differs between the system `dot`, graphviz-pure and their
  versions; likewise the pictures inside a step-through view, whose sizes in pixels are
  left out too (the rest of its page, the record of every step included, is compared).

(`make notebooks` draws with graphviz-pure, so the committed files themselves are the same
bytes on every machine.)

Everything else printed or displayed must match character for character: a change to the
engine that changes a number shown in a notebook fails here until `make notebooks` is run.
"""

from __future__ import annotations

import base64
import functools
import html
import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jupytext
import nbformat
import pytest
from nbformat.notebooknode import NotebookNode

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
CELL_TIMEOUT = 300  # seconds per cell; every notebook takes well under a minute in all


def _load_runner():
    spec = importlib.util.spec_from_file_location("execute", NOTEBOOK_DIR / "execute.py")
    assert spec is not None and spec.loader is not None
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    return runner


RUNNER = _load_runner()  # notebooks/execute.py: how `make notebooks` runs them
NOTEBOOKS = RUNNER.notebook_paths()


@functools.cache
def committed(name: str) -> NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


@functools.cache
def executed(name: str) -> NotebookNode:
    """The notebook `name` after running every cell (raises CellExecutionError on an error)."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    return RUNNER.execute(nb, NOTEBOOK_DIR, timeout=CELL_TIMEOUT)


def printed_lines(nb: NotebookNode) -> list[str]:
    """Every line of text the code cells printed or displayed."""
    lines = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                lines += output.text.splitlines()
            elif output.output_type in ("execute_result", "display_data"):
                lines += output.data.get("text/plain", "").splitlines()
    return lines


def assert_printed(lines: list[str], *parts: str) -> None:
    """Some line contains every one of `parts`."""
    assert any(all(part in line for part in parts) for line in lines), (
        f"no output line contains all of {parts}"
    )


# -- comparing outputs ---------------------------------------------------------------------

ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
DURATION = re.compile(r"\d+(?:\.\d+)? ?(?:s|ms|µs|us|it/s|s/it)\b")
SVG_NS = "{http://www.w3.org/2000/svg}"
IMAGE = r'<img src="data:image/([a-z+]+);base64,([^"]+)" alt="([^"]*)"[^>]*>'  # HTML of a picture


def steady_text(text: str) -> str:
    """text with memory addresses and durations replaced by placeholders."""
    return DURATION.sub("<duration>", ADDRESS.sub("0x<address>", text))


def svg_words(svg: str) -> str:
    """What a graph picture says: its accessible name, then the text drawn in it, in order."""
    root = ElementTree.fromstring(svg.encode("utf-8"))
    words = ["".join(element.itertext()) for element in root.iter(f"{SVG_NS}text")]
    return "\n".join([root.get("aria-label", "(no aria-label)"), *words])


def page_words(page: str) -> str:
    """A step-through page (an <iframe>) without its geometry: each SVG replaced by the
    words drawn in it, and every size in pixels by a placeholder."""
    page = re.sub(
        r"<svg\b.*?</svg>",
        lambda svg: "<svg>" + " | ".join(re.findall(r"<text\b[^>]*>(.*?)</text>", svg[0])),
        page,
        flags=re.S,
    )
    return steady_text(re.sub(r"\d+(?:\.\d+)?px", "<px>", page))


def html_words(text: str) -> str:
    """An <img> is compared by its alt text (and an SVG's words), a step-through page by its
    words (page_words); other HTML as text."""
    frame = re.match(r'<iframe srcdoc="([^"]*)"', text)
    if frame is not None:
        return page_words(html.unescape(frame.group(1)))
    image = re.fullmatch(IMAGE, text)
    if image is None:
        return steady_text(text)
    kind, data, alt = image.groups()
    if kind == "svg+xml":
        return f"alt: {alt}\n" + svg_words(base64.b64decode(data).decode())
    return f"alt: {alt}"  # a plot: its pixels may differ, its description may not


def comparable(output: NotebookNode) -> list[str]:
    """One output as the texts that must not change between two runs (module docstring)."""
    kind = output.output_type
    if kind == "stream":
        return [] if output.name == "stderr" else [f"stdout: {steady_text(output.text)}"]
    if kind == "error":
        return [f"error: {output.ename}: {steady_text(output.evalue)}"]
    texts = []
    for mime, data in sorted(output.data.items()):
        if mime == "image/png":
            texts.append("image/png: a plot")
        elif mime == "image/svg+xml":
            texts.append(f"image/svg+xml: {svg_words(data)}")
        elif mime == "text/html":
            texts.append(f"text/html: {html_words(data)}")
        else:
            texts.append(f"{mime}: {steady_text(data)}")
    return texts


def differences(old: NotebookNode, new: NotebookNode) -> list[str]:
    """Where the outputs of two runs of the same cells differ, one line per code cell."""
    found = []
    code = [(k, cell) for k, cell in enumerate(old.cells) if cell.cell_type == "code"]
    for (k, before), after in zip(code, (c for c in new.cells if c.cell_type == "code")):
        was = [text for output in before.outputs for text in comparable(output)]
        now = [text for output in after.outputs for text in comparable(output)]
        if was != now:
            lines_was = "\n".join(was).splitlines() or ["(no output)"]
            lines_now = "\n".join(now).splitlines() or ["(no output)"]
            first = next(
                (i for i, pair in enumerate(zip(lines_was, lines_now)) if pair[0] != pair[1]),
                min(len(lines_was), len(lines_now)) - 1,
            )
            found.append(
                f"cell {k} ({before.source.splitlines()[0] if before.source else ''!r}): "
                f"committed {lines_was[first]!r}, fresh run {lines_now[first]!r}"
            )
    return found


def _notebook(*outputs: NotebookNode) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("print(x)", outputs=list(outputs)))
    return nb


def _svg(words: list[str], width: str, label: str) -> str:
    texts = "".join(f'<text x="{width}">{word}</text>' for word in words)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" aria-label="{label}">'
        f"{texts}</svg>"
    )


def test_comparison_catches_a_changed_number() -> None:
    # The kind of change the comparison exists for: the engine now prints w5.grad differently.
    old = _notebook(nbformat.v4.new_output("stream", name="stdout", text="w5.grad = 0.082167041\n"))
    new = _notebook(nbformat.v4.new_output("stream", name="stdout", text="w5.grad = 0.082167042\n"))
    assert differences(old, new) == [
        "cell 0 ('print(x)'): committed 'stdout: w5.grad = 0.082167041', "
        "fresh run 'stdout: w5.grad = 0.082167042'"
    ]


def test_comparison_ignores_addresses_durations_progress_bars_and_plot_pixels() -> None:
    old = _notebook(
        nbformat.v4.new_output("stream", name="stdout", text="<Graph at 0x7f3a12c4d0>: 1.3 s\n"),
        nbformat.v4.new_output("stream", name="stderr", text="epoch 3/300  12.5 it/s\r"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoAAAA"}),
    )
    new = _notebook(
        nbformat.v4.new_output("stream", name="stdout", text="<Graph at 0x7f99aa01bb>: 0.9 s\n"),
        nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgoBBBB"}),
    )
    assert differences(old, new) == []


def test_comparison_reads_the_words_of_a_graph_picture_not_its_geometry() -> None:
    def shown(svg: str) -> NotebookNode:
        return _notebook(nbformat.v4.new_output("display_data", data={"image/svg+xml": svg}))

    picture = shown(_svg(["x", "data -2.0000", "grad -4.0000"], "120", "graph of x"))
    moved = shown(_svg(["x", "data -2.0000", "grad -4.0000"], "131.5", "graph of x"))
    changed = shown(_svg(["x", "data -2.0000", "grad 4.0000"], "120", "graph of x"))
    assert differences(picture, moved) == []
    assert len(differences(picture, changed)) == 1


# -- the notebooks -------------------------------------------------------------------------


def test_there_are_at_least_seven_notebooks_including_the_worked_examples() -> None:
    names = {path.stem for path in NOTEBOOKS}
    missing = {
        "01_chain_rule_xyz",
        "02_backprop_2_2_2_sigmoid",
        "03_training_loop_y_2x_plus_1",
        "04_gradient_descent_variants",
        "05_activations_and_classification",
        "06_the_usual_mistakes",
        "07_your_own_example",
    } - names
    assert missing == set()
    assert len(names) >= 7


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_py_and_ipynb_hold_the_same_cells(path: Path) -> None:
    nb = committed(path.name)
    assert nb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", (
        f"{path.name} is not paired with a .py file: jupytext --set-formats ipynb,py:percent"
    )
    text = jupytext.read(path.with_suffix(".py"))
    in_py = [(cell.cell_type, cell.source) for cell in text.cells]
    in_ipynb = [(cell.cell_type, cell.source) for cell in nb.cells]
    assert in_py == in_ipynb, (
        f"{path.stem}.py and {path.name} hold different cells: run `make notebooks` "
        "(jupytext --sync brings the older file up to date, then it re-executes)"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_without_error(path: Path) -> None:
    nb = executed(path.name)
    errors = [
        output
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if output.output_type == "error"
    ]
    assert errors == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_committed_outputs_are_what_a_fresh_run_shows(path: Path) -> None:
    found = differences(committed(path.name), executed(path.name))
    assert found == [], (
        f"{path.name}'s committed outputs are out of date; run `make notebooks`:\n"
        + "\n".join(found)
    )


def test_committed_notebooks_are_saved_executed() -> None:
    for path in NOTEBOOKS:
        nb = committed(path.name)
        code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
        not_run = [k for k, cell in enumerate(code_cells) if cell.execution_count is None]
        assert not_run == [], f"{path.name}: code cells {not_run} were saved without running"
        assert not any(
            output.output_type == "error" for cell in code_cells for output in cell.outputs
        ), f"{path.name} was saved with an error in it"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_says_what_it_builds_on_and_ends_with_exercises(path: Path) -> None:
    cells = committed(path.name).cells
    assert cells[0].cell_type == "markdown" and "**Builds on:**" in cells[0].source
    assert cells[-1].cell_type == "markdown" and cells[-1].source.startswith("## Exercises")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_graph_picture_has_alternative_text_and_fits_the_width(path: Path) -> None:
    pictures = [
        output.data
        for cell in committed(path.name).cells
        for output in cell.get("outputs", [])
        if "image/svg+xml" in output.get("data", {})
    ]
    for data in pictures:
        svg = ElementTree.fromstring(data["image/svg+xml"].encode("utf-8"))
        words = svg.get("aria-label", "")
        assert svg.get("role") == "img"
        assert words.startswith(("Computation graph", "Step ", "Before the backward", "Network"))
        assert "max-width: 100%" in svg.get("style", "")
        image = re.match(IMAGE, data["text/html"])
        assert image is not None and html.unescape(image.group(3)) == words
        assert "max-width: 100%" in data["text/html"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_every_plot_has_alternative_text_and_fits_the_width(path: Path) -> None:
    plots = [
        output.data
        for cell in committed(path.name).cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]
    for data in plots:
        image = re.match(r'<img src="data:image/png;base64,[^"]+" alt="([^"]+)"', data["text/html"])
        assert image is not None and "against" in image.group(1)
        assert 'style="max-width: 100%; height: auto"' in data["text/html"]


# -- the first code cell: how to install chainrule -----------------------------------------

INSTALL_CELLS = {committed(path.name).cells[1].source for path in NOTEBOOKS}


def test_every_notebook_starts_with_the_same_install_check() -> None:
    # cells[0] says what the notebook builds on; cells[1] is the first code cell.
    assert len(INSTALL_CELLS) == 1
    (source,) = INSTALL_CELLS
    assert 'find_spec("chainrule")' in source
    for path in NOTEBOOKS:  # where chainrule is installed, the check prints nothing
        assert committed(path.name).cells[1].outputs == []


def run_install_check(folder: Path) -> str:
    """What the first code cell prints in a Python that cannot import chainrule."""
    (source,) = INSTALL_CELLS
    result = subprocess.run(
        # -I: no current folder or user site on sys.path; -S: no site-packages, so the
        # project's own installation is out of sight, as in a fresh Colab kernel.
        [sys.executable, "-I", "-S", "-c", source],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_install_check_in_a_clone_prints_the_editable_install(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "chainrule"\n')
    (tmp_path / "notebooks").mkdir()
    printed = run_install_check(tmp_path / "notebooks")
    assert printed.splitlines()[-1] == f"%pip install -e {tmp_path}"


def test_install_check_beside_the_wheel_prints_its_install(tmp_path: Path) -> None:
    (tmp_path / "chainrule-0.1.0-py3-none-any.whl").write_bytes(b"")
    printed = run_install_check(tmp_path)
    assert printed.splitlines()[-1] == "%pip install chainrule-0.1.0-py3-none-any.whl"


def test_install_check_elsewhere_says_to_upload_the_wheel(tmp_path: Path) -> None:
    printed = run_install_check(tmp_path)
    assert "not installed for this kernel" in printed
    assert printed.splitlines()[-1].startswith("%pip install chainrule-0.1.0-py3-none-any.whl")
    assert "upload" in printed.splitlines()[-1]


# -- the slides' numbers -------------------------------------------------------------------


def test_chain_rule_notebook_prints_the_slide_values() -> None:
    # Slides, "Backpropagation: a simple example", f = (x + y) * z at (-2, 5, -4):
    # q = -2 + 5 = 3; f = 3 * -4 = -12 (the slide's "12" lost its minus sign);
    # df/dz = q = 3, df/dq = z = -4, df/dx = df/dy = -4 * 1 = -4.
    lines = printed_lines(executed("01_chain_rule_xyz.ipynb"))
    assert_printed(lines, "q = x + y = -2 + 5 = 3")
    assert_printed(lines, "f = q * z = 3 * -4 = -12")
    assert_printed(lines, "f.grad = 1")
    assert_printed(lines, "q.grad = -4")
    assert_printed(lines, "z.grad = 3")
    assert_printed(lines, "x.grad = -4")
    assert_printed(lines, "y.grad = -4")


def test_2_2_2_notebook_prints_every_slide_number() -> None:
    # Slides, "More complicated example" (i1 = 0.05, i2 = 0.10, targets 0.01 and 0.99),
    # each number as the slide prints it, found on the line naming the quantity.
    lines = printed_lines(executed("02_backprop_2_2_2_sigmoid.ipynb"))
    assert_printed(lines, "net_h1 =", "0.3775")  # .15*.05 + .20*.10 + .35
    assert_printed(lines, "out_h1 =", "0.593269992")
    assert_printed(lines, "out_h2 =", "0.596884378")
    assert_printed(lines, "net_o1 =", "1.105905967")
    assert_printed(lines, "out_o1 =", "0.75136507")
    assert_printed(lines, "out_o2 =", "0.772928465")
    assert_printed(lines, "E_o1 =", "0.274811083")
    assert_printed(lines, "E_o2 =", "0.023560026")
    assert_printed(lines, "E_total =", "0.298371109")  # 0.274811083 + 0.023560026
    # dE/dw5 = 0.74136507 x 0.186815602 x 0.593269992 = 0.082167041, read off the engine
    assert_printed(lines, "dE_total/dout_o1 = out_o1.grad", "0.74136507")
    assert_printed(lines, "dout_o1/dnet_o1", "local", "0.186815602")
    assert_printed(lines, "dnet_o1/dw5", "local", "0.593269992")
    assert_printed(lines, "w5.grad", "0.082167041")
    assert_printed(lines, "w5 ->", "0.35891648")  # 0.40 - 0.5 * 0.082167041


def test_2_2_2_notebook_grades_a_hand_computation_with_a_sign_slip() -> None:
    # The learner's dE_total/dout_o1 = -0.7414 lost the sign of out_o1 - target_o1 =
    # 0.75136507 - 0.01 = 0.74136507; their dE/dnet_o1 = -0.7414 * 0.1868 = -0.1385 and
    # dE/dw5 = -0.1385 * 0.5933 = -0.0822 are right from there, so they carry the error.
    lines = printed_lines(executed("02_backprop_2_2_2_sigmoid.ipynb"))
    assert_printed(lines, "6 of 7 marks, 2 follow from an earlier error, 1 wrong")
    assert_printed(lines, "dE_total/dout_o1", "-0.7414", "WRONG: expected 0.7414")
    assert_printed(lines, "dE_total/dnet_o1", "follows from your earlier error in dE_total/dout_o1")


def test_own_example_notebook_checks_grades_and_makes_a_variant() -> None:
    lines = printed_lines(executed("07_your_own_example.ipynb"))
    # CS231n's neuron at w = (2, -3, -3), x = (-1, -2): dot = 1, f = sigmoid(1) = 0.7311,
    # df/dx1 = w1 * f * (1 - f) = -3 * 0.1966 = -0.5898.
    assert_printed(lines, "f", "1 / (1 + exp(-dot))", "0.7311")
    assert_printed(lines, "df/dx1", "-0.5898")
    # The file's slide prints dout/dx = 0.1537 for 0.1966 * 0.8 = 0.1573.
    assert_printed(lines, "DIFFERS dout/dx: printed 0.1537, computed 0.1573: a digit slip")
    assert_printed(lines, "26 printed numbers checked: 26 agree, 0 differ.")
    # net = w + x + b = 2.1 instead of w * x + b = 1.0; the rest follows from it.
    assert_printed(lines, "5 of 6 marks, 5 follow from an earlier error, 1 wrong")
    assert_printed(lines, "6 of 6 marks; all right: True")


def step_through_pages(nb: NotebookNode) -> list[str]:
    """The pages of the step-through views a notebook shows (their iframes' srcdoc)."""
    pages = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            frame = re.match(
                r'<iframe srcdoc="([^"]*)"', output.get("data", {}).get("text/html", "")
            )
            if frame is not None:
                pages.append(html.unescape(frame.group(1)))
    return pages


def test_the_worked_example_notebooks_step_through_the_pass_live() -> None:
    (xyz_page,) = step_through_pages(executed("01_chain_rule_xyz.ipynb"))
    # f = (x + y) * z: df/dq = z = -4 is passed first, from f to q (at the picture's
    # precision, 4 decimals).
    assert "Backward step 1 of 4: df/dq = -4.0000 (local) x df/df = 1.0000 (upstream)" in xyz_page
    assert 'aria-live="polite"' in xyz_page
    (network_page,) = step_through_pages(executed("02_backprop_2_2_2_sigmoid.ipynb"))
    # The slide's o1 branch first: w5 gets out_h1 x dE/dnet_o1 = 0.5933 x 0.1385 at step 7
    # (36 steps less the 4 into constants: the targets and the 1/2s written into the loss).
    assert "Backward step 7 of 32: dnet_o1/dw5 = 0.5933 (local)" in network_page
