"""The notebooks in notebooks/ run from top to bottom and show the slides' numbers.

Each notebook is read from disk and executed in memory with the python3 kernel, with
notebooks/ as its working directory; the committed files are never rewritten. The two
worked-example notebooks are then searched for the numbers the slides print, and the
committed files are checked to be saved executed and in step with build_notebooks.py.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

import nbformat
import pytest
from nbformat.notebooknode import NotebookNode

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 300  # seconds per cell; every notebook takes well under a minute in all


def _load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", NOTEBOOK_DIR / "build_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    builder = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(builder)
    return builder


BUILDER = _load_builder()  # notebooks/build_notebooks.py: the cells, and how to run them


@functools.cache
def executed(name: str) -> NotebookNode:
    """The notebook `name` after running every cell (raises CellExecutionError on an error)."""
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    return BUILDER.execute(nb, NOTEBOOK_DIR, timeout=CELL_TIMEOUT)


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


def test_the_five_worked_example_notebooks_are_there() -> None:
    missing = {
        "01_chain_rule_xyz",
        "02_backprop_2_2_2_sigmoid",
        "03_training_loop_y_2x_plus_1",
        "04_gradient_descent_variants",
        "05_activations_and_classification",
    } - {path.stem for path in NOTEBOOKS}
    assert missing == set()


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


def test_committed_notebooks_are_saved_executed() -> None:
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
        not_run = [k for k, cell in enumerate(code_cells) if cell.execution_count is None]
        assert not_run == [], f"{path.name}: code cells {not_run} were saved without running"
        assert not any(
            output.output_type == "error" for cell in code_cells for output in cell.outputs
        ), f"{path.name} was saved with an error in it"


def test_committed_notebooks_match_build_notebooks() -> None:
    for name, cells in BUILDER.NOTEBOOKS.items():
        committed = nbformat.read(NOTEBOOK_DIR / f"{name}.ipynb", as_version=4)
        assert [cell.source for cell in committed.cells] == [source for _, source in cells], (
            f"{name}.ipynb differs from build_notebooks.py: "
            "run .venv/bin/python notebooks/build_notebooks.py --execute"
        )
