"""The promises that hold when a careful user tries to break things (issue 10).

Grad mode is per thread; a backward pass never stores a NaN or an infinity and is all or
nothing; an unfinished backward_steps takes itself back; Values hold finite numbers.
(Optimizers and files have their own tests in test_optim.py, test_files.py and
test_nn_module.py.)
"""

from __future__ import annotations

import gc
import math
import threading

import pytest

from autograd import (
    Value,
    backward_steps,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    numerical_grad,
)
from autograd.steps import node_names
from nn import Layer, Neuron, RMSprop

# -- grad mode per thread ----------------------------------------------------------------


def test_no_grad_in_one_thread_leaves_another_thread_recording():
    # The other thread enters no_grad, then this thread builds a node while the other is
    # still inside: with one switch for the whole process this node would record nothing.
    inside, done = threading.Event(), threading.Event()
    seen_inside: list[bool] = []

    def evaluate() -> None:
        with no_grad():
            seen_inside.append(is_grad_enabled())
            inside.set()
            done.wait(timeout=10)

    other = threading.Thread(target=evaluate)
    other.start()
    try:
        assert inside.wait(timeout=10)
        a = Value(2.0)
        b = a * 3.0
        assert is_grad_enabled()
    finally:
        done.set()
        other.join(timeout=10)
    assert seen_inside == [False]
    assert str(b.op) == "*" and b.inputs[0] is a
    b.backward()
    assert a.grad == 3.0  # d(3a)/da


def test_two_threads_in_no_grad_at_once_leave_recording_on_afterwards():
    # Interleaved as enter A, enter B, exit A, exit B: a single global switch restored by
    # each block in turn would end switched off (B saved "off" when it entered).
    barrier = threading.Barrier(2, timeout=10)
    a_left = threading.Event()
    after: dict[str, bool] = {}

    def first() -> None:
        with no_grad():
            barrier.wait()  # both inside
        a_left.set()
        after["first"] = is_grad_enabled()

    def second() -> None:
        with no_grad():
            barrier.wait()
            a_left.wait(timeout=10)
        after["second"] = is_grad_enabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert after == {"first": True, "second": True}
    assert is_grad_enabled()
    assert (Value(1.0) + 1.0).inputs != ()


def test_enable_grad_records_inside_no_grad_and_nesting_restores_each_mode():
    a = Value(1.0)
    with no_grad():
        assert not is_grad_enabled()
        with enable_grad():
            assert is_grad_enabled()
            recorded = a * 2.0
            with no_grad():
                unrecorded = a * 2.0
            assert is_grad_enabled()
        assert not is_grad_enabled()
        with pytest.raises(ZeroDivisionError):
            with enable_grad():
                a / 0.0
        assert not is_grad_enabled()
    assert is_grad_enabled()
    assert recorded.inputs[0] is a and unrecorded.inputs == ()


def test_enable_grad_works_as_a_decorator():
    @enable_grad()
    def build(v: Value) -> Value:
        return v * 2.0

    x = Value(1.0)
    with no_grad():
        assert build(x).inputs[0] is x
        assert (x * 2.0).inputs == ()


def test_a_new_thread_starts_recording_even_when_its_parent_is_in_no_grad():
    modes: list[bool] = []
    with no_grad():
        thread = threading.Thread(target=lambda: modes.append(is_grad_enabled()))
        thread.start()
        thread.join(timeout=10)
    assert modes == [True]  # as in PyTorch, the mode is not inherited


# -- backward: no silent inf or NaN, all or nothing --------------------------------------


def test_backward_overflowing_into_a_leaf_raises_naming_the_numbers():
    x = Value(1e-300, "x")
    a = x * 1e300
    f = a * 1e300  # f = 1e300; df/dx = 1e300 * 1e300 = inf
    with pytest.raises(OverflowError) as caught:
        f.backward()
    message = str(caught.value)
    # Unlabelled nodes are named as draw_dot and backward_steps name them: by formula.
    names = node_names(f)
    assert (names[a], names[f]) == ("x × 1e+300", "(x × 1e+300) × 1e+300")
    assert f"backward from {names[f]} stopped at {names[a]} = 1e-300 * 1e+300 (= 1.0)" in message
    assert (
        "d(x × 1e+300)/dx = 1e+300 (local) x d((x × 1e+300) × 1e+300)/d(x × 1e+300) = 1e+300 "
        "(upstream) = inf"
    ) in message
    assert "Try smaller inputs or weights" in message
    assert "Every .grad is as it was before the pass." in message
    assert x.grad == 0.0


def test_backward_through_a_tiny_divisor_names_the_infinite_local_derivative():
    a, b = Value(1.0, "a"), Value(1e-300, "b")
    q = a / b  # 1e300, finite; d q / d b = -q / b = -1e300 / 1e-300 = -inf
    q.label = "q"
    with pytest.raises(OverflowError, match=r"stopped at q = 1\.0 / 1e-300 .*dq/db is -inf"):
        q.backward()
    assert (a.grad, b.grad, q.grad) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("gradient", [math.nan, math.inf, -math.inf])
def test_backward_refuses_a_gradient_that_is_not_finite(gradient):
    x = Value(2.0)
    f = x * x
    with pytest.raises(ValueError, match="backward needs a finite gradient"):
        f.backward(gradient)
    with pytest.raises(ValueError, match="backward needs a finite gradient"):
        next(backward_steps(f, gradient))
    assert x.grad == 0.0


def test_backward_finds_a_nan_set_by_hand_that_relu_would_hide():
    x = Value(2.0, "x")
    x.data = math.nan  # .data is writable, so only backward can notice
    y = x.relu()  # relu(nan) is 0 (nan > 0 is false), and so is its derivative
    with pytest.raises(ValueError, match=r"x\.data is nan"):
        y.backward()
    assert x.grad == 0.0


def test_accumulated_leaf_gradient_overflowing_raises_and_keeps_it():
    x = Value(1e300, "x")
    x.grad = 1.7e308
    f = x * 1.0  # d f/dx = 1, times gradient 1e308: 1.7e308 + 1e308 overflows
    with pytest.raises(OverflowError, match=r"x\.grad would become 1\.7e\+308 \+ 1e\+308 = inf"):
        f.backward(1e308)
    assert x.grad == 1.7e308


def test_a_failing_backward_leaves_every_grad_exactly_as_it_was():
    # Leaves with earlier gradients, intermediate nodes with an earlier pass's values; the
    # pass reaches w and b (their gradients change first) before it fails at x ** 0.5.
    x, w, b = Value(0.0, "x"), Value(3.0, "w"), Value(0.5, "b")
    root = x**0.5
    s = root * w + b
    for leaf, grad in ((x, 0.25), (w, -1.5), (b, 7.0)):
        leaf.grad = grad
    root.grad, s.grad = 11.0, 13.0
    with pytest.raises(ValueError, match=r"derivative of x \*\* 0\.5 at x = 0\.0 is infinite"):
        s.backward()
    assert (x.grad, w.grad, b.grad, root.grad, s.grad) == (0.25, -1.5, 7.0, 11.0, 13.0)


def test_a_failing_backward_of_a_leaf_keeps_its_grad():
    x = Value(1.0)
    x.grad = 1.5e308
    with pytest.raises(OverflowError, match="grad would become"):
        x.backward(1e308)
    assert x.grad == 1.5e308


def test_backward_steps_raises_at_the_first_bad_step_and_takes_back_the_others():
    x, y = Value(1e-300, "x"), Value(2.0, "y")
    a = x * 1e300 * 1e300
    f = a + y
    a.label, f.label = "a", "f"
    steps = backward_steps(f)
    first = next(steps)
    assert str(first) == "df/da = 1 (local) x df/df = 1 (upstream) -> a.grad += 1"
    with pytest.raises(OverflowError, match="too large for a float"):
        list(steps)
    assert (x.grad, y.grad, f.grad) == (0.0, 0.0, 0.0)


# -- an unfinished backward_steps takes itself back ---------------------------------------


def slide_graph() -> tuple[Value, Value, Value, Value]:
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    return x, y, z, (x + y) * z


def test_a_closed_backward_steps_takes_back_its_contributions():
    x, y, z, f = slide_graph()
    steps = backward_steps(f)
    next(steps)
    next(steps)  # d f/d q and d f/d z are in: z.grad = 3
    assert z.grad == 3.0
    steps.close()
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)
    f.backward()  # a full pass after it gives the slide's numbers, not doubled ones
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_a_dropped_backward_steps_takes_back_its_contributions():
    x, y, z, f = slide_graph()
    steps = backward_steps(f)
    for _ in range(3):
        next(steps)
    assert (x.grad, z.grad) == (-4.0, 3.0)
    del steps  # CPython finalises the generator here, which closes it
    gc.collect()  # (other Pythons free it at a collection)
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)


def test_an_unfinished_backward_steps_does_not_undo_a_later_pass():
    x, y, z, f = slide_graph()
    steps = backward_steps(f)
    next(steps)
    next(steps)
    for leaf in (x, y, z):
        leaf.grad = 0.0  # zero_grad, then a full pass, while the generator is still open
    f.backward()
    steps.close()
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


def test_an_exhausted_backward_steps_keeps_its_gradients():
    x, y, z, f = slide_graph()
    assert len(list(backward_steps(f))) == 4
    assert (x.grad, y.grad, z.grad) == (-4.0, -4.0, 3.0)


# -- Values hold finite numbers ------------------------------------------------------------


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_value_refuses_a_number_that_is_not_finite(number):
    with pytest.raises(ValueError, match=rf"Value needs a finite number, got {number!r}"):
        Value(number)
    with pytest.raises(ValueError, match=rf"got {number!r} for 'w'"):
        Value(number, "w")


def test_value_of_an_int_too_large_for_a_float_says_so():
    with pytest.raises(ValueError, match="a float can hold .* got int of about 401 digits"):
        Value(10**400)  # 10**400 has 401 digits; floats stop near 1.8e308


def test_neuron_and_layer_refuse_weights_and_biases_that_are_not_finite():
    with pytest.raises(ValueError, match=r"weights\[1\] must be a finite number, got nan"):
        Neuron(2, weights=[1.0, math.nan], bias=0.0)
    with pytest.raises(ValueError, match=r"bias must be a finite number, got inf"):
        Neuron(2, weights=[1.0, 2.0], bias=math.inf)
    with pytest.raises(ValueError, match=r"weights\[0\] must be a finite number, got -inf"):
        Layer(1, 2, weights=[[1.0], [-math.inf]], biases=[0.0, 0.0])
    with pytest.raises(ValueError, match=r"bias must be a finite number, got .* digits"):
        Neuron(1, weights=[1.0], bias=10**400)


def test_a_non_finite_exponent_is_named():
    with pytest.raises(ValueError, match=r"-2\.0 \*\* inf: the exponent must be a finite"):
        Value(-2) ** float("inf")
    with pytest.raises(ValueError, match=r"2\.0 \*\* nan: the exponent must be a finite"):
        Value(2) ** float("nan")
    with pytest.raises(ValueError, match="an exponent needs a number a float can hold"):
        Value(2) ** 10**400


def test_clamp_with_bounds_that_are_not_numbers_names_them():
    with pytest.raises(TypeError, match="clamp's low needs a real number .* got str"):
        Value(0.5).clamp("a", 1)
    with pytest.raises(TypeError, match="clamp's high needs a real number .* got NoneType"):
        Value(0.5).clamp(0, None)
    with pytest.raises(ValueError, match="low <= high, got low=nan"):
        Value(0.5).clamp(math.nan, 1)
    assert Value(0.5).clamp(-math.inf, 0.25).data == 0.25  # an open side is allowed


def test_gradcheck_with_numbers_instead_of_values_says_to_wrap_them():
    def f(x: Value) -> Value:
        return x * x

    with pytest.raises(TypeError, match=r"inputs\[0\] is a float, not a Value.*Value\(1\.0\)"):
        gradcheck(f, [1.0])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"inputs\[1\] is a int, not a Value"):
        numerical_grad(f, [Value(1.0), 2])  # type: ignore[list-item]
    assert gradcheck(f, [Value(1.0)])


def test_gradcheck_of_a_pass_that_fails_keeps_the_inputs_grads():
    x = Value(1e-300, "x")
    x.grad = 0.5
    with pytest.raises(OverflowError, match="stopped at"):
        gradcheck(lambda v: v * 1e300 * 1e300, [x])
    assert x.grad == 0.5


def test_an_unfinished_backward_steps_leaves_a_later_pass_with_the_same_gradient_alone():
    x, y, z, f = slide_graph()
    gradient = 2.0  # the very same float object given to both passes
    steps = backward_steps(f, gradient)
    next(steps)
    for leaf in (x, y, z):
        leaf.grad = 0.0
    f.backward(gradient)
    steps.close()
    assert f.grad == 2.0  # the root's grad from the later pass is kept
    assert (x.grad, y.grad, z.grad) == (-8.0, -8.0, 6.0)  # twice the slide's numbers


# -- RMSprop and one huge gradient (issue 23) ----------------------------------------------


def test_rmsprop_refuses_a_gradient_that_would_freeze_its_parameter():
    # PyTorch's sq = 0.99 * 0 + 0.01 * g * g = 1e308 for g = 1e155, and every later step
    # is lr * g / 1e154: the weight stops moving for ~70,000 steps, silently. Here the
    # step raises, names the parameter, and changes nothing.
    w, b = Value(1.0), Value(0.5)
    optimizer = RMSprop([("w", w), ("b", b)], lr=0.01)
    w.grad, b.grad = 1e155, 1.0
    with pytest.raises(OverflowError) as caught:
        optimizer.step()
    message = str(caught.value)
    assert message.startswith("RMSprop.step: the gradient of parameter 'w' is 1e+155")
    assert "running mean square 1e+308" in message and "70,565 steps" in message
    # log(1e308) / -log(0.99) = 709.196 / 0.0100503 = 70,564.4, rounded up
    assert (w.data, b.data, optimizer.square_avg) == (1.0, 0.5, [0.0, 0.0])


def test_rmsprop_still_matches_pytorch_for_large_ordinary_gradients():
    # g = 1e100: sq = (1 - 0.99) * 1e200, about 1e198 (under the limit), and the step is
    # lr * g / sqrt(sq) = 0.1: torch.optim.RMSprop in float64 gives these same two numbers
    # (1 - 0.99 is 0.010000000000000009 in a float, hence the last digit).
    w = Value(1.0)
    optimizer = RMSprop([w], lr=0.01)
    w.grad = 1e100
    optimizer.step()
    assert optimizer.square_avg == [1.000000000000001e198]
    assert w.data == 0.9


# -- fit: a loss that explodes without overflowing (issue 23) ------------------------------


def test_fit_with_a_divergence_factor_stops_when_the_loss_grows_a_millionfold():
    # SGD at lr 1 on y = 2x + 1 (x in [-10, 10]): the first batch's loss is about 100 and
    # the next batches' grow by orders of magnitude each; without the factor it would run
    # on for many epochs before the numbers overflow.
    from nn import MLP, SGD, TrainingDiverged, fit, line_data
    from nn.train import DIVERGENCE_FACTOR

    xs, ys = line_data(64, -10.0, 10.0)
    model = MLP(1, [4, 1], seed=0)
    with pytest.raises(TrainingDiverged) as caught:
        fit(model, SGD(model.parameters(), lr=1.0), xs, ys, epochs=5, batch_size=16,
            progress=False, divergence=DIVERGENCE_FACTOR)  # fmt: skip
    message = str(caught.value)
    assert message.startswith("training diverged in epoch 1: the loss grew from ")
    assert "over 1e+06 times where it started" in message
    assert "try a lower learning rate (it is 1.0 now)" in message
    with pytest.raises(ValueError, match="divergence must be a factor above 1"):
        fit(model, SGD(model.parameters(), lr=1.0), xs, ys, epochs=1, divergence=0.5)


def test_drawing_and_pages_leave_no_file_open(tmp_path):
    # The font's metrics and its subsets are read from matplotlib's DejaVu Sans and the
    # file closed again: a process that draws must not end with "unclosed file" warnings
    # (run in a fresh interpreter, where they show at exit).
    import subprocess
    import sys

    script = f"""
import numpy as np, nn
from autograd import Value, draw_dot, step_through
from autograd.tensor import Tensor
a = Value(2.0, "a"); b = (a * a).tanh(); b.label = "b"
draw_dot(b).save({str(tmp_path / "g.svg")!r})
step_through(b).save({str(tmp_path / "v.html")!r})
seq = nn.Sequential(nn.Linear(4, 3, seed=1), nn.ReLU(), nn.Linear(3, 2, seed=2))
loss = nn.cross_entropy(seq(Tensor(np.ones((2, 4)))), [0, 1])
step_through(loss).save({str(tmp_path / "t.html")!r})
"""
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error::ResourceWarning", "-c", script],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "ResourceWarning" not in done.stderr, done.stderr[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.svg", "t.html", "v.html"]
