"""Optimizers: the only step that changes the weights, w <- w - lr * (something like dL/dw).

SGD, Adam and RMSprop use PyTorch's defaults and its exact update formulas (the
single-tensor versions in torch/optim), so the same start and the same gradients give the
same weights as torch.optim in float64. The per-parameter state (momentum buffers, running
averages) is kept in plain lists lined up with the parameter list, and each step is one
loop over them: an optimizer step runs once per batch, so it is written to be fast.

A step is all or nothing: it works out every new weight and state number aside and writes
them only when all are finite (a NaN or infinite gradient always makes some of them so).
Otherwise it raises an error naming the parameter (by name when given
model.named_parameters()) and the gradient or number at fault, and changes nothing.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value
from autograd.tensor_probe import any_tensor, is_tensor

# A running mean square above this freezes RMSprop's parameter (see RMSprop): refused.
SQUARE_AVG_LIMIT = 1e300

# What an optimizer takes: model.parameters() (Values) or model.named_parameters() (pairs).
Parameters = Iterable[Value | tuple[str, Value]]


class Optimizer:
    """Holds the parameters; subclasses define step()."""

    def __init__(self, params: Parameters, lr: float) -> None:
        if isinstance(params, Value):
            raise TypeError("params must be a list of Values, got a single Value; wrap it: [p]")
        if not isinstance(params, Iterable):
            raise TypeError(
                f"params must be a list of Values such as model.parameters(), "
                f"got {type(params).__name__}"
            )
        params = list(params)
        if not params:
            raise ValueError(
                f"{type(self).__name__} got an empty parameter list; "
                "pass the Values to train, e.g. model.parameters()"
            )
        first_place: dict[int, int] = {}
        values: list[Value] = []
        names: list[str | None] = []
        for i, item in enumerate(params):
            name = None
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
                name, item = item  # a (name, Value) pair from named_parameters()
            if not isinstance(item, Value) and not is_tensor(item):
                raise TypeError(
                    f"{type(self).__name__} parameters must be Values, got "
                    f"{type(item).__name__} at index {i} (or (name, Value) pairs, as "
                    "model.named_parameters() gives)"
                )
            if id(item) in first_place:
                raise ValueError(
                    f"parameter {i} is the same Value as parameter {first_place[id(item)]}; "
                    "pass each parameter once (model.parameters() already does)"
                )
            first_place[id(item)] = i
            values.append(item)
            names.append(name)
        self.params = values
        self.names = names  # None where a plain Value was given: messages use its position
        self.lr = _check_number("lr", lr, low=0.0, low_open=True)
        # Tensor parameters: the step works on all of them at once (nn.tensor_optim).
        self.flat = _flat_parameters(values) if any_tensor(values) else None

    def zero_grad(self) -> None:
        """Set every parameter's grad to 0.0; backward() adds into it, so do this first."""
        if self.flat is not None:
            return self.flat.zero_grad()
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _name(self, i: int) -> str:
        name = self.names[i]
        return f"parameter {name!r}" if name is not None else f"parameter {i}"

    def _check_finite(self, data: list[float], **state: list[float]) -> None:
        """Before a step writes anything: raise when a new weight (`data`) or a number of
        the new state (each a list lined up with the parameters) is not finite, naming the
        parameter. A NaN or infinite gradient always makes one of them so, and is named
        first, as a ValueError; a step that overflows is an OverflowError."""
        total = sum(data)  # finite unless some number is not (or the sum overflows)
        for values in state.values():
            total += sum(values)
        if total - total == 0.0:
            return
        name = type(self).__name__
        for i, p in enumerate(self.params):
            g = p.grad
            if g - g != 0.0:
                raise ValueError(
                    f"{name}.step: the gradient of {self._name(i)} is {g!r}, not a finite "
                    "number, so nothing was changed. Look at how that grad was set "
                    "(backward() never stores one), and zero_grad() it."
                )
        state["data"] = data
        for i, p in enumerate(self.params):
            would_be = {key: values[i] for key, values in state.items()}
            if any(x - x != 0.0 for x in would_be.values()):
                what = ", ".join(f"{key} = {x!r}" for key, x in would_be.items())
                raise OverflowError(
                    f"{name}.step: {self._name(i)} (data {p.data!r}, gradient {p.grad!r}) "
                    f"would get {what}, which is not finite, so nothing was changed. The "
                    "gradient or the learning rate is too large: try a smaller lr, or scale "
                    "the loss down."
                )


class SGD(Optimizer):
    """Gradient descent, w <- w - lr * g, with optional momentum (PyTorch's form):
    buf = g on the first step, then buf = momentum * buf + g, and w <- w - lr * buf."""

    def __init__(self, params: Parameters, lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _check_number("momentum", momentum, low=0.0, high=1.0)
        self.buffers: list[float] = []  # empty until the first step with momentum

    def step(self) -> None:
        if self.flat is not None:
            return self.flat.sgd(self)
        lr = self.lr
        momentum = self.momentum
        params = self.params
        if momentum == 0.0:
            buffers = [p.grad for p in params]
        elif not self.buffers:  # the first step: buf = g
            buffers = [p.grad for p in params]
        else:
            buffers = [momentum * buf + p.grad for p, buf in zip(params, self.buffers)]
        # Nothing is written until every new number is known to be finite.
        new_data = [p.data - lr * buf for p, buf in zip(params, buffers)]
        if momentum == 0.0:
            self._check_finite(new_data)
        else:
            self._check_finite(new_data, momentum_buffer=buffers)
            self.buffers = buffers
        for p, data in zip(params, new_data):
            p.data = data

    def __repr__(self) -> str:
        return f"SGD({len(self.params)} parameters, lr={self.lr!r}, momentum={self.momentum!r})"


class Adam(Optimizer):
    """Adam: a running mean of the gradient (m) and of its square (v), bias-corrected for
    their start at 0, give each parameter its own step size lr * m_hat / (sqrt(v_hat) + eps).
    """

    def __init__(
        self,
        params: Parameters,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _check_number("betas[0]", betas[0], low=0.0, high=1.0),
            _check_number("betas[1]", betas[1], low=0.0, high=1.0),
        )
        self.eps = _check_number("eps", eps, low=0.0, high=math.inf)
        self.t = 0  # steps taken, for the bias correction
        self.m = [0.0] * len(self.params)  # running mean of g
        self.v = [0.0] * len(self.params)  # running mean of g * g

    def step(self) -> None:
        if self.flat is not None:
            return self.flat.adam(self)
        beta1, beta2 = self.betas
        t = self.t + 1
        # The constants of this step, once (torch computes them the same way).
        weight = 1.0 - beta1
        one_minus_beta2 = 1.0 - beta2
        step_size = self.lr / (1.0 - beta1**t)
        bias_correction2_sqrt = math.sqrt(1.0 - beta2**t)
        eps = self.eps
        sqrt = math.sqrt
        # The new state and weights are worked out aside, and kept only if all are finite.
        ms: list[float] = []
        vs: list[float] = []
        new_data: list[float] = []
        # One pass, with plain floats in local names: this loop is most of a step's time.
        for p, m, v in zip(self.params, self.m, self.v):
            g = p.grad
            # torch's m.lerp_(g, 1 - beta1). (For beta1 < 0.5 torch's lerp rearranges this
            # as g - (g - m) * beta1, which can differ in the last bit, no more.)
            m = m + weight * (g - m)
            v = v * beta2 + one_minus_beta2 * g * g  # g * g overflows for |g| > 1.3e154
            ms.append(m)
            vs.append(v)
            denom = sqrt(v) / bias_correction2_sqrt + eps
            data = p.data
            # denom is 0 only when eps = 0 and every g * g so far was 0, so m is 0 or next to
            # it; torch would divide by 0 (nan or inf). Nothing to learn yet: leave p alone.
            if denom != 0.0:
                data -= step_size * (m / denom)
            new_data.append(data)
        # An infinite v would freeze a weight for good (m / inf is 0): refuse it, and the rest.
        self._check_finite(new_data, m=ms, v=vs)
        self.t, self.m, self.v = t, ms, vs
        for p, data in zip(self.params, new_data):
            p.data = data

    def __repr__(self) -> str:
        return (
            f"Adam({len(self.params)} parameters, lr={self.lr!r}, betas={self.betas!r}, "
            f"eps={self.eps!r})"
        )


class RMSprop(Optimizer):
    """RMSprop: divide each gradient by the root of its running mean square,
    sq = alpha * sq + (1 - alpha) * g * g, w <- w - lr * g / (sqrt(sq) + eps).

    One huge gradient freezes a parameter: with g = 1e155, sq becomes about 1e308 (as in
    PyTorch), and every later step is lr * g / 1e154, nothing, until sq has shrunk by
    alpha per step for some 70,000 steps. PyTorch carries on silently; this step raises
    an OverflowError naming the parameter instead, and changes nothing, when a running
    mean square would pass SQUARE_AVG_LIMIT (1e300, near the largest float).
    """

    def __init__(
        self,
        params: Parameters,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _check_number("alpha", alpha, low=0.0, high=1.0)
        self.eps = _check_number("eps", eps, low=0.0, high=math.inf)
        self.square_avg = [0.0] * len(self.params)

    def step(self) -> None:
        if self.flat is not None:
            return self.flat.rmsprop(self)
        lr = self.lr
        alpha = self.alpha
        one_minus_alpha = 1.0 - alpha
        eps = self.eps
        sqrt = math.sqrt
        square_avg: list[float] = []  # kept, with the new weights, only if all are finite
        new_data: list[float] = []
        for p, sq in zip(self.params, self.square_avg):
            g = p.grad
            sq = sq * alpha + one_minus_alpha * g * g
            square_avg.append(sq)
            denom = sqrt(sq) + eps
            data = p.data
            if denom != 0.0:  # 0 only when eps = 0 and g * g has always been 0
                data -= lr * (g / denom)
            new_data.append(data)
        self._check_finite(new_data, square_avg=square_avg)  # (an infinite one freezes p)
        self._check_not_frozen(square_avg)
        self.square_avg = square_avg
        for p, data in zip(self.params, new_data):
            p.data = data

    def _check_not_frozen(self, square_avg: list[float]) -> None:
        """Raise before a step that would make a running mean square so large that the
        parameter stops moving (see the class docstring)."""
        if max(square_avg, default=0.0) <= SQUARE_AVG_LIMIT:
            return
        i = next(i for i, sq in enumerate(square_avg) if sq > SQUARE_AVG_LIMIT)
        sq = square_avg[i]
        # sq shrinks by alpha per step; this many steps bring it back to 1 (alpha 0: one).
        steps = math.ceil(math.log(sq) / -math.log(self.alpha)) if self.alpha > 0.0 else 1
        raise OverflowError(
            f"RMSprop.step: the gradient of {self._name(i)} is {self.params[i].grad!r}, which "
            f"would make its running mean square {sq:.3g}: every later step would divide by "
            f"{math.sqrt(sq):.3g} and leave it where it is for about {steps:,} steps. "
            "Nothing was changed; lower the learning rate or scale the loss down."
        )

    def __repr__(self) -> str:
        return (
            f"RMSprop({len(self.params)} parameters, lr={self.lr!r}, alpha={self.alpha!r}, "
            f"eps={self.eps!r})"
        )


def _flat_parameters(params: list[Any]) -> Any:
    from .tensor_optim import FlatParameters  # NumPy: loaded only when Tensors are trained

    return FlatParameters(params)


def _check_number(
    name: str, x: object, *, low: float, high: float = math.inf, low_open: bool = False
) -> float:
    """x as a float in [low, high) ((low, high) when low_open), or an error that says so."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(x).__name__}")
    x = float(x)
    if not math.isfinite(x):
        raise ValueError(f"{name} must be a finite number, got {x!r}")
    too_low = x <= low if low_open else x < low
    if too_low or not x < high:
        if low_open and high == math.inf:
            raise ValueError(f"{name} must be positive, got {x!r}")
        if high == math.inf:
            raise ValueError(f"{name} must be >= {low!r}, got {x!r}")
        raise ValueError(f"{name} must be in [{low!r}, {high!r}), got {x!r}")
    return x
