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
# # 03 · The training loop: learning y = 2x + 1
#
# **Builds on:** the PyTorch lesson *RB109-02, neural network basics*: a 1-16-16-1 ReLU
# network learns y = 2x + 1 from 200 points on [-10, 10], with an 80/20 train/validation
# split, batches of 32, and the five steps per batch. Notebook 02 did those steps on one
# example; here they run over a data set.
#
# **You will see:** the data and the split, the model, one batch taken step by step
# (a weight's value and gradient after each of the five steps), training with a loss
# history plot, the prediction for x = 12, and the PyTorch lines next to ours.

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
import matplotlib.pyplot as plt

from chainrule import MLP, SGD, Adam, batches, fit, line_data, mse_loss, no_grad, train_val_split
from chainrule.notebook import setup_plots

setup_plots()  # small figures, each with a description for screen readers

# %% [markdown]
# ## 1. Data and split
#
# 200 evenly spaced points on [-10, 10] with y = 2x + 1, shuffled with a fixed seed
# and split 80/20 into training and validation sets.

# %%
xs, ys = line_data(n_points=200, low=-10.0, high=10.0)
print(len(xs), "points; the first three:")
for x, y in zip(xs[:3], ys[:3]):
    print(f"  x = {x:8.4f}   y = {y:8.4f}")

x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=0)
print(f"Train size: {len(x_train)}")
print(f"Val size: {len(x_val)}")

# %% [markdown]
# ## 2. The model
#
# x → Linear(1, 16) → ReLU → Linear(16, 16) → ReLU → Linear(16, 1) → ŷ. In chainrule
# that is one line. The state dict has the same shapes as PyTorch's `nn.Linear`.

# %%
model = MLP(1, [16, 16, 1], activation="relu", seed=0)
print(len(model.parameters()), "parameters")
for key, rows in model.state_dict().items():
    shape = f"{len(rows)} x {len(rows[0])}" if isinstance(rows[0], list) else f"{len(rows)}"
    print(f"{key:<16} {shape}")

# %% [markdown]
# ## 3. One batch, step by step
#
# | step | name | what it does | effect on weights and biases |
# | --- | --- | --- | --- |
# | 1 | forward pass | computes the predictions from the current weights | no change |
# | 2 | loss | measures how wrong they are (MSE) | no change |
# | 3 | `optimizer.zero_grad()` | clears the gradients left by the previous batch | no change |
# | 4 | `loss.backward()` | computes ∂L/∂w for every weight and bias | no change (fills `.grad`) |
# | 5 | `optimizer.step()` | w ← w - η ∂L/∂w | **the only step that changes them** |
#
# We follow one weight of the output layer. Plain SGD with η = 0.001 is used here so
# that step 5 can be checked against the rule by hand. A first batch is run through all
# five steps beforehand, so that there is an old gradient for step 3 to clear.

# %%
optimizer = SGD(model.parameters(), lr=0.001)
weight_name = "layers.2.neurons.0.w.1"
w = dict(model.named_parameters())[weight_name]
batch_iterator = batches(x_train, y_train, batch_size=32, shuffle=True, seed=0)

xb, yb = next(batch_iterator)  # the previous batch, all five steps
loss = mse_loss([model([x]) for x in xb], yb)
optimizer.zero_grad()
loss.backward()
optimizer.step()


def show(when):
    print(f"{when:<30} {weight_name} = {w.data:+.6f}   grad = {w.grad:+.6f}")


xb, yb = next(batch_iterator)  # this batch
show("left from the previous batch")

# %%
preds = [model([x]) for x in xb]  # 1. forward pass
show("1. forward pass")

# %%
loss = mse_loss(preds, yb)  # 2. loss
show("2. loss")
print(f"loss = {loss.data:.6f}")

# %%
optimizer.zero_grad()  # 3. clear old gradients
show("3. optimizer.zero_grad()")

# %%
loss.backward()  # 4. backpropagation
show("4. loss.backward()")
expected = w.data - 0.001 * w.grad

# %%
optimizer.step()  # 5. update
show("5. optimizer.step()")
print(f"w - lr * grad = {expected:+.6f}")

# %% [markdown]
# ## 4. Training
#
# `fit` repeats the five steps for every batch of every epoch and records the training
# and validation loss after each epoch. The optimizer is Adam (lr = 0.01), as in
# `chainrule train line`, starting from a fresh model.
#
# **Fewer epochs than the lesson:** the lesson trains for 300 epochs. Scalar Values are
# far slower than PyTorch tensors, so this notebook stops at 100 epochs to execute in a
# few seconds; `chainrule train line` runs all 300 (about 20 s) and gets closer still.

# %%
model = MLP(1, [16, 16, 1], activation="relu", seed=0)
optimizer = Adam(model.parameters(), lr=0.01)
history = fit(
    model, optimizer, x_train, y_train, x_val, y_val,
    epochs=100, batch_size=32, seed=0, progress=False,
)
for epoch in (1, 10, 50, 100):
    train, val = history.train_loss[epoch - 1], history.val_loss[epoch - 1]
    print(f"epoch {epoch:>3}: train loss {train:9.4f}   val loss {val:9.4f}")

# %%
plt.plot(history.train_loss, label="train loss")
plt.plot(history.val_loss, label="val loss")
plt.yscale("log")
plt.xlabel("epoch")
plt.ylabel("MSE loss")
plt.title("Learning History: y = 2x + 1")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# ## 5. Prediction for x = 12
#
# 12 lies outside the training range [-10, 10], so this is extrapolation: beyond the
# data a ReLU network continues along straight lines, so the error stays small but is
# larger than inside the range. (The lesson's comments say *x = 2* and *= 5*; its code
# uses x = 12, so the true value is 2 · 12 + 1 = 25.) The plot below shows the
# prediction error across and beyond the training range.

# %%
with no_grad():
    y_pred = model([12.0]).data
y_true = 2.0 * 12.0 + 1.0
abs_err = abs(y_pred - y_true)
pct_err = abs_err / abs(y_true) * 100.0

print("x = 12")
print(f"Predicted y: {y_pred:.6f}")
print(f"True y: {y_true:.6f}")
print(f"Abs error: {abs_err:.6f}")
print(f"% error: {pct_err:.4f}%")

# %%
grid = [-20 + 0.25 * k for k in range(161)]
with no_grad():
    errors = [model([x]).data - (2 * x + 1) for x in grid]
plt.plot(grid, errors, label="network - (2x + 1)")
plt.axvspan(-10, 10, color="0.9", label="training range")
plt.axvline(12, color="k", linestyle=":", label="x = 12")
plt.xlabel("x")
plt.ylabel("prediction error")
plt.legend()
plt.grid(True)
plt.show()

# %% [markdown]
# ## 6. The PyTorch lesson, line by line
#
# | PyTorch (the lesson) | chainrule |
# | --- | --- |
# | `torch.manual_seed(0)`, `np.random.seed(0)` | `seed=0` arguments |
# | `x = np.linspace(-10, 10, 200)`, `y = 2.0 * x + 1.0` | `xs, ys = line_data(200, -10.0, 10.0)` |
# | shuffle `idx`, first 80% train, rest validation | `train_val_split(xs, ys, val_fraction=0.2, seed=0)` |
# | `DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)` | `batches(x_train, y_train, batch_size=32, seed=...)` |
# | `nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))` | `MLP(1, [16, 16, 1], activation="relu")` |
# | `loss_fn = nn.MSELoss()` | `mse_loss` |
# | `optimizer = torch.optim.Adam(model.parameters(), lr=0.01)` | `optimizer = Adam(model.parameters(), lr=0.01)` |
# | `pred = model(xb)` | `preds = [model([x]) for x in xb]` |
# | `loss = loss_fn(pred, yb)` | `loss = mse_loss(preds, yb)` |
# | `optimizer.zero_grad()` | `optimizer.zero_grad()` |
# | `loss.backward()` | `loss.backward()` |
# | `optimizer.step()` | `optimizer.step()` |
# | `loss.item()` | `loss.data` |
# | `with torch.no_grad(): model(x_test).item()` | `with no_grad(): model([12.0]).data` |
# | the epoch loop recording `train_loss_hist`, `val_loss_hist` | `history = fit(...)`, `history.train_loss`, `history.val_loss` |
#
# The lesson's code never defines `optimizer`; a line like the one in the table is
# missing before its training loop.

# %% [markdown]
# ## Exercises
#
# 1. Write the epoch loop yourself with `batches`, and leave out
#    `optimizer.zero_grad()`. What happens to the gradients from batch to batch, and to
#    the loss?
# 2. Predict x = 100 with the trained model. Why is the error larger than at x = 12?
# 3. Train with `activation="tanh"` instead of ReLU. What does the network predict for
#    x = 12 now, and why (look at the plot beyond x = 10)?
