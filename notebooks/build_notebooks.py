"""Write (and optionally execute) the worked-example notebooks from one readable source.

Each notebook is a list of markdown and code cells below. Running this script writes
notebooks/NN_name.ipynb with nbformat; `--execute` then runs each one with nbclient
(kernel python3, cwd notebooks/) and saves it with its outputs, which is how the committed
notebooks are made. Cell ids are fixed and timing is not recorded, so regenerating the
notebooks with unchanged code gives unchanged files.

    .venv/bin/python notebooks/build_notebooks.py --execute          # all notebooks
    .venv/bin/python notebooks/build_notebooks.py --execute 03_     # the ones matching 03_
"""

from __future__ import annotations

import argparse
import sys
import textwrap
import time
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode

HERE = Path(__file__).resolve().parent

Cell = tuple[str, str]  # ("md" | "code", source)


def md(source: str) -> Cell:
    return ("md", textwrap.dedent(source).strip("\n"))


def code(source: str) -> Cell:
    return ("code", textwrap.dedent(source).strip("\n"))


# Every notebook starts with this cell: small PNG figures, so the notebooks stay small.
PLOT_SETUP = code(
    """
    %matplotlib inline
    import matplotlib.pyplot as plt

    plt.rcParams.update({"figure.figsize": (6, 3.5), "figure.dpi": 80, "savefig.dpi": 80})
    """
)


# --------------------------------------------------------------------------------------
# 01: f = (x + y) * z
# --------------------------------------------------------------------------------------

CHAIN_RULE_XYZ = [
    md(
        """
        # 01 · The chain rule on f = (x + y) · z

        **Builds on:** the slides' *Backpropagation: a simple example*:
        f(x, y, z) = (x + y) · z at x = -2, y = 5, z = -4, with the intermediate
        q = x + y. Here chainrule's `Value` does the same arithmetic, records the graph,
        and runs the backward pass, first all at once and then one chain-rule step at a time.

        **You will see:** the forward values, the graph before and after `backward()`,
        every step as *upstream × local = downstream*, a picture of each step, a numerical
        check of the gradients, and why the slide's f = 12 should read f = -12.
        """
    ),
    PLOT_SETUP,
    code(
        """
        from IPython.display import display

        from autograd import Value, backward_steps, draw_dot, gradcheck, numerical_grad
        """
    ),
    md(
        """
        ## 1. Forward pass

        Every arithmetic operation on Values makes a new Value that remembers the operation
        (`op`) and its operands (`inputs`). That record is the graph backward walks later.
        """
    ),
    code(
        """
        x = Value(-2.0, label="x")
        y = Value(5.0, label="y")
        z = Value(-4.0, label="z")

        q = x + y
        q.label = "q"
        f = q * z
        f.label = "f"

        print(f"q = x + y = {x.data:g} + {y.data:g} = {q.data:g}")
        print(f"f = q * z = {q.data:g} * {z.data:g} = {f.data:g}")
        print(f"f.op = {str(f.op)!r}, f.inputs = {[v.label for v in f.inputs]}")
        """
    ),
    md(
        """
        ## 2. The graph before backward

        Each box is a Value (its label and data); each oval is the operation that produced
        the Value to its right. `show_grad=False` leaves the gradients out: none has been
        computed yet.
        """
    ),
    code("draw_dot(f, show_grad=False)"),
    md(
        """
        ## 3. Backward

        `f.backward()` sets df/df = 1 and walks the graph from f back to the leaves. The
        slides do the same by hand:

        * f = q · z, so df/dz = q = 3 and df/dq = z = -4 (the *base case*);
        * q = x + y, so dq/dx = dq/dy = 1, and by the chain rule
          df/dx = df/dq · dq/dx = -4 · 1 = -4, and likewise df/dy = -4.
        """
    ),
    code(
        """
        f.backward()
        for v in (f, q, x, y, z):
            print(f"{v.label}.grad = {v.grad:g}   (df/d{v.label})")
        """
    ),
    md("The same graph with the gradients filled in:"),
    code("draw_dot(f)"),
    md(
        """
        ## 4. One chain-rule step at a time

        `backward_steps(f)` performs the same pass as `f.backward()` but pauses after every
        application of the chain rule. Each step passes a node's gradient (*upstream*) to one
        of its inputs, multiplied by the derivative of the node with respect to that input
        (*local*); the product (*downstream*) is added to the input's `.grad`.

        `backward()` **adds** into the leaves' gradients (that is how a Value used twice gets
        both shares), so the leaves are zeroed first; otherwise this second pass would double
        them.
        """
    ),
    code(
        """
        for leaf in (x, y, z):
            leaf.grad = 0.0

        header = ("step", "node", "input", "upstream", "local")
        print("{:>4}  {:>4} -> {:<5} {:>8} x {:>5} = downstream".format(*header))
        for step in backward_steps(f):
            root, node, input_name = step.names
            print(
                f"{step.index:>4}  {node:>4} -> {input_name:<5} {step.upstream:>8g} x "
                f"{step.local:>5g} = {step.contribution:g}"
            )
        print()
        print(f"after the steps: x.grad = {x.grad:g}, y.grad = {y.grad:g}, z.grad = {z.grad:g}")
        """
    ),
    md(
        """
        Each step also prints itself the way the slides write it:
        """
    ),
    code(
        """
        for leaf in (x, y, z):
            leaf.grad = 0.0
        for step in backward_steps(f):
            print(step)
        """
    ),
    md(
        """
        ## 5. A picture of each step

        `draw_dot(f, step=step)` highlights the edge the gradient flows along in that step.
        The pictures are drawn while the pass is paused, so each shows the gradients known
        at that moment: the inputs fill in one by one, from f back to x and y.
        """
    ),
    code(
        """
        for leaf in (x, y, z):
            leaf.grad = 0.0
        for step in backward_steps(f):
            print(step)
            display(draw_dot(f, step=step))
        """
    ),
    md(
        """
        ## 6. A numerical check

        A derivative is the limit of (f(x + ε) - f(x - ε)) / 2ε. `numerical_grad`
        computes that for each input with a small ε; `gradcheck` compares it with
        `backward()` and raises an error naming any input that disagrees.
        """
    ),
    code(
        """
        def f_of(x, y, z):
            return (x + y) * z


        numeric = numerical_grad(f_of, [x, y, z])
        print("central differences:", [round(g, 6) for g in numeric])
        print("backward():         ", [x.grad, y.grad, z.grad])
        print("gradcheck:", gradcheck(f_of, [x, y, z]))
        """
    ),
    md(
        """
        What the gradient means: nudging x up by 0.001 changes f by about
        df/dx · 0.001 = -0.004.
        """
    ),
    code(
        """
        nudged = f_of(Value(-2.0 + 0.001), Value(5.0), Value(-4.0))
        print(f"f(x + 0.001) - f(x) = {nudged.data - f.data:.6f}")
        """
    ),
    md(
        """
        ## 7. The slide's sign typo

        The slide writes *f = q.z = 3 * -4 = 12*. A positive number times a negative number
        is negative: **f = -12**. Only the printed value of f lost its minus sign; the
        gradients on the following slides (df/dq = -4, df/dz = 3, df/dx = df/dy = -4) do not
        depend on f's value and are right, as the checks above confirm.
        """
    ),
    code(
        """
        print("3 * -4 =", 3 * -4)
        print(f"f.data = {f.data:g}")
        """
    ),
    md(
        """
        ## Exercises

        1. Change z to +4. Before running anything, predict every gradient; then check with
           `backward()`.
        2. Build g = x * y + y * z, where y is used twice. Use `backward_steps` to find the
           two steps that add into `y.grad`, and check that y.grad is their sum (x + z).
        3. Replace `+` by `-` in q. Which gradients change sign? Confirm with `gradcheck`.

        From a terminal, `chainrule example xyz --steps` prints this example's values and
        backward steps.
        """
    ),
]


# --------------------------------------------------------------------------------------
# 02: the 2-2-2 sigmoid network
# --------------------------------------------------------------------------------------

BACKPROP_2_2_2 = [
    md(
        """
        # 02 · Backpropagation through the 2-2-2 sigmoid network

        **Builds on:** notebook 01 (the chain rule on one multiplication) and the slides'
        *More complicated example*: two inputs, two sigmoid hidden neurons, two sigmoid
        outputs, squared error.

        | given | values |
        | --- | --- |
        | inputs | i1 = 0.05, i2 = 0.10 |
        | input → hidden weights | w1 = 0.15, w2 = 0.20 (into h1), w3 = 0.25, w4 = 0.30 (into h2) |
        | hidden bias | b1 = 0.35, **one** bias shared by h1 and h2 |
        | hidden → output weights | w5 = 0.40, w6 = 0.45 (into o1), w7 = 0.50, w8 = 0.55 (into o2) |
        | output bias | b2 = 0.60, shared by o1 and o2 |
        | targets | 0.01 for o1, 0.99 for o2 |

        **You will see:** every number the slides print (to 9 decimals), the chain rule for
        w5 written out and checked against `backward()`, the same network built with
        `nn.Layer`, one gradient-descent update (learning rate 0.5), and the error falling
        as training repeats it.
        """
    ),
    PLOT_SETUP,
    code(
        """
        from autograd import Value, backward_steps, draw_dot, weighted_sum
        from nn import SGD, Layer, sum_squared_error
        """
    ),
    md(
        """
        ## 1. Forward pass, from Values

        A neuron computes net = Σ w·i + b, then out = σ(net). `weighted_sum` makes that sum
        one node (`w1 * i1 + w2 * i2 + b1` gives the same number with more nodes). The error
        of an output is E = ½ (out - target)², and E_total = E_o1 + E_o2.
        """
    ),
    code(
        """
        i1, i2 = Value(0.05, "i1"), Value(0.10, "i2")
        w1, w2, w3, w4 = Value(0.15, "w1"), Value(0.20, "w2"), Value(0.25, "w3"), Value(0.30, "w4")
        w5, w6, w7, w8 = Value(0.40, "w5"), Value(0.45, "w6"), Value(0.50, "w7"), Value(0.55, "w8")
        b1, b2 = Value(0.35, "b1"), Value(0.60, "b2")
        target_o1, target_o2 = 0.01, 0.99


        def named(value, label):
            value.label = label
            return value
        """
    ),
    code(
        """
        net_h1 = named(weighted_sum([w1, w2], [i1, i2], b1), "net_h1")
        net_h2 = named(weighted_sum([w3, w4], [i1, i2], b1), "net_h2")
        out_h1 = named(net_h1.sigmoid(), "out_h1")
        out_h2 = named(net_h2.sigmoid(), "out_h2")

        net_o1 = named(weighted_sum([w5, w6], [out_h1, out_h2], b2), "net_o1")
        net_o2 = named(weighted_sum([w7, w8], [out_h1, out_h2], b2), "net_o2")
        out_o1 = named(net_o1.sigmoid(), "out_o1")
        out_o2 = named(net_o2.sigmoid(), "out_o2")

        E_o1 = named(0.5 * (out_o1 - target_o1) ** 2, "E_o1")
        E_o2 = named(0.5 * (out_o2 - target_o2) ** 2, "E_o2")
        E_total = named(E_o1 + E_o2, "E_total")

        for v in (net_h1, out_h1, net_h2, out_h2, net_o1, out_o1, net_o2, out_o2):
            print(f"{v.label:>7} = {v.data:.9f}")
        print()
        for v in (E_o1, E_o2, E_total):
            print(f"{v.label:>7} = {v.data:.9f}")
        """
    ),
    md(
        """
        These are the slides' numbers: net_h1 = 0.3775, out_h1 = 0.593269992,
        out_h2 = 0.596884378, net_o1 = 1.105905967, out_o1 = 0.75136507,
        out_o2 = 0.772928465, E_o1 = 0.274811083, E_o2 = 0.023560026 and
        E_total = 0.298371109.

        The whole computation as a graph (before backward):
        """
    ),
    code("draw_dot(E_total, show_grad=False)"),
    md(
        """
        ## 2. Backward, and the chain rule for w5

        The slides follow w5's influence along E_total → out_o1 → net_o1 → w5:

        ∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5

        | factor | formula | value |
        | --- | --- | --- |
        | ∂E_total/∂out_o1 | out_o1 - target_o1 | 0.74136507 |
        | ∂out_o1/∂net_o1 | out_o1 (1 - out_o1), the sigmoid's derivative | 0.186815602 |
        | ∂net_o1/∂w5 | out_h1 | 0.593269992 |
        | product | | 0.082167041 |

        First the slide's formulas by hand, then `backward()`:
        """
    ),
    code(
        """
        d_E_d_out = out_o1.data - target_o1
        d_out_d_net = out_o1.data * (1 - out_o1.data)
        d_net_d_w5 = out_h1.data
        by_hand = d_E_d_out * d_out_d_net * d_net_d_w5
        print(f"dE_total/dout_o1 = {d_E_d_out:.9f}")
        print(f"dout_o1/dnet_o1  = {d_out_d_net:.9f}")
        print(f"dnet_o1/dw5      = {d_net_d_w5:.9f}")
        print(f"dE_total/dw5     = {by_hand:.9f}  (product, by hand)")
        """
    ),
    code(
        """
        E_total.backward()
        print(f"w5.grad          = {w5.grad:.9f}  (backward)")
        print("agree:", abs(w5.grad - by_hand) < 1e-12)
        """
    ),
    md(
        """
        The three factors are in the backward pass too. After `backward()` every
        intermediate node holds dE_total/d(node), so `out_o1.grad` is the first factor; the
        local derivatives are in the steps of `backward_steps`. (Leaves are zeroed first:
        backward adds into them.)
        """
    ),
    code(
        """
        leaves = (i1, i2, w1, w2, w3, w4, w5, w6, w7, w8, b1, b2)
        for leaf in leaves:
            leaf.grad = 0.0
        steps = {(step.node, step.input): step for step in backward_steps(E_total)}

        print(steps[(out_o1, net_o1)])
        print(steps[(net_o1, w5)])
        print()
        print(f"dE_total/dout_o1 = out_o1.grad = {out_o1.grad:.9f}")
        print(f"dout_o1/dnet_o1  = local       = {steps[(out_o1, net_o1)].local:.9f}")
        print(f"dnet_o1/dw5      = local       = {steps[(net_o1, w5)].local:.9f}")
        print(f"dE_total/dw5     = w5.grad     = {w5.grad:.9f}")
        """
    ),
    md("Every gradient, for reference:"),
    code(
        """
        for leaf in (w1, w2, w3, w4, w5, w6, w7, w8, b1, b2):
            print(f"dE_total/d{leaf.label} = {leaf.grad:+.9f}")
        """
    ),
    md(
        """
        b1 feeds both hidden neurons, so its gradient is the sum of the two shares, one
        through h1 and one through h2; the same holds for b2. This is the `+=` in the chain
        rule at work.

        ## 3. The same network with `nn.Layer`

        A `Layer` takes its starting weights as rows (row j feeds neuron j). To share one
        bias between both neurons, as the slides do, pass the **same Value** twice: a Value
        given to a layer is shared, not copied.
        """
    ),
    code(
        """
        b1 = Value(0.35, "b1")
        b2 = Value(0.60, "b2")
        hidden = Layer(2, 2, "sigmoid", weights=[[0.15, 0.20], [0.25, 0.30]], biases=[b1, b1])
        output = Layer(2, 2, "sigmoid", weights=[[0.40, 0.45], [0.50, 0.55]], biases=[b2, b2])

        outputs = output(hidden([0.05, 0.10]))
        E_total = sum_squared_error(outputs, [0.01, 0.99])

        print(f"shared: {hidden.neurons[0].b is hidden.neurons[1].b}")
        print(f"out_o1  = {outputs[0].data:.9f}")
        print(f"out_o2  = {outputs[1].data:.9f}")
        print(f"E_total = {E_total.data:.9f}")
        """
    ),
    code(
        """
        E_total.backward()
        w5 = output.neurons[0].w[0]
        print(f"dE_total/dw5 = {w5.grad:.9f}")
        print(f"dE_total/db1 = {b1.grad:.9f}")
        """
    ),
    md(
        """
        ## 4. One gradient-descent update

        The slides' update rule is w5_new = w5 - α · ∂E_total/∂w5 with α = 0.5:
        0.40 - 0.5 · 0.082167041 = 0.35891648. `SGD(params, lr=0.5).step()` applies that rule
        to every parameter at once, all using the gradients of the old weights.

        `parameters()` lists a shared Value once (b1 feeds two neurons but is one number
        to learn), so each bias is updated once: a layer has 4 weights and 1 bias here.
        """
    ),
    code(
        """
        params = hidden.parameters() + output.parameters()
        print(f"{len(hidden.parameters())} + {len(output.parameters())} = {len(params)} parameters")

        optimizer = SGD(params, lr=0.5)
        optimizer.step()

        names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8"]
        weights = [w for neuron in hidden.neurons + output.neurons for w in neuron.w]
        for name, w in zip(names, weights):
            print(f"{name} -> {w.data:.9f}")
        print(f"b1 -> {b1.data:.9f}")
        print(f"b2 -> {b2.data:.9f}")
        """
    ),
    code(
        """
        before = E_total.data
        after = sum_squared_error(output(hidden([0.05, 0.10])), [0.01, 0.99]).data
        print(f"E_total before the update = {before:.9f}")
        print(f"E_total after the update  = {after:.9f}")
        """
    ),
    md(
        """
        ## 5. Training: repeat the update

        The five steps of every training loop: forward, loss, zero the gradients, backward,
        update, here 10,000 times on this one example (under a second). The error keeps
        falling towards zero and the outputs approach their targets.
        """
    ),
    code(
        """
        error_history = []
        for iteration in range(10_000):
            outputs = output(hidden([0.05, 0.10]))  # 1. forward
            E_total = sum_squared_error(outputs, [0.01, 0.99])  # 2. loss
            optimizer.zero_grad()  # 3. clear old gradients
            E_total.backward()  # 4. backward
            optimizer.step()  # 5. update
            error_history.append(E_total.data)

        outputs = output(hidden([0.05, 0.10]))
        E_total = sum_squared_error(outputs, [0.01, 0.99])
        print(f"E_total before these updates: {error_history[0]:.9f}")
        print(f"E_total after 10000 updates:  {E_total.data:.9f}")
        print(f"out_o1 = {outputs[0].data:.6f} (target 0.01)")
        print(f"out_o2 = {outputs[1].data:.6f} (target 0.99)")
        """
    ),
    code(
        """
        plt.plot(range(1, len(error_history) + 1), error_history)
        plt.yscale("log")
        plt.xlabel("update")
        plt.ylabel("E_total")
        plt.title("2-2-2 network, SGD lr = 0.5")
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        ## Exercises

        1. Write out ∂E_total/∂w1 by the chain rule. w1 reaches the error through both
           outputs (h1 → o1 and h1 → o2); check your number against `w1.grad` from part 2.
        2. Give each hidden neuron its own bias (`biases=[0.35, 0.35]`). How do the two bias
           gradients compare with the shared b1's gradient?
        3. Train with lr = 0.1 and lr = 5. How does the curve change? Is there a learning
           rate at which the error stops falling?

        From a terminal, `chainrule example 2-2-2` prints this example's values, gradients
        and updated weights.
        """
    ),
]


# --------------------------------------------------------------------------------------
# 03: the PyTorch lesson's training loop, y = 2x + 1
# --------------------------------------------------------------------------------------

TRAINING_LOOP = [
    md(
        """
        # 03 · The training loop: learning y = 2x + 1

        **Builds on:** the PyTorch lesson *RB109-02, neural network basics*: a 1-16-16-1 ReLU
        network learns y = 2x + 1 from 200 points on [-10, 10], with an 80/20 train/validation
        split, batches of 32, and the five steps per batch. Notebook 02 did those steps on one
        example; here they run over a data set.

        **You will see:** the data and the split, the model, one batch taken step by step
        (a weight's value and gradient after each of the five steps), training with a loss
        history plot, the prediction for x = 12, and the PyTorch lines next to ours.
        """
    ),
    PLOT_SETUP,
    code(
        """
        from autograd import no_grad
        from nn import MLP, SGD, Adam, batches, fit, line_data, mse_loss, train_val_split
        """
    ),
    md(
        """
        ## 1. Data and split

        200 evenly spaced points on [-10, 10] with y = 2x + 1, shuffled with a fixed seed
        and split 80/20 into training and validation sets.
        """
    ),
    code(
        """
        xs, ys = line_data(n_points=200, low=-10.0, high=10.0)
        print(len(xs), "points; the first three:")
        for x, y in zip(xs[:3], ys[:3]):
            print(f"  x = {x:8.4f}   y = {y:8.4f}")

        x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=0)
        print(f"Train size: {len(x_train)}")
        print(f"Val size: {len(x_val)}")
        """
    ),
    md(
        """
        ## 2. The model

        x → Linear(1, 16) → ReLU → Linear(16, 16) → ReLU → Linear(16, 1) → ŷ. In chainrule
        that is one line. The state dict has the same shapes as PyTorch's `nn.Linear`.
        """
    ),
    code(
        """
        model = MLP(1, [16, 16, 1], activation="relu", seed=0)
        print(len(model.parameters()), "parameters")
        for key, rows in model.state_dict().items():
            shape = f"{len(rows)} x {len(rows[0])}" if isinstance(rows[0], list) else f"{len(rows)}"
            print(f"{key:<16} {shape}")
        """
    ),
    md(
        """
        ## 3. One batch, step by step

        | step | name | what it does | effect on weights and biases |
        | --- | --- | --- | --- |
        | 1 | forward pass | computes the predictions from the current weights | no change |
        | 2 | loss | measures how wrong they are (MSE) | no change |
        | 3 | `optimizer.zero_grad()` | clears the gradients left by the previous batch | no change |
        | 4 | `loss.backward()` | computes ∂L/∂w for every weight and bias | no change (fills `.grad`) |
        | 5 | `optimizer.step()` | w ← w - η ∂L/∂w | **the only step that changes them** |

        We follow one weight of the output layer. Plain SGD with η = 0.001 is used here so
        that step 5 can be checked against the rule by hand. A first batch is run through all
        five steps beforehand, so that there is an old gradient for step 3 to clear.
        """
    ),
    code(
        """
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
        """
    ),
    code(
        """
        preds = [model([x]) for x in xb]  # 1. forward pass
        show("1. forward pass")
        """
    ),
    code(
        """
        loss = mse_loss(preds, yb)  # 2. loss
        show("2. loss")
        print(f"loss = {loss.data:.6f}")
        """
    ),
    code(
        """
        optimizer.zero_grad()  # 3. clear old gradients
        show("3. optimizer.zero_grad()")
        """
    ),
    code(
        """
        loss.backward()  # 4. backpropagation
        show("4. loss.backward()")
        expected = w.data - 0.001 * w.grad
        """
    ),
    code(
        """
        optimizer.step()  # 5. update
        show("5. optimizer.step()")
        print(f"w - lr * grad = {expected:+.6f}")
        """
    ),
    md(
        """
        ## 4. Training

        `fit` repeats the five steps for every batch of every epoch and records the training
        and validation loss after each epoch. The optimizer is Adam (lr = 0.01), as in
        `chainrule train line`, starting from a fresh model.

        **Fewer epochs than the lesson:** the lesson trains for 300 epochs. Scalar Values are
        far slower than PyTorch tensors, so this notebook stops at 100 epochs to execute in a
        few seconds; `chainrule train line` runs all 300 (about 20 s) and gets closer still.
        """
    ),
    code(
        """
        model = MLP(1, [16, 16, 1], activation="relu", seed=0)
        optimizer = Adam(model.parameters(), lr=0.01)
        history = fit(
            model, optimizer, x_train, y_train, x_val, y_val,
            epochs=100, batch_size=32, seed=0, progress=False,
        )
        for epoch in (1, 10, 50, 100):
            train, val = history.train_loss[epoch - 1], history.val_loss[epoch - 1]
            print(f"epoch {epoch:>3}: train loss {train:9.4f}   val loss {val:9.4f}")
        """
    ),
    code(
        """
        plt.plot(history.train_loss, label="train loss")
        plt.plot(history.val_loss, label="val loss")
        plt.yscale("log")
        plt.xlabel("epoch")
        plt.ylabel("MSE loss")
        plt.title("Learning History: y = 2x + 1")
        plt.legend()
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        ## 5. Prediction for x = 12

        12 lies outside the training range [-10, 10], so this is extrapolation: beyond the
        data a ReLU network continues along straight lines, so the error stays small but is
        larger than inside the range. (The lesson's comments say *x = 2* and *= 5*; its code
        uses x = 12, so the true value is 2 · 12 + 1 = 25.) The plot below shows the
        prediction error across and beyond the training range.
        """
    ),
    code(
        """
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
        """
    ),
    code(
        """
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
        """
    ),
    md(
        """
        ## 6. The PyTorch lesson, line by line

        | PyTorch (the lesson) | chainrule |
        | --- | --- |
        | `torch.manual_seed(0)`, `np.random.seed(0)` | `seed=0` arguments |
        | `x = np.linspace(-10, 10, 200)`, `y = 2.0 * x + 1.0` | `xs, ys = line_data(200, -10.0, 10.0)` |
        | shuffle `idx`, first 80% train, rest validation | `train_val_split(xs, ys, val_fraction=0.2, seed=0)` |
        | `DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)` | `batches(x_train, y_train, batch_size=32, seed=...)` |
        | `nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1))` | `MLP(1, [16, 16, 1], activation="relu")` |
        | `loss_fn = nn.MSELoss()` | `mse_loss` |
        | `optimizer = torch.optim.Adam(model.parameters(), lr=0.01)` | `optimizer = Adam(model.parameters(), lr=0.01)` |
        | `pred = model(xb)` | `preds = [model([x]) for x in xb]` |
        | `loss = loss_fn(pred, yb)` | `loss = mse_loss(preds, yb)` |
        | `optimizer.zero_grad()` | `optimizer.zero_grad()` |
        | `loss.backward()` | `loss.backward()` |
        | `optimizer.step()` | `optimizer.step()` |
        | `loss.item()` | `loss.data` |
        | `with torch.no_grad(): model(x_test).item()` | `with no_grad(): model([12.0]).data` |
        | the epoch loop recording `train_loss_hist`, `val_loss_hist` | `history = fit(...)`, `history.train_loss`, `history.val_loss` |

        The lesson's code never defines `optimizer`; a line like the one in the table is
        missing before its training loop.
        """
    ),
    md(
        """
        ## Exercises

        1. Write the epoch loop yourself with `batches`, and leave out
           `optimizer.zero_grad()`. What happens to the gradients from batch to batch, and to
           the loss?
        2. Predict x = 100 with the trained model. Why is the error larger than at x = 12?
        3. Train with `activation="tanh"` instead of ReLU. What does the network predict for
           x = 12 now, and why (look at the plot beyond x = 10)?
        """
    ),
]


# --------------------------------------------------------------------------------------
# 04: gradient-descent variants, learning rates, optimizers
# --------------------------------------------------------------------------------------

GRADIENT_DESCENT = [
    md(
        """
        # 04 · Gradient descent: batch sizes, learning rates, optimizers

        **Builds on:** notebook 03 (the training loop, `fit`) and the course tables:

        | variant | examples per update |
        | --- | --- |
        | batch gradient descent | all N |
        | stochastic gradient descent | 1 |
        | mini-batch gradient descent | a subset, typically 32-256 |

        To see the optimizers rather than the network, the model here is the smallest one that
        can learn y = 2x + 1 exactly: one linear neuron, ŷ = w·x + b (`MLP(1, [1])`). Every
        run starts from the same weights (`seed=0`) and sees the same data.

        **You will see:** the three variants, a learning rate that is too small, one that is
        right and one that is too large (training diverges and `fit` says so), and SGD,
        momentum, RMSprop and Adam on one plot.
        """
    ),
    PLOT_SETUP,
    code(
        """
        import math

        from nn import MLP, SGD, Adam, RMSprop, TrainingDiverged, fit, line_data, train_val_split

        xs, ys = line_data(n_points=200, low=-10.0, high=10.0)
        x_train, y_train, x_val, y_val = train_val_split(xs, ys, val_fraction=0.2, seed=0)
        N = len(x_train)


        def weights(model):
            neuron = model.layers[0].neurons[0]
            return f"w = {neuron.w[0].data:+.4f}, b = {neuron.b.data:+.4f}"


        print(f"N = {N} training points; starting weights: {weights(MLP(1, [1], seed=0))}")
        """
    ),
    md(
        """
        ## 1. Batch, stochastic and mini-batch

        Same learning rate (0.005), same number of epochs (20); only the batch size changes.
        An epoch is one pass over the training set, so a smaller batch means more updates per
        epoch.
        """
    ),
    code(
        """
        variants = {"batch (N)": N, "stochastic (1)": 1, "mini-batch (32)": 32}
        histories = {}
        for name, batch_size in variants.items():
            model = MLP(1, [1], seed=0)
            histories[name] = fit(
                model, SGD(model.parameters(), lr=0.005), x_train, y_train, x_val, y_val,
                epochs=20, batch_size=batch_size, progress=False,
            )
            updates = 20 * math.ceil(N / batch_size)
            val_loss = histories[name].val_loss[-1]
            print(f"{name:<16} {updates:>5} updates   val loss {val_loss:9.5f}   {weights(model)}")
        """
    ),
    code(
        """
        for name, history in histories.items():
            plt.plot(range(1, 21), history.val_loss, marker=".", label=name)
        plt.yscale("log")
        plt.ylim(1e-8, 1e3)
        plt.xlabel("epoch")
        plt.ylabel("validation MSE")
        plt.title("Batch size, SGD lr = 0.005")
        plt.legend()
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        Batch gradient descent makes one smooth update per epoch and is still far from the
        answer after 20 of them. Stochastic gradient descent makes 160 updates per epoch and
        gets closest per epoch (off the bottom of the plot): these points lie exactly on a
        line, so every single point's gradient leads to the same answer (w = 2, b = 1); with
        noisy data it would keep jittering around the minimum instead. Mini-batches sit in
        between, and on real hardware they are the usual choice because a whole batch is
        computed in one go.

        ## 2. The learning rate

        Mini-batches of 32, lr = 0.0002 (too small), 0.01 (about right) and 0.05 (too large).
        For this model the loss is a bowl that is about 33 times steeper in w than in b, and
        any lr above about 2 / 67 ≈ 0.03 overshoots in w a little more on every update. The
        too-large run is stopped after 4 epochs so that its rising loss can be plotted.
        """
    ),
    code(
        """
        rates = {  # name: (learning rate, epochs)
            "too small (0.0002)": (0.0002, 20),
            "right (0.01)": (0.01, 20),
            "too large (0.05)": (0.05, 4),
        }
        for name, (lr, epochs) in rates.items():
            model = MLP(1, [1], seed=0)
            history = fit(
                model, SGD(model.parameters(), lr=lr), x_train, y_train, x_val, y_val,
                epochs=epochs, batch_size=32, progress=False,
            )
            plt.plot(range(1, epochs + 1), history.val_loss, marker=".", label=name)
            print(f"{name:<19} val loss after {epochs:>2} epochs: {history.val_loss[-1]:.4g}")
        plt.yscale("log")
        plt.xlabel("epoch")
        plt.ylabel("validation MSE")
        plt.title("Learning rate, mini-batches of 32")
        plt.legend()
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        Left to run, the too-large learning rate drives the weights and the loss beyond what a
        float can hold. `fit` stops with `TrainingDiverged` (an `ArithmeticError`) rather than
        carrying on with infinities or NaN:
        """
    ),
    code(
        """
        model = MLP(1, [1], seed=0)
        try:
            optimizer = SGD(model.parameters(), lr=0.05)
            fit(model, optimizer, x_train, y_train, epochs=300, batch_size=32, progress=False)
        except TrainingDiverged as error:
            print(f"{type(error).__name__}: {error}")
        """
    ),
    md(
        """
        ## 3. SGD, momentum, RMSprop and Adam

        All use mini-batches of 32 for 20 epochs. Each has a learning rate that suits it
        (plain SGD cannot go above about 0.03 here without diverging, while Adam and RMSprop
        scale their steps per weight):

        * **SGD**: w ← w - η g.
        * **momentum** (0.9): keeps a running velocity of past gradients, so it speeds up
          along the shallow direction (b) and damps the zigzag along the steep one (w).
        * **RMSprop**: divides each step by a running root-mean-square of that weight's
          gradients, so steep and shallow directions get similar step sizes.
        * **Adam**: momentum and RMSprop together, with a correction for their start at zero.
        """
    ),
    code(
        """
        optimizers = {
            "SGD (lr 0.005)": lambda params: SGD(params, lr=0.005),
            "momentum 0.9 (lr 0.005)": lambda params: SGD(params, lr=0.005, momentum=0.9),
            "RMSprop (lr 0.05)": lambda params: RMSprop(params, lr=0.05),
            "Adam (lr 0.1)": lambda params: Adam(params, lr=0.1),
        }
        for name, make_optimizer in optimizers.items():
            model = MLP(1, [1], seed=0)
            history = fit(
                model, make_optimizer(model.parameters()), x_train, y_train, x_val, y_val,
                epochs=20, batch_size=32, progress=False,
            )
            plt.plot(range(1, 21), history.val_loss, marker=".", label=name)
            print(f"{name:<24} val loss {history.val_loss[-1]:.3g}   {weights(model)}")
        plt.yscale("log")
        plt.xlabel("epoch")
        plt.ylabel("validation MSE")
        plt.title("Optimizers, mini-batches of 32")
        plt.legend()
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        ## Exercises

        1. Find the largest learning rate at which batch gradient descent (batch size N)
           still converges. How does it compare with 2 / 67?
        2. Try momentum 0.5 and 0.99 with lr = 0.005. Which is faster here, and which
           oscillates?
        3. Run Adam with its default lr = 0.001. Why is it so slow on this problem? (Hint:
           how far does Adam move a weight per update, and how far is b from 1?)
        """
    ),
]


# --------------------------------------------------------------------------------------
# 05: activations and a two-class problem
# --------------------------------------------------------------------------------------

ACTIVATIONS = [
    md(
        """
        # 05 · Activation functions and a two-class problem

        **Builds on:** the course table of activation functions (sigmoid, tanh, ReLU,
        softmax), the lesson on training (cross-entropy loss for classification), and
        notebooks 02-04.

        **You will see:** each activation and its derivative, with the derivative computed
        by chainrule's `backward()` rather than typed in; a two-class data set made with a
        fixed seed; a small MLP trained with cross entropy; and the decision boundary it
        learns.
        """
    ),
    PLOT_SETUP,
    code(
        """
        import math
        import random

        from autograd import Value, no_grad, sum_of
        from nn import MLP, Adam, cross_entropy
        """
    ),
    md(
        """
        ## 1. Activations and their derivatives

        For each x on a grid: make a leaf Value, apply the activation, call `backward()`;
        the leaf's `.grad` is then the derivative at x.
        """
    ),
    code(
        """
        def value_and_slope(activation, grid):
            values, slopes = [], []
            for x0 in grid:
                x = Value(x0)
                out = activation(x)
                out.backward()
                values.append(out.data)
                slopes.append(x.grad)
            return values, slopes


        grid = [k / 20 for k in range(-100, 101)]  # -5 to 5
        activations = {"sigmoid": Value.sigmoid, "tanh": Value.tanh, "relu": Value.relu}
        curves = {name: value_and_slope(fn, grid) for name, fn in activations.items()}

        for name, fn in activations.items():
            slopes = [value_and_slope(fn, [x0])[1][0] for x0 in (-1.0, 0.0, 1.0)]
            print(f"{name:<8} derivative at -1, 0, 1: " + ", ".join(f"{s:.4f}" for s in slopes))
        """
    ),
    md(
        """
        Softmax turns several scores (logits) into probabilities: p_i = e^(x_i) / Σ_j e^(x_j).
        To plot it against one variable, take three logits (x, 0, 1) and vary x; the
        derivative shown is ∂p_0/∂x, again from `backward()`.
        """
    ),
    code(
        """
        def softmax(logits):
            exps = [v.exp() for v in logits]
            total = sum_of(exps)
            return [e / total for e in exps]


        def first_probability(x):
            return softmax([x, Value(0.0), Value(1.0)])[0]


        curves["softmax p_0 of (x, 0, 1)"] = value_and_slope(first_probability, grid)

        fig, axes = plt.subplots(2, 2, figsize=(7, 5), sharex=True)
        for ax, (name, (values, slopes)) in zip(axes.flat, curves.items()):
            ax.plot(grid, values, label="value")
            ax.plot(grid, slopes, "--", label="derivative")
            ax.set_title(name)
            ax.grid(True)
        axes[0, 0].legend()
        fig.tight_layout()
        plt.show()
        """
    ),
    md(
        """
        * **sigmoid**: squashes into (0, 1); its slope is at most 0.25 (at 0) and nearly 0 far
          from 0, which is why deep sigmoid networks learn slowly (vanishing gradients).
        * **tanh**: squashes into (-1, 1), centred on 0; slope 1 at 0.
        * **ReLU**: max(0, x); slope 1 for x > 0 and 0 for x < 0 (chainrule uses 0 at
          exactly 0). Cheap, and it does not saturate for positive inputs.
        * **softmax**: probabilities that sum to 1; with two classes it is a sigmoid of the
          difference of the two logits.

        ## 2. A two-class data set

        Two interleaved half moons, 100 points with a little noise, made with
        `random.Random(0)` so the data are the same on every run.
        """
    ),
    code(
        """
        rng = random.Random(0)
        points, labels = [], []
        for k in range(100):
            label = k % 2
            angle = rng.uniform(0.0, math.pi)
            if label == 0:
                x, y = math.cos(angle), math.sin(angle)
            else:
                x, y = 1.0 - math.cos(angle), 0.5 - math.sin(angle)
            points.append((x + rng.gauss(0.0, 0.1), y + rng.gauss(0.0, 0.1)))
            labels.append(label)

        colors = ["tab:blue" if label == 0 else "tab:red" for label in labels]
        plt.scatter([p[0] for p in points], [p[1] for p in points], c=colors, s=15)
        plt.title("two moons: class 0 blue, class 1 red")
        plt.gca().set_aspect("equal")
        plt.show()
        """
    ),
    md(
        """
        ## 3. A small MLP trained with cross entropy

        2 inputs → 16 tanh → 16 tanh → 2 logits. `cross_entropy(logits, target_index)` is
        -log softmax(logits)[target], the course's L = -Σ y_i log ŷ_i with a one-hot y.
        Each update uses all 100 points (batch gradient descent) with Adam.
        """
    ),
    code(
        """
        model = MLP(2, [16, 16, 2], activation="tanh", seed=0)
        optimizer = Adam(model.parameters(), lr=0.05)


        def accuracy(model):
            with no_grad():
                correct = 0
                for point, label in zip(points, labels):
                    logits = model(point)
                    correct += (logits[1].data > logits[0].data) == (label == 1)
            return correct / len(points)


        loss_history = []
        for step in range(60):
            losses = [cross_entropy(model(point), label) for point, label in zip(points, labels)]
            loss = sum_of(losses) / len(losses)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            loss_history.append(loss.data)

        print(f"cross entropy at the start:  {loss_history[0]:.4f}")
        print(f"cross entropy after {len(loss_history)} updates: {loss_history[-1]:.4f}")
        print(f"training accuracy: {accuracy(model):.0%}")
        """
    ),
    code(
        """
        plt.plot(range(1, len(loss_history) + 1), loss_history)
        plt.xlabel("update")
        plt.ylabel("mean cross entropy")
        plt.grid(True)
        plt.show()
        """
    ),
    md(
        """
        ## 4. The decision boundary

        The probability of class 1 (softmax of the two logits) on a grid over the plane; the
        boundary is where it crosses 0.5.
        """
    ),
    code(
        """
        xs = [-1.5 + 4.0 * i / 49 for i in range(50)]
        ys = [-1.0 + 2.5 * j / 49 for j in range(50)]
        with no_grad():
            prob_class_1 = [[softmax(model((x, y)))[1].data for x in xs] for y in ys]

        levels = [0.0, 0.25, 0.5, 0.75, 1.0]
        plt.contourf(xs, ys, prob_class_1, levels=levels, cmap="RdBu_r", alpha=0.6)
        plt.contour(xs, ys, prob_class_1, levels=[0.5], colors="k")
        plt.scatter([p[0] for p in points], [p[1] for p in points], c=colors, s=15, edgecolors="k")
        plt.title("P(class 1) and the decision boundary")
        plt.gca().set_aspect("equal")
        plt.show()
        """
    ),
    md(
        """
        ## Exercises

        1. Replace `activation="tanh"` by `"relu"`. How does the shape of the boundary change?
        2. Use one output with `output_activation="sigmoid"` and `binary_cross_entropy`
           instead of two logits and `cross_entropy`. Is the boundary the same?
        3. Remove the hidden layers (`MLP(2, [2])`). What accuracy can a linear model reach on
           the moons, and why?
        """
    ),
]


NOTEBOOKS: dict[str, list[Cell]] = {
    "01_chain_rule_xyz": CHAIN_RULE_XYZ,
    "02_backprop_2_2_2_sigmoid": BACKPROP_2_2_2,
    "03_training_loop_y_2x_plus_1": TRAINING_LOOP,
    "04_gradient_descent_variants": GRADIENT_DESCENT,
    "05_activations_and_classification": ACTIVATIONS,
}


def build(name: str, cells: list[Cell]) -> NotebookNode:
    """A notebook with the given cells, fixed cell ids and the python3 kernel."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    for k, (kind, source) in enumerate(cells):
        if kind == "md":
            cell = nbformat.v4.new_markdown_cell(source)
        else:
            cell = nbformat.v4.new_code_cell(source)
        cell.id = f"{name[:2]}-{k:02d}"
        nb.cells.append(cell)
    return nb


def execute(nb: NotebookNode, cwd: Path, timeout: int = 300) -> NotebookNode:
    """Run every cell with the python3 kernel in cwd; raises CellExecutionError on an error."""
    from nbclient import NotebookClient

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    client.execute()
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--execute", action="store_true", help="run them and save the outputs")
    parser.add_argument("only", nargs="*", help="build only notebooks whose name contains this")
    args = parser.parse_args(argv)
    for name, cells in NOTEBOOKS.items():
        if args.only and not any(part in name for part in args.only):
            continue
        nb = build(name, cells)
        if args.execute:
            start = time.perf_counter()
            execute(nb, HERE)
            print(f"{name}: executed in {time.perf_counter() - start:.1f} s")
        nbformat.write(nb, HERE / f"{name}.ipynb")
    return 0


if __name__ == "__main__":
    sys.exit(main())
