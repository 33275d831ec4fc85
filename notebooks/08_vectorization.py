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
# # 08 · Vectorization and efficiency: the same engine over arrays
#
# **Builds on:** the lesson's forward pass, "for each layer, the output a can be computed
# as a = f(Wx + b), where W is the weight matrix, x is the input vector, b is the bias
# vector and f is the activation function", and its last sentence: "In the next lesson, we
# will explore vectorization and efficiency techniques to speed up the training of neural
# networks." Notebooks 02 and 03 built that layer from one `Value` per weight.
#
# **You will see:** `a = f(Wx + b)` as two operations on a `Tensor`; the lesson's 1-16-16-1
# network trained with Values and with Tensors from the same weights, giving the same
# losses; the time an epoch takes against the batch size, for both engines and PyTorch;
# and the vectorized graph next to the scalar one, with its backward pass written as
# vector-Jacobian products.

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
import importlib.util
import time

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from chainrule import (
    MLP,
    Adam,
    Layer,
    Tensor,
    backward_steps,
    batches,
    draw_dot,
    fit,
    line_data,
    mse_loss,
    train_val_split,
)
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers

# %% [markdown]
# ## 1. a = f(Wx + b)
#
# A layer of 3 ReLU neurons reading 2 inputs. With Values it is 3 neurons, each a
# weighted sum of its own 2 weights: 3 `wsum` nodes and 3 `relu` nodes. With a `Tensor`,
# W is one 3 x 2 matrix and the layer is the lesson's formula, written as it stands.

# %%
W = Tensor([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]], "W", requires_grad=True)
b = Tensor([0.1, -0.2, 0.3], "b", requires_grad=True)
x = Tensor([1.0, 2.0], "x")

a = (W @ x + b).relu()  # a = f(Wx + b), f = ReLU
print("Wx + b =", (W @ x + b).data)  # [0.5 - 2 + 0.1, 2 + 0.5 - 0.2, -0.75 + 3 + 0.3]
print("a      =", a.data)

layer = Layer(2, 3, weights=W.data.tolist(), biases=b.data.tolist())  # the same, with Values
print("Layer  =", [v.data for v in layer([1.0, 2.0])])

# %% [markdown]
# Backward works the same way: the gradient of each matrix has the matrix's shape. For
# L = sum(a), dL/da is 1 where a neuron is active and the ReLU passes it on, so
# dL/dW = (dL/dz) x^T: row j is x where neuron j is active, zeros where it is not.

# %%
a.sum().backward()
print("dL/dW =")
print(W.grad)
print("dL/db =", b.grad)

# %% [markdown]
# ## 2. The same network, trained both ways
#
# `MLP.vectorized()` gives the lesson's network as `Sequential(Linear(1, 16), ReLU(),
# Linear(16, 16), ReLU(), Linear(16, 1))`, with the MLP's weights copied: the same network,
# a matrix per layer instead of a Value per weight. A `Linear` is one operation, the
# layer's z = x @ W^T + b for a whole batch of rows (PyTorch's `linear`). `fit` takes
# NumPy arrays and feeds the Tensor model a whole batch per call; the batches come in the
# same order as for the lists. Both start from the same weights, see the same batches and
# use Adam.

# %%
xs, ys = line_data(n_points=200, low=-10.0, high=10.0)
x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=0)

scalar = MLP(1, [16, 16, 1], seed=0)
vector = scalar.vectorized()
print(vector)

epochs = 5
h_scalar = fit(scalar, Adam(scalar.parameters(), lr=0.01), x_train, y_train, x_val, y_val,
               epochs=epochs, progress=False)  # fmt: skip
h_vector = fit(vector, Adam(vector.parameters(), lr=0.01), np.array(x_train),
               np.array(y_train), np.array(x_val), np.array(y_val), epochs=epochs,
               progress=False)  # fmt: skip
print("epoch   train (Values)   train (Tensors)   val (Values)   val (Tensors)")
for k in range(epochs):
    print(f"{k + 1:>5}   {h_scalar.train_loss[k]:14.8f}   {h_vector.train_loss[k]:15.8f}"
          f"   {h_scalar.val_loss[k]:12.8f}   {h_vector.val_loss[k]:13.8f}")  # fmt: skip
gap = max(abs(p - q) / q for p, q in zip(h_vector.train_loss, h_scalar.train_loss))
print("largest relative difference between the two train losses < 1e-12:", gap < 1e-12)

# %% [markdown]
# The sums are added in a different order (a matrix product against a Python loop), so
# the last of the 16 digits may differ; everything a learner would print agrees.

# %% [markdown]
# ## 3. Time per epoch against the batch size
#
# One epoch is the 160 training points. With batches of 1 there are 160 steps per epoch,
# with 32 there are 5, with 160 there is one. The scalar engine's work grows with the
# number of Values, whatever the batch size; the vectorized engine pays a fixed cost per
# operation, so larger batches cost it almost nothing more. PyTorch (when installed; one
# thread, float32 as in the lesson) pays more per operation than NumPy does. Each figure
# is the best of three epochs: timings move with the machine's load.

# %%
x_array, y_array = np.array(x_train).reshape(-1, 1), np.array(y_train).reshape(-1, 1)


def epoch_seconds(run_epoch, repeats=3):
    best = float("inf")
    for k in range(repeats):
        start = time.perf_counter()
        run_epoch(k)
        best = min(best, time.perf_counter() - start)
    return best


def scalar_epoch(batch_size):
    model = MLP(1, [16, 16, 1], seed=0)
    optimizer = Adam(model.parameters(), lr=0.01)

    def run(k):
        for xb, yb in batches(x_train, y_train, batch_size, seed=k):
            loss = mse_loss([model([x]) for x in xb], yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch_seconds(run)


def vector_epoch(batch_size):
    model = MLP(1, [16, 16, 1], seed=0).vectorized()
    optimizer = Adam(model.parameters(), lr=0.01)

    def run(k):
        for xb, yb in batches(x_array, y_array, batch_size, seed=k):
            loss = mse_loss(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch_seconds(run)


def torch_epoch(batch_size):
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(1, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16),
                                torch.nn.ReLU(), torch.nn.Linear(16, 1))  # fmt: skip
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    x, y = torch.tensor(x_array, dtype=torch.float32), torch.tensor(y_array, dtype=torch.float32)

    def run(k):
        for start in range(0, len(x), batch_size):
            loss = loss_fn(model(x[start : start + batch_size]), y[start : start + batch_size])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return epoch_seconds(run)


engines = {"Values (scalar)": scalar_epoch, "Tensors (vectorized)": vector_epoch}
if importlib.util.find_spec("torch") is not None:
    engines["PyTorch"] = torch_epoch
sizes = [1, 32, 160]
timings = {name: [run(size) for size in sizes] for name, run in engines.items()}
for name, seconds in timings.items():
    print(f"{name:<21}", "   ".join(f"batch {n}: {s * 1000:.2f} ms" for n, s in zip(sizes, seconds)))

# %%
fig, ax = plt.subplots()
width = 0.8 / len(timings)
for k, (name, seconds) in enumerate(timings.items()):
    ax.bar([i + k * width for i in range(len(sizes))], [s * 1000 for s in seconds], width,
           label=name)  # fmt: skip
ax.set_xticks([i + width * (len(timings) - 1) / 2 for i in range(len(sizes))], [str(n) for n in sizes])
ax.set_yscale("log")
ax.set_xlabel("batch size")
ax.set_ylabel("milliseconds per epoch")
ax.set_title("Time per epoch of the 1-16-16-1 network")
ax.legend()
plt.show()

# %% [markdown]
# Read the bars by batch size. At batch size 1 every engine runs 160 small steps, and what
# counts is the fixed cost of each operation: a Python object per Value for the scalar
# engine, a NumPy call per operation for the vectorized one, a dispatch through PyTorch's
# C++ for PyTorch. From batch size 32 on, the vectorized engine does a whole batch in the
# time the scalar engine spends on one sample.

# %% [markdown]
# ## 4. The vectorized graph next to the scalar one
#
# A smaller network, 1-2-2-1, on a batch of 2 points, so that both graphs fit on the
# page. The scalar graph has a node per weight, per neuron and per sample; the vectorized
# one has a node per operation on a whole matrix, whatever the sizes: for the lesson's
# 1-16-16-1 on a batch of 32 it is the same 16 tensors and 8 operations.

# %%
small = MLP(1, [2, 2, 1], seed=3)
xb, yb = [1.0, -2.0], [3.0, -3.0]
scalar_loss = mse_loss([small([x]) for x in xb], yb)
scalar_loss.backward()
scalar_graph = draw_dot(scalar_loss, decimals=3)
print(f"scalar graph: {scalar_graph.n_values} Values, {scalar_graph.n_operations} operations")
display(scalar_graph)

# %%
twin = small.vectorized()
vector_loss = mse_loss(twin(Tensor(np.array(xb).reshape(-1, 1), "x")), Tensor(np.array(yb).reshape(-1, 1), "y"))
vector_loss.backward()
vector_graph = draw_dot(vector_loss, rankdir="TB")
print(f"vectorized graph: {vector_graph.n_values} tensors, {vector_graph.n_operations} operations")
print("the same loss:", round(vector_loss.item(), 12) == round(scalar_loss.data, 12))
display(vector_graph)

# %% [markdown]
# Its backward pass, one step per edge: each step is the operation's vector-Jacobian
# product, the matrix form of "local derivative times upstream gradient". The one for a
# weight matrix is the lesson's dL/dW: the upstream gradient, transposed, times the
# layer's input (dL/dz^T @ x: the lesson's (dL/dz) x^T, for a batch with one row per
# sample, as the layer computes z = x @ W^T + b).

# %%
twin.zero_grad()
for step in backward_steps(vector_loss):
    print(step.number, step)

# %% [markdown]
# `step_through(vector_loss)` plays the same pass on the graph, one step at a time, as
# notebooks 01 and 02 do for Values.

# %% [markdown]
# ## Exercises
#
# 1. Time `vector_epoch` at batch sizes 1, 4, 16, 64 and 160. Where does the time per
#    epoch stop falling, and why (count the steps per epoch)?
# 2. Build `Sequential(Linear(1, 16), Tanh(), Linear(16, 1))` and train it on the line with
#    `fit` and arrays. Compare its loss with the ReLU network's after 50 epochs.
# 3. In the backward steps above, find the step for `0.weight`. Write out its shape rule:
#    why is dL/dW (2 x 1) the product of dL/dz1^T (2 x 2) and x (2 x 1)?
# 4. Change the batch to 3 points. Which boxes of the vectorized graph change shape, and
#    which do not?
