"""nn over Tensors: the vectorized 1-16-16-1 against the scalar one, Linear and Sequential,
the losses and optimizers against PyTorch in float64, save/load, to_torch, fit over arrays."""

from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule
from autograd import Value, backward_steps
from autograd.tensor import Tensor, linear
from nn import (
    MLP,
    SGD,
    Adam,
    Layer,
    RMSprop,
    batches,
    binary_cross_entropy,
    cross_entropy,
    fit,
    line_data,
    mse_loss,
    train_val_split,
)
from nn.tensor_layers import Linear, ReLU, Sequential, Sigmoid, Tanh


def lesson_data():
    return train_val_split(*line_data())  # 160 training and 40 validation points


# -- the vectorized network is the scalar network --------------------------------------


def test_vectorized_mlp_gives_the_scalar_loss_and_gradients_on_a_batch():
    mlp = MLP(1, [16, 16, 1], seed=0)
    seq = mlp.vectorized()
    x_train, y_train, _, _ = lesson_data()
    xb, yb = x_train[:32], y_train[:32]
    loss = mse_loss([mlp([x]) for x in xb], yb)
    loss.backward()
    tensor_loss = mse_loss(seq(np.array(xb).reshape(-1, 1)), np.array(yb))
    tensor_loss.backward()
    assert abs(tensor_loss.item() - loss.data) <= 1e-12 * abs(loss.data)
    scalar_grads = mlp.state_dict()  # the keys, and the grads in the same shapes below
    for i, layer in enumerate(mlp.layers):
        weight_grads = np.array([[w.grad for w in n.w] for n in layer.neurons])
        bias_grads = np.array([n.b.grad for n in layer.neurons])
        linear = seq[2 * i]
        np.testing.assert_allclose(linear.weight.grad, weight_grads, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(linear.bias.grad, bias_grads, rtol=1e-12, atol=1e-12)
    assert len(scalar_grads) == len(seq.state_dict()) == 6


def test_vectorized_mlp_after_an_epoch_of_adam_has_the_scalar_weights():
    mlp = MLP(1, [16, 16, 1], seed=0)
    seq = mlp.vectorized()
    x_train, y_train, x_val, y_val = lesson_data()
    scalar = fit(mlp, Adam(mlp.parameters(), lr=0.01), x_train, y_train, x_val, y_val,
                 epochs=1, progress=False)  # fmt: skip
    vector = fit(seq, Adam(seq.parameters(), lr=0.01), np.array(x_train), np.array(y_train),
                 np.array(x_val), np.array(y_val), epochs=1, progress=False)  # fmt: skip
    assert vector.train_loss[0] == pytest.approx(scalar.train_loss[0], rel=1e-12)
    assert vector.val_loss[0] == pytest.approx(scalar.val_loss[0], rel=1e-12)
    for i, layer in enumerate(mlp.layers):
        weight = np.array([[w.data for w in n.w] for n in layer.neurons])
        bias = np.array([n.b.data for n in layer.neurons])
        np.testing.assert_allclose(seq[2 * i].weight.data, weight, rtol=0, atol=1e-10)
        np.testing.assert_allclose(seq[2 * i].bias.data, bias, rtol=0, atol=1e-10)


def test_vectorized_keeps_the_activations_and_copies_the_weights():
    mlp = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=4)
    seq = mlp.vectorized()
    assert [type(m).__name__ for m in seq] == ["Linear", "Tanh", "Linear", "Sigmoid"]
    assert seq([0.5, -1.0]).item() == pytest.approx(mlp([0.5, -1.0]).data, abs=1e-15)
    seq[0].weight.data = seq[0].weight.data * 0.0  # training the copy leaves the MLP alone
    assert mlp.layers[0].neurons[0].w[0].data != 0.0


# -- Linear and Sequential -------------------------------------------------------------


def test_linear_draws_what_layer_draws_with_the_same_seed():
    linear, layer = Linear(3, 2, seed=7), Layer(3, 2, seed=7)
    assert linear.weight.data.tolist() == [[w.data for w in n.w] for n in layer.neurons]
    assert linear.bias.data.tolist() == [n.b.data for n in layer.neurons]
    assert linear.weight.shape == (2, 3) and linear.bias.shape == (2,)


def test_linear_computes_x_w_transpose_plus_b():
    # W = [[1, 2], [3, 4]], b = [10, 20]; x = [[1, 1], [2, 0]]
    # rows: [1 + 2 + 10, 3 + 4 + 20] = [13, 27]; [2 + 10, 6 + 20] = [12, 26]
    linear = Linear.of([[1, 2], [3, 4]], [10, 20])
    assert linear([[1.0, 1.0], [2.0, 0.0]]).data.tolist() == [[13.0, 27.0], [12.0, 26.0]]
    assert Linear(2, 3, bias=False).bias is None


def test_a_linear_layer_is_one_operation_with_the_lessons_gradients():
    # z = x @ W.T + b with W = [[1, 2], [3, 4]], b = [10, 20], x = [[1, 1], [2, 0]]
    layer = Linear.of([[1, 2], [3, 4]], [10, 20])
    x = Tensor([[1.0, 1.0], [2.0, 0.0]], "x", requires_grad=True)
    z = layer(x)
    assert str(z.op) == "linear" and z.inputs == (x, layer.weight, layer.bias)
    # L = sum(z * [[1, 0], [0, 2]]): dL/dz = [[1, 0], [0, 2]]
    (z * Tensor([[1.0, 0.0], [0.0, 2.0]])).sum().backward()
    # dL/dW = dL/dz^T @ x = [[1, 0], [0, 2]] @ [[1, 1], [2, 0]] = [[1, 1], [4, 0]]
    assert layer.weight.grad.tolist() == [[1.0, 1.0], [4.0, 0.0]]
    assert layer.bias.grad.tolist() == [1.0, 2.0]  # dL/dz summed over the batch
    # dL/dx = dL/dz @ W = [[1, 2], [6, 8]]
    assert x.grad.tolist() == [[1.0, 2.0], [6.0, 8.0]]
    # without a bias a layer is the product alone
    assert str(Linear.of([[1, 2]])(x).op) == "@"


def test_linear_names_what_is_wrong_with_its_operands():
    w, b = Tensor(np.ones((3, 2))), Tensor(np.ones(3))
    with pytest.raises(TypeError, match="linear takes Tensors x, weight and bias"):
        linear(np.ones((4, 2)), w, b)
    with pytest.raises(ValueError, match=r"got x \(4, 3\) and weight \(3, 2\)"):
        linear(Tensor(np.ones((4, 3))), w, b)
    with pytest.raises(ValueError, match=r"one number per output \(3\), got shape \(2,\)"):
        linear(Tensor(np.ones((4, 2))), w, Tensor(np.ones(2)))


def test_linear_says_what_input_shape_it_takes():
    with pytest.raises(ValueError, match=r"takes 1 inputs per sample.*got shape \(5,\).*reshape"):
        Linear(1, 4)(np.zeros(5))


def test_sequential_iterates_indexes_and_names_parameters_as_pytorch():
    seq = Sequential(Linear(2, 4, seed=1), ReLU(), Linear(4, 1, seed=2), Sigmoid())
    assert len(seq) == 4 and isinstance(seq[1], ReLU) and list(seq)[2] is seq[2]
    assert isinstance(seq[:2], Sequential) and len(seq[:2]) == 2
    state = seq.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert np.array(state["0.weight"]).shape == (4, 2)
    assert seq.n_parameters() == 4 * 2 + 4 + 4 + 1
    with pytest.raises(TypeError, match="Tensor modules.*MLP.vectorized"):
        Sequential(MLP(1, [1]))
    assert seq[-1] is seq[3]
    with pytest.raises(IndexError, match=r"index 4 is out of range for a Sequential of 4 "):
        seq[4]


def test_save_and_load_round_trip_as_json(tmp_path):
    seq = Sequential(Linear(2, 3, seed=1), Tanh(), Linear(3, 1, seed=2))
    path = seq.save(tmp_path / "model.json")
    assert list(json.loads(path.read_text())) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    other = Sequential(Linear(2, 3, seed=5), Tanh(), Linear(3, 1, seed=6))
    other.load(path)
    for a, b in zip(seq.parameters(), other.parameters(), strict=True):
        assert a.data.tolist() == b.data.tolist()


def test_load_state_dict_checks_everything_before_changing_anything():
    seq = Sequential(Linear(2, 3, seed=1), Linear(3, 1, seed=2))
    before = [p.data.copy() for p in seq.parameters()]
    state = seq.state_dict()
    state["0.weight"] = [[9.0, 9.0], [9.0, 9.0], [9.0, 9.0]]
    state["1.bias"] = [1.0, 2.0]  # wrong shape: nothing may change, not even 0.weight
    with pytest.raises(ValueError, match=r"key '1.bias' should have shape \(1,\), got \(2,\)"):
        seq.load_state_dict(state)
    del state["1.bias"]
    with pytest.raises(ValueError, match="missing key '1.bias'"):
        seq.load_state_dict(state)
    assert all((p.data == b).all() for p, b in zip(seq.parameters(), before, strict=True))


def test_to_torch_and_back_keeps_the_weights():
    torch = pytest.importorskip("torch")
    seq = Sequential(Linear(3, 4, seed=1), ReLU(), Linear(4, 2, seed=2), Tanh())
    model = seq.to_torch()
    assert [type(m).__name__ for m in model] == ["Linear", "ReLU", "Linear", "Tanh"]
    x = np.random.default_rng(0).normal(size=(5, 3))
    expected = model(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(seq(x).data, expected, rtol=1e-13, atol=1e-15)
    with torch.no_grad():
        model[0].weight.mul_(2.0)
    seq.load_state_dict(model.state_dict())  # a PyTorch state dict loads as it is
    np.testing.assert_array_equal(seq[0].weight.data, model[0].weight.detach().numpy())


# -- losses against PyTorch in float64 -------------------------------------------------

RNG = np.random.default_rng(3)
PREDS = RNG.normal(size=(6, 1))
TARGETS = RNG.normal(size=(6, 1))
PROBS = RNG.uniform(0.05, 0.95, size=(6, 1))
BITS = RNG.integers(0, 2, size=(6, 1)).astype(float)
LOGITS = RNG.normal(size=(6, 4)) * 3
LABELS = np.array([0, 3, 1, 1, 2, 0])


@pytest.mark.parametrize(
    "name, ours, theirs, inputs, targets",
    [
        ("mse", mse_loss, "mse_loss", PREDS, TARGETS),
        ("bce", binary_cross_entropy, "binary_cross_entropy", PROBS, BITS),
        ("cross entropy", cross_entropy, "cross_entropy", LOGITS, LABELS),
    ],
)
def test_loss_matches_pytorch_in_float64(name, ours, theirs, inputs, targets):
    torch = pytest.importorskip("torch")
    x = Tensor(inputs, requires_grad=True)
    loss = ours(x, targets)
    loss.backward()
    t = torch.tensor(inputs, requires_grad=True)
    expected = getattr(torch.nn.functional, theirs)(t, torch.tensor(targets))
    expected.backward()
    assert loss.item() == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_tensor_losses_agree_with_the_scalar_losses():
    # The same numbers through the scalar engine: cross entropy over lists of Values.
    scalar = cross_entropy([list(map(Value, row)) for row in LOGITS], LABELS.tolist())
    assert cross_entropy(Tensor(LOGITS), LABELS).item() == pytest.approx(scalar.data, rel=1e-14)
    scalar_bce = binary_cross_entropy(PROBS.ravel().tolist(), BITS.ravel().tolist())
    assert binary_cross_entropy(Tensor(PROBS), BITS).item() == pytest.approx(scalar_bce.data)


def test_loss_errors_name_the_shapes_and_labels():
    with pytest.raises(ValueError, match=r"same shape, got \(6, 1\) and \(5, 1\)"):
        mse_loss(Tensor(PREDS), TARGETS[:5])
    with pytest.raises(ValueError, match="label 4 is out of range for 4 classes"):
        cross_entropy(Tensor(LOGITS), np.array([0, 4, 1, 1, 2, 0]))
    with pytest.raises(ValueError, match="label -1 is out of range for 4 classes"):
        cross_entropy(Tensor(LOGITS), np.array([0, -1, 1, 1, 2, 0]))
    with pytest.raises(ValueError, match="at least one sample, got an empty batch"):
        cross_entropy(Tensor(np.zeros((0, 4))), np.array([], dtype=int))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 1\], got 2.0"):
        binary_cross_entropy(Tensor(PROBS), BITS * 2)


# -- optimizers against torch.optim in float64 -----------------------------------------


@pytest.mark.parametrize(
    "ours, theirs, options",
    [
        (SGD, "SGD", {"lr": 0.1}),
        (SGD, "SGD", {"lr": 0.1, "momentum": 0.9}),
        (Adam, "Adam", {"lr": 0.01}),
        (RMSprop, "RMSprop", {"lr": 0.01}),
    ],
)
def test_optimizer_on_tensors_matches_torch_optim(ours, theirs, options):
    torch = pytest.importorskip("torch")
    seq = Sequential(Linear(3, 5, seed=1), Tanh(), Linear(5, 2, seed=2))
    model = seq.to_torch()
    optimizer = ours(seq.parameters(), **options)
    torch_optimizer = getattr(torch.optim, theirs)(model.parameters(), **options)
    rng = np.random.default_rng(1)
    for _ in range(5):
        x, labels = rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)
        optimizer.zero_grad()
        cross_entropy(seq(x), labels).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(model(torch.tensor(x)), torch.tensor(labels)).backward()
        torch_optimizer.step()
    for p, q in zip(seq.parameters(), model.parameters(), strict=True):
        np.testing.assert_allclose(p.data, q.detach().numpy(), rtol=0, atol=1e-13)


def test_zero_grad_writes_nothing_and_backward_writes_into_the_optimizers_buffer():
    seq = Sequential(Linear(3, 2, seed=1))
    optimizer = SGD(seq.parameters(), lr=0.1)
    weight = seq[0].weight
    x, y = np.arange(12.0).reshape(4, 3) / 10, np.zeros((4, 2))
    mse_loss(seq(x), y).backward()
    optimizer.zero_grad()
    assert weight._grad is None  # zero, without writing a number
    assert weight.grad.tolist() == [[0.0] * 3] * 2  # read as zeros, in the flat buffer
    assert np.shares_memory(weight.grad, optimizer.flat.grad)
    optimizer.zero_grad()
    mse_loss(seq(x), y).backward()
    first = weight.grad.copy()
    assert np.shares_memory(weight.grad, optimizer.flat.grad) and np.abs(first).sum() > 0
    mse_loss(seq(x), y).backward()  # a second pass adds to the first
    np.testing.assert_array_equal(weight.grad, 2 * first)
    # and the step reads the gradient there: p - 0.1 * (2 * first)
    before = weight.data.copy()
    optimizer.step()
    np.testing.assert_array_equal(weight.data, before - 0.1 * (2 * first))


def test_a_layers_weight_gradient_is_written_straight_into_its_home():
    # After zero_grad, linear's vjp writes dL/dW = dL/dz^T @ x into the weight's view of the
    # optimizer's buffer (no new array, no copy); the numbers are those of a model without
    # an optimizer, and a second pass still adds to them.
    x, labels = np.random.default_rng(4).normal(size=(6, 3)), np.array([0, 1, 1, 0, 1, 0])
    plain = Sequential(Linear(3, 4, seed=1), ReLU(), Linear(4, 2, seed=2))
    cross_entropy(plain(x), labels).backward()
    seq = Sequential(Linear(3, 4, seed=1), ReLU(), Linear(4, 2, seed=2))
    optimizer = SGD(seq.parameters(), lr=0.1)
    optimizer.zero_grad()
    written = []
    for p in seq.parameters():
        p._home[...] = np.nan  # what was there before must not matter
    cross_entropy(seq(x), labels).backward()
    for p, q in zip(seq.parameters(), plain.parameters(), strict=True):
        assert p._grad is p._home  # the view itself, not a copy of it
        written.append(p.grad.copy())
        np.testing.assert_array_equal(p.grad, q.grad)
    cross_entropy(seq(x), labels).backward()
    for p, first in zip(seq.parameters(), written, strict=True):
        np.testing.assert_array_equal(p.grad, 2 * first)


def test_backward_steps_keep_their_own_numbers_when_the_next_pass_runs():
    # backward_steps shows each share; a later pass writing into the optimizer's buffer
    # must not change a step already shown.
    seq = Sequential(Linear(3, 2, seed=1))
    optimizer = SGD(seq.parameters(), lr=0.1)
    x = np.arange(12.0).reshape(4, 3) / 10
    optimizer.zero_grad()
    steps = list(backward_steps(mse_loss(seq(x), np.zeros((4, 2)))))
    shown = [np.array(step.contribution, copy=True) for step in steps]
    optimizer.zero_grad()
    mse_loss(seq(3 * x), np.ones((4, 2))).backward()
    for step, numbers in zip(steps, shown, strict=True):
        np.testing.assert_array_equal(step.contribution, numbers)
    (weight_step,) = [step for step in steps if step.input is seq[0].weight]
    assert np.abs(weight_step.contribution).sum() > 0
    assert not np.array_equal(seq[0].weight.grad, weight_step.contribution)  # the new pass's


def test_a_failed_pass_after_zero_grad_leaves_every_gradient_zero():
    # z = x @ 0 + 1e-310 = 1e-310 and log(z) = -713.8 are finite, but dlog(z)/dz = 1 / z is
    # 1e310, beyond the largest float: the pass fails at its end, after the gradients of
    # the layer were worked out, and nothing may show in the optimizer's buffer.
    seq = Sequential(Linear.of([[0.0, 0.0]], [1e-310]))
    optimizer = SGD(seq.parameters(), lr=0.1)
    optimizer.zero_grad()
    loss = seq(np.array([[1.0, 2.0]])).log().sum()
    with pytest.raises(OverflowError, match="log"):
        loss.backward()
    for p in seq.parameters():
        assert p._grad is None
        assert p.grad.tolist() == np.zeros(p.shape).tolist()
        assert np.shares_memory(p.grad, optimizer.flat.grad)


def test_the_in_place_sgd_step_is_the_checked_one_to_the_last_bit(monkeypatch):
    # The step writes p - lr * g in place when the sizes show it cannot overflow, else
    # works it out aside and checks it: the same arithmetic, the same numbers.
    results = []
    for safe in (True, False):
        seq = Sequential(Linear(3, 4, seed=1), Tanh(), Linear(4, 2, seed=2))
        optimizer = SGD(seq.parameters(), lr=0.3)
        monkeypatch.setattr(type(optimizer.flat), "moves_safely", lambda self, lr, g, s=safe: s)
        rng = np.random.default_rng(3)
        for _ in range(3):
            optimizer.zero_grad()
            cross_entropy(seq(rng.normal(size=(5, 3))), rng.integers(0, 2, size=5)).backward()
            optimizer.step()
        results.append(np.concatenate([p.data.ravel() for p in seq.parameters()]))
    np.testing.assert_array_equal(results[0], results[1])


def test_an_sgd_step_that_would_overflow_is_not_taken_in_place():
    w = Tensor([1e308, 1.0], "w", requires_grad=True)
    optimizer = SGD([w], lr=1.0)
    with np.errstate(over="ignore"):  # as the steps call it
        assert optimizer.flat.moves_safely(1.0, np.array([1.0, 1.0])) is True  # 1e308 - 1: a float
        assert optimizer.flat.moves_safely(1.0, np.array([-1e308, 0.0])) is False
        assert optimizer.flat.moves_safely(1.0, np.array([np.inf, 0.0])) is False
        assert optimizer.flat.moves_safely(1e300, np.array([1e300, 0.0])) is False  # gg is inf
    w.grad = [-1e308, 0.0]
    with pytest.raises(OverflowError, match=r"new value of parameter 0 is inf at index \(0,\)"):
        optimizer.step()
    assert w.data.tolist() == [1e308, 1.0]
    small = Tensor([1.0, 2.0], requires_grad=True)
    assert SGD([small], lr=0.1).flat.moves_safely(0.1, np.array([3.0, 4.0])) is True


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_in_place_sgd_step_cannot_overflow_even_at_the_largest_float(dtype):
    # The in-place step reads only the gradient: below a quarter of the gap that takes the
    # largest float to infinity (2^970 in float64, 2^103 in float32), lr * g moves even the
    # largest weight to a float; at the limit it is worked out aside, and refused.
    info = np.finfo(dtype)
    largest, gap = float(info.max), 2.0 ** (info.maxexp - info.nmant - 1)  # last step to max
    w = Tensor(np.array([largest, -largest], dtype=dtype), "w", requires_grad=True)
    limit = SGD([w], lr=1.0).flat.step_limit
    assert limit == gap / 8
    # |lr| * ||g|| = 0.99 limit, with each weight pushed outwards by 0.7 limit
    optimizer = SGD([w], lr=0.7 * limit)
    w.grad = np.array([-1.0, 1.0], dtype=dtype)
    with np.errstate(over="ignore"):
        assert optimizer.flat.moves_safely(optimizer.lr, w.grad) is True
    optimizer.step()
    assert w.data.tolist() == [largest, -largest]  # max + (under half a gap) rounds to max
    optimizer = SGD([w], lr=gap / 2)  # exactly half a gap: max + it is infinity
    w.grad = np.array([-1.0, 0.0], dtype=dtype)
    with np.errstate(over="ignore"):
        assert optimizer.flat.moves_safely(optimizer.lr, w.grad) is False
    with pytest.raises(OverflowError, match="new value of parameter 0 is inf"):
        optimizer.step()
    assert w.data.tolist() == [largest, -largest]


def test_optimizer_state_is_one_flat_buffer():
    seq = Sequential(Linear(3, 5, seed=1), Linear(5, 2, seed=2))
    optimizer = Adam(seq.parameters())
    mse_loss(seq(np.ones((4, 3))), np.zeros((4, 2))).backward()
    optimizer.step()
    assert optimizer.m.shape == optimizer.v.shape == (3 * 5 + 5 + 5 * 2 + 2,)


def test_a_step_with_a_nan_gradient_changes_nothing_and_names_the_parameter():
    seq = Sequential(Linear(2, 2, seed=1))
    optimizer = SGD(seq.named_parameters(), lr=0.1)
    before = seq[0].bias.data.copy()
    seq[0].bias.grad = [0.0, float("nan")]
    with pytest.raises(ValueError, match=r"gradient of parameter '0.bias' is nan at index \(1,\)"):
        optimizer.step()
    assert seq[0].bias.data.tolist() == before.tolist()


def test_a_momentum_buffer_that_overflows_changes_nothing_and_warns_nothing(recwarn):
    # buffer = 0.9 * 1e308 + 1e308 is inf: the new weight (p - lr * buf) is then -inf, so
    # checking the new weights catches it without reading the buffer.
    w = Tensor([1.0, 2.0], "w", requires_grad=True)
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    w.grad = [1e308, 0.0]
    optimizer.step()
    kept = (w.data.copy(), optimizer.buffers.copy())
    with pytest.raises(OverflowError, match=r"new value of parameter 0 is -inf at index \(0,\)"):
        optimizer.step()
    assert w.data.tolist() == kept[0].tolist()
    assert optimizer.buffers.tolist() == kept[1].tolist()
    assert [str(w.message) for w in recwarn] == []  # the error says it all: no NumPy warning


def test_values_and_tensors_cannot_share_an_optimizer():
    with pytest.raises(TypeError, match="Values or Tensors, not both"):
        SGD([Tensor([1.0], requires_grad=True), Value(1.0)], lr=0.1)


# -- data ----------------------------------------------------------------------------------


def test_batches_of_arrays_are_arrays_in_the_lists_order():
    xs, ys = np.arange(10.0).reshape(5, 2), np.arange(5.0)
    listed = list(batches(xs.tolist(), ys.tolist(), 2, seed=3))
    arrays = list(batches(xs, ys, 2, seed=3))
    assert [b[1].tolist() for b in arrays] == [b[1] for b in listed]
    assert arrays[0][0].shape == (2, 2)


def test_chainrule_exports_the_tensor_names():
    for name in ("Tensor", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid"):
        assert name in chainrule.__all__
    assert chainrule.Sequential is Sequential and chainrule.Tensor is Tensor


def test_a_module_of_your_own_finds_saves_and_loads_its_linear_layers(tmp_path):
    from nn import Module

    class Net(Module):
        def __init__(self, seed):
            self.fc1 = Linear(2, 3, seed=seed)
            self.fc2 = Linear(3, 1, seed=seed + 1)

        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

    net = Net(1)
    names = [name for name, _ in net.named_parameters()]
    assert names == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    other = Net(5)
    other.load(net.save(tmp_path / "net.json"))
    assert other.fc1.weight.data.tolist() == net.fc1.weight.data.tolist()
    with pytest.raises(ValueError, match=r"'fc2.bias' should have shape \(1,\), got \(2,\)"):
        other.load_state_dict({**net.state_dict(), "fc2.bias": [0.0, 0.0]})


def test_a_float32_network_trains_in_float32():
    weight, bias = np.ones((3, 1), np.float32), np.zeros(3, np.float32)
    model = Sequential(Linear.of(weight, bias), ReLU(), Linear.of(weight.T * 0.1, None))
    x = np.linspace(-1.0, 1.0, 20, dtype=np.float32)
    history = fit(model, Adam(model.parameters(), lr=0.01), x, 2 * x + 1, epochs=3, batch_size=5)
    assert history.train_loss[2] < history.train_loss[0]
    assert [p.dtype for p in model.parameters()] == [np.float32] * 3
    assert model(x.reshape(-1, 1)).dtype == np.float32


def test_fit_makes_lists_arrays_for_a_tensor_model():
    # Lists of samples train a Tensor model as the same arrays would, a batch per call
    # (before, each sample went through the model alone and the loss refused the Tensors).
    x = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    losses = []
    for xs, ys in (
        (x, 2 * x + 1),
        (x.tolist(), (2 * x + 1).tolist()),
        (x[:, 0].tolist(), list(2 * x[:, 0] + 1)),
    ):
        model = Sequential(Linear(1, 4, seed=1), ReLU(), Linear(4, 1, seed=2))
        history = fit(
            model, Adam(model.parameters(), lr=0.01), xs, ys, xs, ys, epochs=2, batch_size=5
        )
        losses.append(history.train_loss + history.val_loss)
    assert losses[0] == losses[1] == losses[2]
    classifier = Sequential(Linear(2, 3, seed=1))
    optimizer = SGD(classifier.parameters(), lr=0.1)
    xs, labels = [[0.0, 1.0], [1.0, 0.0]], [0, 2]  # integer labels stay integers
    history = fit(classifier, optimizer, xs, labels, epochs=1, loss_fn=cross_entropy)
    assert history.train_loss[0] > 0
    model = Sequential(Linear(1, 1, seed=1))
    with pytest.raises(ValueError, match="fit: x_train for a Tensor model must be one table"):
        fit(model, SGD(model.parameters(), lr=0.1), [[1.0], [1.0, 2.0]], [1.0, 2.0], epochs=1)
    with pytest.raises(ValueError, match="fit: y_train must hold numbers, got dtype <U1"):
        fit(model, SGD(model.parameters(), lr=0.1), [[1.0], [2.0]], ["a", "b"], epochs=1)
