"""Bring each notebook's two files into step and re-execute it: what `make notebooks` runs.

A notebook here is a pair: NN_name.py holds its cells as text (jupytext's percent format,
the file to edit and review) and NN_name.ipynb holds the same cells with their outputs (what
GitHub and Jupyter show). For each pair this script takes the cells from whichever file was
changed last (`jupytext --sync`), runs them with nbclient in the project's python3 kernel
(working folder notebooks/), and writes both files back. Pictures are drawn with
graphviz-pure (CHAINRULE_RENDERER), which writes the same bytes on every machine, so
re-running unchanged notebooks changes no file.

    .venv/bin/python notebooks/execute.py          # every notebook
    .venv/bin/python notebooks/execute.py 02 06    # those whose name contains 02 or 06
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import jupytext
from jupytext.cli import jupytext as jupytext_cli
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent
KERNEL = "python3"  # `make` installs the project's .venv as the python3 kernel
RENDERER = "graphviz-pure"  # the same SVG bytes everywhere; the system `dot` varies


def notebook_paths() -> list[Path]:
    """The notebooks, NN_name.ipynb, in order."""
    return sorted(HERE.glob("[0-9][0-9]_*.ipynb"))


def execute(nb: NotebookNode, cwd: Path = HERE, timeout: int = 300) -> NotebookNode:
    """Run every cell of nb in the python3 kernel in cwd and return nb with its outputs.

    Raises nbclient's CellExecutionError naming the cell when one raises. Cell timings are
    not recorded, a cell's printed text is one output however the kernel flushed it, and
    language_info keeps only the language's name, so the saved file does not change with
    the machine or the Python patch release.
    """
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=KERNEL,
        record_timing=False,
        coalesce_streams=True,  # one stdout output per cell, however the kernel flushed it
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute(env={**os.environ, "CHAINRULE_RENDERER": RENDERER})
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def sync(ipynb: Path) -> None:
    """Update the older of NN_name.py and NN_name.ipynb from the newer (jupytext --sync)."""
    status = jupytext_cli(["--sync", "--quiet", str(ipynb)])
    if status:
        raise RuntimeError(f"jupytext --sync {ipynb.name} failed (exit status {status})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only notebooks whose name contains this")
    args = parser.parse_args(argv)
    for ipynb in notebook_paths():
        if args.only and not any(part in ipynb.name for part in args.only):
            continue
        sync(ipynb)
        start = time.perf_counter()
        nb = execute(jupytext.read(ipynb))
        jupytext.write(nb, ipynb, fmt="ipynb")
        sync(ipynb)  # the .py gets the same cells back, so the pair stays in step
        print(f"{ipynb.stem}: executed in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
