"""Optimizers: hand-computed steps, agreement with torch.optim, and argument checks."""

from __future__ import annotations

import random

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, RMSprop, mse_loss


def steps(optimizer_class, grads, **options):
    """Start p at 1.0 and take one step per gradient; the value of p after each."""
    p = Value(1.0)
    optimizer = optimizer_class([p], **options)
    history = []
    for g in grads:
        p.grad = g
        optimizer.step()
        history.append(p.data)
    return history


def test_sgd_steps_against_the_gradient():
    # 1 - 0.1 * 0.5 = 0.95, then 0.95 - 0.1 * 0.5 = 0.9
    assert steps(SGD, [0.5, 0.5], lr=0.1) == pytest.approx([0.95, 0.9], abs=1e-15)


def test_sgd_momentum_keeps_a_running_buffer():
    # buf = 0.5 (first step: the gradient itself), p = 1 - 0.1 * 0.5 = 0.95
    # buf = 0.9 * 0.5 + 0.5 = 0.95,  p = 0.95 - 0.1 * 0.95 = 0.855
    # buf = 0.9 * 0.95 - 1 = -0.145, p = 0.855 + 0.1 * 0.145 = 0.8695
    got = steps(SGD, [0.5, 0.5, -1.0], lr=0.1, momentum=0.9)
    assert got == pytest.approx([0.95, 0.855, 0.8695], abs=1e-15)


def test_adam_steps_by_hand():
    # Step 1, g = 0.5: m = 0.1 * 0.5 = 0.05, v = 0.001 * 0.25 = 0.00025,
    #   m_hat = 0.05 / (1 - 0.9) = 0.5, sqrt(v_hat) = sqrt(0.00025 / (1 - 0.999)) = 0.5,
    #   p = 1 - 0.1 * 0.5 / (0.5 + 1e-8) = 0.900000002
    # Step 2, g = 0.25: m = 0.05 + 0.1 * (0.25 - 0.05) = 0.07,
    #   v = 0.999 * 0.00025 + 0.001 * 0.0625 = 0.00031225,
    #   m_hat = 0.07 / (1 - 0.81) = 0.368421053, v_hat = 0.00031225 / 0.001999 = 0.156203102,
    #   p = 0.900000002 - 0.1 * 0.368421053 / (0.395225381 + 1e-8) = 0.806782040
    got = steps(Adam, [0.5, 0.25], lr=0.1)
    assert got == pytest.approx([0.900000002, 0.806782040], abs=1e-9)


def test_rmsprop_steps_by_hand():
    # Step 1, g = 0.5: sq = 0.01 * 0.25 = 0.0025, p = 1 - 0.01 * 0.5 / (0.05 + 1e-8) = 0.90000002
    # Step 2, g = 0.25: sq = 0.99 * 0.0025 + 0.01 * 0.0625 = 0.0031,
    #   p = 0.90000002 - 0.01 * 0.25 / (0.055677644 + 1e-8) = 0.855098703
    got = steps(RMSprop, [0.5, 0.25], lr=0.01)
    assert got == pytest.approx([0.90000002, 0.855098703], abs=1e-9)


def test_adam_bias_correction_makes_the_first_step_about_lr():
    # m_hat / sqrt(v_hat) = g / |g| on the first step, whatever the gradient's size
    assert steps(Adam, [1e-4], lr=0.01)[0] == pytest.approx(0.99, abs=1e-6)
    assert steps(Adam, [-300.0], lr=0.01)[0] == pytest.approx(1.01, abs=1e-9)


def test_zero_grad_clears_every_parameter():
    params = [Value(1.0), Value(2.0)]
    for p in params:
        p.grad = 3.0
    SGD(params, lr=0.1).zero_grad()
    assert [p.grad for p in params] == [0.0, 0.0]


def test_lr_can_be_changed_between_steps():
    p = Value(1.0)
    optimizer = SGD([p], lr=0.1)
    optimizer.lr = 0.5
    p.grad = 1.0
    optimizer.step()
    assert p.data == 0.5


def test_eps_zero_leaves_parameters_with_no_gradient_yet_in_place():
    # With eps = 0 a parameter whose gradient is 0 would divide 0 by 0; it does not move.
    for optimizer_class in (Adam, RMSprop):
        moved, still = Value(1.0), Value(1.0)
        optimizer = optimizer_class([moved, still], lr=0.1, eps=0.0)
        moved.grad, still.grad = 0.5, 0.0
        optimizer.step()
        assert still.data == 1.0
        assert moved.data < 1.0


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda p: SGD(p, lr=-0.1), ValueError, "lr must be positive, got -0.1"),
        (lambda p: SGD(p, lr=0), ValueError, "lr must be positive, got 0.0"),
        (lambda p: Adam(p, lr=float("nan")), ValueError, "lr must be a finite number"),
        (lambda p: SGD(p, lr="0.1"), TypeError, "lr must be a number, got str"),
        (lambda p: SGD(p, lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0.0, 1.0\)"),
        (lambda p: SGD(p, lr=0.1, momentum=-0.5), ValueError, "momentum must be in"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\] must be in \[0.0, 1.0\)"),
        (lambda p: Adam(p, betas=(-0.1, 0.999)), ValueError, r"betas\[0\] must be in"),
        (lambda p: Adam(p, betas=0.9), ValueError, "betas must be a pair"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, "eps must be >= 0.0, got -1e-08"),
        (lambda p: RMSprop(p, alpha=1.5), ValueError, r"alpha must be in \[0.0, 1.0\)"),
        (lambda p: RMSprop(p, eps=-1.0), ValueError, "eps must be >= 0.0"),
        (lambda p: SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda p: Adam([p[0], 2.0]), TypeError, "must be Values, got float at index 1"),
        (lambda p: Adam(p[0]), TypeError, "got a single Value"),
        (lambda p: Adam(5), TypeError, "must be a list of Values"),
        (lambda p: Adam([p[0], p[0]]), ValueError, "parameter 1 is the same Value as parameter 0"),
    ],
)
def test_constructors_reject_bad_arguments_with_a_message(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0), Value(2.0)])


def test_optimizers_accept_any_iterable_of_values():
    mlp = MLP(1, [2, 1], seed=0)
    assert len(Adam(p for p in mlp.parameters()).params) == 7


# -- agreement with torch.optim in float64 ---------------------------------------------------

OPTIMIZERS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("Adam", {}),  # the defaults must be torch's defaults
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}),
    ("Adam", {"lr": 0.01, "betas": (0.2, 0.9)}),  # beta1 < 0.5: torch's lerp rearranges
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.001, "alpha": 0.9, "eps": 1e-6}),
]


def torch_copy(mlp, torch):
    """The same network as a torch nn.Sequential in float64, with the same weights."""
    activations = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "linear": torch.nn.Identity}
    modules = []
    state = mlp.state_dict()
    for i, layer in enumerate(mlp.layers):
        nin, nout = len(layer.neurons[0].w), len(layer.neurons)
        linear = torch.nn.Linear(nin, nout).double()
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(state[f"layers.{i}.weight"], dtype=torch.float64))
            linear.bias.copy_(torch.tensor(state[f"layers.{i}.bias"], dtype=torch.float64))
        modules += [linear, activations[layer.activation]()]
    return torch.nn.Sequential(*modules)


def torch_state(model):
    """The torch model's weights in our state_dict layout (layers are every other module)."""
    linears = [m for m in model if hasattr(m, "weight")]
    state = {}
    for i, linear in enumerate(linears):
        state[f"layers.{i}.weight"] = linear.weight.detach().tolist()
        state[f"layers.{i}.bias"] = linear.bias.detach().tolist()
    return state


def flat(state):
    return [
        x
        for value in state.values()
        for row in value
        for x in (row if isinstance(row, list) else [row])
    ]


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("name, options", OPTIMIZERS)
def test_training_steps_match_torch_optim_in_float64(name, options, activation):
    torch = pytest.importorskip("torch")
    mlp = MLP(2, [8, 6, 1], activation=activation, seed=11)
    model = torch_copy(mlp, torch)
    ours = {"SGD": SGD, "Adam": Adam, "RMSprop": RMSprop}[name](mlp.parameters(), **options)
    theirs = getattr(torch.optim, name)(model.parameters(), **options)
    rng = random.Random(5)
    for _ in range(25):
        xb = [[rng.uniform(-2, 2), rng.uniform(-2, 2)] for _ in range(4)]
        yb = [x1 * x2 - x1 for x1, x2 in xb]
        loss = mse_loss([mlp(x) for x in xb], yb)
        ours.zero_grad()
        loss.backward()
        ours.step()
        torch_loss = torch.nn.functional.mse_loss(
            model(torch.tensor(xb, dtype=torch.float64)).squeeze(1),
            torch.tensor(yb, dtype=torch.float64),
        )
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
        assert loss.data == pytest.approx(torch_loss.item(), abs=1e-9)
    assert flat(mlp.state_dict()) == pytest.approx(flat(torch_state(model)), abs=1e-9)
    assert flat(mlp.state_dict()) != flat(MLP(2, [8, 6, 1], seed=11).state_dict())  # it moved


def test_the_lessons_adam_training_matches_torch():
    torch = pytest.importorskip("torch")
    mlp = MLP(1, [16, 16, 1], seed=0)
    model = torch_copy(mlp, torch)
    ours = Adam(mlp.parameters(), lr=0.01)
    theirs = torch.optim.Adam(model.parameters(), lr=0.01)
    rng = random.Random(0)
    for _ in range(20):
        xb = [rng.uniform(-10, 10) for _ in range(32)]
        yb = [2 * x + 1 for x in xb]
        loss = mse_loss([mlp([x]) for x in xb], yb)
        ours.zero_grad()
        loss.backward()
        ours.step()
        prediction = model(torch.tensor(xb, dtype=torch.float64).unsqueeze(1)).squeeze(1)
        torch_loss = torch.nn.functional.mse_loss(prediction, torch.tensor(yb, dtype=torch.float64))
        theirs.zero_grad()
        torch_loss.backward()
        theirs.step()
    assert flat(mlp.state_dict()) == pytest.approx(flat(torch_state(model)), abs=1e-9)


# -- a step is all or nothing: non-finite gradients and state are refused ----------------------


def optimizer_state(optimizer):
    """Every number an optimizer keeps, to compare before and after a refused step."""
    numbers = {"data": [p.data for p in optimizer.params]}
    for name in ("buffers", "m", "v", "t", "square_avg"):
        if hasattr(optimizer, name):
            state = getattr(optimizer, name)
            numbers[name] = list(state) if isinstance(state, list) else state
    return numbers


MAKERS = [
    lambda params: SGD(params, lr=0.1),
    lambda params: SGD(params, lr=0.1, momentum=0.9),
    lambda params: Adam(params, lr=0.1),
    lambda params: RMSprop(params, lr=0.1),
]


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_gradient_is_refused_naming_its_position_and_nothing_changes(make, bad):
    params = [Value(1.0), Value(2.0), Value(3.0)]
    optimizer = make(params)
    for p in params:
        p.grad = 0.5
    optimizer.step()  # one good step first, so there is state to keep
    before = optimizer_state(optimizer)
    params[0].grad, params[1].grad, params[2].grad = 0.25, bad, 0.25
    with pytest.raises(ValueError, match=rf"the gradient of parameter 1 is {bad!r}, not a finite"):
        optimizer.step()
    assert optimizer_state(optimizer) == before


def test_a_refused_gradient_is_named_when_the_optimizer_got_named_parameters():
    mlp = MLP(1, [2, 1], seed=0)
    optimizer = Adam(mlp.named_parameters())
    assert optimizer.params == mlp.parameters()
    mlp.layers[1].neurons[0].b.grad = float("nan")
    before = optimizer_state(optimizer)
    with pytest.raises(ValueError, match=r"gradient of parameter 'layers\.1\.neurons\.0\.b'"):
        optimizer.step()
    assert optimizer_state(optimizer) == before


@pytest.mark.parametrize("make", MAKERS)
def test_named_parameters_and_plain_parameters_step_alike(make):
    first, second = MLP(1, [3, 1], seed=4), MLP(1, [3, 1], seed=4)
    by_value, by_name = make(first.parameters()), make(second.named_parameters())
    for model, optimizer in ((first, by_value), (second, by_name)):
        for _ in range(3):
            optimizer.zero_grad()
            mse_loss([model([0.5]), model([-1.0])], [1.0, 2.0]).backward()
            optimizer.step()
    assert first.state_dict() == second.state_dict()


@pytest.mark.parametrize(
    "make, field",
    [(lambda p: Adam(p, lr=0.1), "v = inf"), (lambda p: RMSprop(p, lr=0.1), "square_avg = inf")],
)
def test_a_gradient_that_would_make_the_running_square_infinite_is_refused(make, field):
    # (1 - 0.999) * 1e200 * 1e200 (Adam) or (1 - 0.99) * 1e200 * 1e200 (RMSprop) overflows:
    # stored, it would freeze the parameter for good (its step m / sqrt(inf) is 0 forever).
    params = [Value(1.0, "w"), Value(2.0, "b")]
    optimizer = make([("w", params[0]), ("b", params[1])])
    params[0].grad, params[1].grad = 0.5, 0.5
    optimizer.step()
    before = optimizer_state(optimizer)
    params[0].grad, params[1].grad = 0.5, 1e200
    with pytest.raises(OverflowError, match=rf"parameter 'b' .*gradient 1e\+200.*{field}"):
        optimizer.step()
    assert optimizer_state(optimizer) == before


def test_sgd_step_that_would_make_a_weight_infinite_is_refused():
    p, q = Value(1.0), Value(-1.0)
    optimizer = SGD([p, q], lr=1e300)
    p.grad, q.grad = 1.0, 1e10  # q - 1e300 * 1e10 = -inf
    with pytest.raises(OverflowError, match=r"parameter 1 .*would get data = -inf"):
        optimizer.step()
    assert (p.data, q.data) == (1.0, -1.0)
