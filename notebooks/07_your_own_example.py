# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 07 · Your own example
#
# **Builds on:** notebooks 01 and 02, which take the course's two worked examples apart.
# This one is for the example on *your* slide: typing it in (as one line, or as a file
# that also records the numbers your slide prints), checking those numbers, and writing
# the derivation out for the slides, stepping through it; then grading a learner's hand
# computation of it and making a variant with other numbers and its answer key.
#
# The running example is the sigmoid neuron from the Stanford CS231n notes on
# backpropagation, f(w, x) = 1 / (1 + e^-(w0·x0 + w1·x1 + w2)) at w = (2, -3, -3),
# x = (-1, -2), then a sigmoid neuron from an imaginary lecture, with a typo in it.

# %%
# Opened outside the project (Colab, a course server)? Then this cell says how to install chainrule.
import importlib.util
from pathlib import Path

if importlib.util.find_spec("chainrule") is None:
    pyproject = Path.cwd().parent / "pyproject.toml"  # in a clone, notebooks/ sits beside it
    wheels = sorted(Path.cwd().glob("chainrule-*.whl"))  # the package file `make dist` builds
    if pyproject.is_file() and 'name = "chainrule"' in pyproject.read_text():
        command = f"%pip install -e {pyproject.parent}"
    elif wheels:
        command = f"%pip install {wheels[-1].name}"
    else:
        command = "%pip install chainrule-0.1.0-py3-none-any.whl   (upload that file here first)"
    print("chainrule is not installed for this kernel. Run this, then restart the kernel:")
    print(command)

# %%
import os
import tempfile
from pathlib import Path

from IPython.display import Markdown, display

from chainrule import grade, grade_file, make_variants, step_through, write_variant
from chainrule.check import check, check_report
from chainrule.derive import derivation
from chainrule.examples import from_expr, load
from chainrule.tables import report
from chainrule.variants import student_md
from chainrule.worked import run_backward

# %% [markdown]
# ## 1. One line: an expression
#
# `from_expr` takes the computation as text, in Python's notation (`+ - * / **`, `exp`,
# `log`, `tanh`, `sigmoid`, `relu`; statements separated by `;`), and the given numbers.
# It never runs the text as Python: anything else is an error that says what is allowed.
# The last statement is the output. The same works from a terminal:
# `chainrule expr "dot = w0*x0 + w1*x1 + w2; f = 1 / (1 + exp(-dot))" w0=2 x0=-1 ...`

# %%
neuron = from_expr(
    "dot = w0*x0 + w1*x1 + w2; f = 1 / (1 + exp(-dot))",
    {"w0": 2, "x0": -1, "w1": -3, "x1": -2, "w2": -3},
)
run_backward(neuron)
print(report(neuron))

# %% [markdown]
# The CS231n diagram prints f = 0.73 and the gradients -0.20, 0.39, -0.39, -0.59 and 0.20
# for w0, x0, w1, x1 and w2: these are the same numbers, rounded.
#
# ## 2. A file: the example and the numbers your slide prints
#
# A worked example file (TOML) holds the given numbers, what is computed from them, and
# every number the slide prints, **as printed**, so that their precision is known. Here is
# one for a sigmoid neuron on "slide 12", written into a scratch folder that the rest of
# this notebook works in:

# %%
my_neuron = """
title = "One sigmoid neuron: out = sigmoid(w*x + b)"
summary = "a sigmoid neuron at x = 1.5, w = 0.8, b = -0.2"
decimals = 4

[source]
author = "A. Teacher"
title = "Lecture 3, slide 12"
url = "https://example.org/lecture3.pdf"

[given]
x = 1.5
w = 0.8
b = -0.2

[define]
net = "w * x + b"
out = "sigmoid(net)"

[printed]
net = "1.0"
out = "0.7311"
"dout/dnet" = "0.1966"
"dout/dw" = "0.2949"
"dout/dx" = "0.1537"
"""
os.chdir(tempfile.mkdtemp())  # a scratch folder for the files written below
Path("my-neuron.toml").write_text(my_neuron)
example = load("my-neuron.toml")
run_backward(example)
print(report(example))

# %% [markdown]
# ## 3. Check the slide's numbers
#
# `check` compares each printed number with the computed one at the precision it is
# printed with, and says what a difference looks like: a sign error, a digit slip, a
# rounding in the last digit, or another formula. (`chainrule check my-neuron.toml` does
# the same from a terminal, with exit status 1 when a number differs.)

# %%
print(check_report(example, check(example)))

# %% [markdown]
# The slide swapped two digits of dout/dx: 0.1966 × 0.8 = 0.1573. When a source has a
# known typo, record it under `[errata]` in the file rather than editing the printed
# number: the check still reports it, with your note.
#
# The library of worked examples (`chainrule examples` lists it) has the CS231n circuit
# gate by gate, with all 26 numbers its diagram prints:

# %%
circuit = load("cs231n-sigmoid-circuit")
print(check_report(circuit, check(circuit)).splitlines()[-1])

# %% [markdown]
# ## 4. The derivation, for your slides
#
# `derivation(example, fmt)` writes the forward table, the gradient table and each
# gradient's chain rule along every path, with the numbers, as `"text"`, `"markdown"` or
# `"latex"`. Markdown shows right here:

# %%
display(Markdown(derivation(example, "markdown")))

# %% [markdown]
# and the LaTeX is ready to paste into a slide (tables and displayed equations, no
# preamble; `chainrule example my-neuron.toml --format latex` prints the same):

# %%
latex = derivation(example, "latex")
print(latex[latex.index("\\medskip"):])

# %% [markdown]
# ## 5. Step through it live
#
# The same view as in notebooks 01 and 02, for your example: the forward pass value by
# value, then each chain-rule step (`chainrule example my-neuron.toml --html page.html`
# writes it as a page for a course site).

# %%
step_through(example.root)

# %% [markdown]
# Where the live view does not run (a repository's notebook preview), the pass as a
# picture: the last backward step's frame, every gradient found, drawn for a slide
# (`lecture=True`; `chainrule example my-neuron.toml --deck slides.pdf` writes one slide
# per step). The frames replay the pass from zero gradients and leave them as before.

# %%
from chainrule import step_frames, topological_order

for node in topological_order(example.root):
    node.grad = 0.0
step_frames(example.root, lecture=True, constants=example.constant_values())[-1]

# %% [markdown]
# ## 6. Grade a hand computation
#
# A learner who worked the example by hand can check their numbers with `grade`: to the
# precision asked for, in the order the computation finds them, naming the first wrong
# value and how it is built (local derivative × upstream gradient). This learner wrote
# net = w + x + b (a slip of + for ×) and carried on correctly from there:

# %%
answers = {
    "forward": {"net": 2.1, "out": 0.8909},
    "gradients": {"net": 0.0972, "w": 0.1458, "x": 0.0778, "b": 0.0972},
}
print(grade(load("my-neuron.toml"), answers, decimals=4))

# %% [markdown]
# ## 7. Make a variant, with its answer key
#
# For homework or an exam, `make_variants` draws other given numbers for the same
# computation (never a saturated sigmoid, a ReLU at its kink or a division by almost
# zero), and `write_variant` writes the sheet, the key, a blank answers file and a test
# that grades it (`chainrule variant my-neuron.toml --seed 1 --out hw/` does both). The
# same seed always gives the same numbers.

# %%
variant = make_variants("my-neuron.toml", seed=1)[0]
written = write_variant(variant, "hw")
print("written into hw/:", ", ".join(path.name for path in written))
display(Markdown(student_md(variant, picture=None)))

# %% [markdown]
# The learner fills in `hw/answers.toml` and runs `pytest` in the folder, or
# `chainrule grade hw/`. Filled with the key's numbers, it passes:

# %%
Path("hw/answers.toml").write_text(Path("hw/key.toml").read_text())
result = grade_file("hw/answers.toml")
print(result.earned, "of", result.possible, "marks; all right:", result.all_right)

# %% [markdown]
# ## Exercises
#
# 1. Change `[printed]` so that dout/dx reads "-0.1573". What does the check say now?
# 2. Write a file for the example on your own course's slides (or for notebook 01's
#    (x + y) · z, with the slide's "f = 12") and check every number it prints. When one
#    differs, is it a typo, a rounding, or a different formula?
# 3. Change w2 in the expression of part 1 so that f = 0.5 exactly. What are the
#    gradients then, and why is df/dw2 the largest it can be?
