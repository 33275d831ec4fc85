"""The optimizers' steps over Tensor parameters, on one flat buffer.

SGD, Adam and RMSprop (nn.optim) take Tensor parameters too; their step is then this
file's: every parameter's numbers laid end to end in one array, so a step is a handful of
NumPy operations over the whole model instead of one Python loop turn per weight. The
formulas are the scalar ones (PyTorch's), entry by entry, and so is the rule: every new
weight and state number is worked out aside and written only when all are finite. (Plain
SGD writes p - lr * g in place when lr * g is shown too small to take any weight to
infinity: the same numbers, without the copy.)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd.tensor import Tensor, all_finite

# A step runs with NumPy's floating-point warnings off: an overflow on the way makes a
# number that is not finite, and check() reports that by name before anything is written,
# so a warning would only say it twice.
_quietly = np.errstate(all="ignore")


class FlatParameters:
    """Tensor parameters laid out end to end in one array, and their gradients in another:
    parameter i's data and grad are views of entries [start_i, stop_i) of the two, so a step
    reads and writes the whole model at once, without gathering or copying it first."""

    def __init__(self, params: list[Any]) -> None:
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"an optimizer takes Values or Tensors, not both: parameter {i} is a "
                    f"{type(p).__name__} among Tensors"
                )
        dtypes = {p.dtype for p in params}
        if len(dtypes) > 1:
            raise TypeError(
                f"an optimizer's Tensors must share one dtype, got {sorted(map(str, dtypes))}"
            )
        self.params: list[Tensor] = params
        self.bounds: list[tuple[int, int]] = []
        start = 0
        for p in params:
            self.bounds.append((start, start + p.size))
            start += p.size
        self.size = start
        self.dtype = params[0].dtype
        # (moves_safely) Half the gap between the largest float and the one below it is the
        # smallest amount that, added to the largest float, rounds to infinity: 2^970 in
        # float64 (2^103 in float32). A quarter of it leaves room for rounding on the way.
        info = np.finfo(self.dtype)
        self.step_limit = 2.0 ** (info.maxexp - info.nmant - 4)
        self.sum_error = self.size * float(info.eps)  # (how far a sum of squares may be off)
        self.data = np.zeros(self.size, dtype=self.dtype)
        self.grad = np.zeros(self.size, dtype=self.dtype)
        self.data_views = [self.data[a:b].reshape(p.shape) for p, (a, b) in self._each()]
        self.grad_views = [self.grad[a:b].reshape(p.shape) for p, (a, b) in self._each()]
        self._scratch: dict[str, np.ndarray] = {}
        self.lay_out()
        for p, view in zip(params, self.grad_views, strict=True):
            p._home = view  # a gradient from zero is written here, where step() reads it

    def _each(self) -> Any:
        return zip(self.params, self.bounds)

    def lay_out(self) -> None:
        """Make every parameter's data and grad the buffers' views again, copying in what was
        put in their place since (load_state_dict gives a parameter a new array, zero_grad()
        of a model a None)."""
        for i, p in enumerate(self.params):
            view = self.data_views[i]
            if p.data is not view:
                view[...] = p.data
                p.data = view
            view = self.grad_views[i]
            if p._grad is not view:
                view[...] = 0.0 if p._grad is None else p._grad
                p._grad = view

    def zero_grad(self) -> None:
        """Every gradient zero, without writing a number: a grad of None reads as zeros, and
        the next backward pass writes its gradient straight into the buffer (the
        parameter's home) instead of adding it to zeros written first."""
        for p in self.params:
            p._grad = None

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=self.dtype)

    def scratch(self, name: str) -> np.ndarray:
        """A work array of the model's size, kept from step to step (a new one each step
        would cost the system a fresh page of memory per 512 numbers)."""
        array = self._scratch.get(name)
        if array is None:
            array = self._scratch[name] = np.empty(self.size, dtype=self.dtype)
        return array

    # -- the steps (PyTorch's formulas, as the scalar optimizers write them) -------------

    def moves_safely(self, lr: float, g: np.ndarray) -> bool:
        """Whether p - lr * g is finite in every entry where p is, shown without working it
        out aside, and without reading the weights: every |lr * g_i| is at most
        |lr| * ||g||, and when that is below step_limit (a quarter of the gap that takes the
        largest float to infinity), even the largest weight minus it rounds to a float, at
        worst the largest one. (The sum of squares is off by at most its size times eps, a
        factor under 2 here, which the quarter covers.) When it says no, the step is worked
        out aside and checked, and its error names the entry. A weight that is not finite
        already (only writing into .data by hand makes one, and the forward pass refuses
        it) is not looked for. Called, as the steps are, with NumPy's overflow warning off.
        """
        if self.sum_error >= 0.5:  # a float32 model of over 8 million numbers: check aside
            return False
        gg = float(np.dot(g, g))
        return abs(lr) * math.sqrt(gg) < self.step_limit  # (False for an inf or a nan)

    @_quietly
    def sgd(self, opt: Any) -> None:
        self.lay_out()
        g = self.grad
        if opt.momentum == 0.0 and self.moves_safely(opt.lr, g):
            # p -= lr * g in place: shown not to overflow beforehand, so nothing is half-done
            step = np.multiply(g, opt.lr, out=self.scratch("new"))
            np.subtract(self.data, step, out=self.data)
            return
        if opt.momentum == 0.0:
            buffer = g
        elif not isinstance(opt.buffers, np.ndarray):  # the first step: buf = g
            buffer = g.copy()
        else:
            buffer = opt.momentum * opt.buffers + g
        new_data = np.multiply(buffer, opt.lr, out=self.scratch("new"))  # p - lr * buf
        np.subtract(self.data, new_data, out=new_data)
        # The new weights alone are checked: they are finite only if the momentum buffer is
        # (lr * inf is inf, and 0 * inf is nan), so checking it too would read it twice.
        self.check(opt, g, new_data)
        if opt.momentum != 0.0:
            opt.buffers = buffer
        np.copyto(self.data, new_data)

    @_quietly
    def adam(self, opt: Any) -> None:
        self.lay_out()
        beta1, beta2 = opt.betas
        t = opt.t + 1
        m0 = opt.m if isinstance(opt.m, np.ndarray) else self.zeros()
        v0 = opt.v if isinstance(opt.v, np.ndarray) else self.zeros()
        g = self.grad
        # m = m + (1 - beta1) * (g - m): torch's m.lerp_(g, 1 - beta1)
        m = np.subtract(g, m0, out=self.scratch("m"))
        m *= 1.0 - beta1
        m += m0
        # v = v * beta2 + (1 - beta2) * g * g
        v = np.multiply(g, 1.0 - beta2, out=self.scratch("v"))
        v *= g
        v += np.multiply(v0, beta2, out=self.scratch("work"))
        # p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
        denom = np.sqrt(v, out=self.scratch("denom"))
        denom /= np.sqrt(1.0 - beta2**t)
        denom += opt.eps
        new_data = _divide(m, denom, self.scratch("new"))
        new_data *= opt.lr / (1.0 - beta1**t)
        np.subtract(self.data, new_data, out=new_data)
        self.check(opt, g, new_data, m=m, v=v)
        # Keep the new state; last step's arrays become next step's work arrays.
        self._scratch["m"], self._scratch["v"] = m0, v0
        opt.t, opt.m, opt.v = t, m, v
        np.copyto(self.data, new_data)

    @_quietly
    def rmsprop(self, opt: Any) -> None:
        self.lay_out()
        sq0 = opt.square_avg if isinstance(opt.square_avg, np.ndarray) else self.zeros()
        g = self.grad
        # square_avg = square_avg * alpha + (1 - alpha) * g * g
        square_avg = np.multiply(g, 1.0 - opt.alpha, out=self.scratch("square_avg"))
        square_avg *= g
        square_avg += np.multiply(sq0, opt.alpha, out=self.scratch("work"))
        denom = np.sqrt(square_avg, out=self.scratch("denom"))
        denom += opt.eps
        new_data = _divide(g, denom, self.scratch("new"))  # p - lr * g / (sqrt(sq) + eps)
        new_data *= opt.lr
        np.subtract(self.data, new_data, out=new_data)
        self.check(opt, g, new_data, square_avg=square_avg)
        self._scratch["square_avg"] = sq0
        opt.square_avg = square_avg
        np.copyto(self.data, new_data)

    def check(self, opt: Any, g: np.ndarray, new_data: np.ndarray, **state: np.ndarray) -> None:
        """Raise, naming the parameter, when a gradient, a new weight or a new state number
        is not finite; then nothing has been written."""
        if all_finite(new_data) and all(all_finite(x) for x in state.values()):
            return
        name = type(opt).__name__
        for what, array, error in (
            ("the gradient", g, ValueError),
            ("the new value", new_data, OverflowError),
            *((f"the new {key}", x, OverflowError) for key, x in state.items()),
        ):
            if all_finite(array):
                continue
            index = int(np.argwhere(~np.isfinite(array))[0][0])
            i = next(k for k, (start, stop) in enumerate(self.bounds) if start <= index < stop)
            where = np.unravel_index(index - self.bounds[i][0], self.params[i].shape)
            at = tuple(int(n) for n in where)
            fix = (
                "Look at how that grad was set (backward() never stores one), and zero_grad() it."
                if error is ValueError
                else "The gradient or the learning rate is too large: try a smaller lr."
            )
            raise error(
                f"{name}.step: {what} of {opt._name(i)} is {float(array[index])!r} at index "
                f"{at}, not a finite number, so nothing was changed. {fix}"
            )


def _divide(a: np.ndarray, denom: np.ndarray, out: np.ndarray) -> np.ndarray:
    """a / denom into out. denom is 0 only where eps = 0 and every gradient so far was 0:
    nothing to learn there yet, so that entry does not move (as in the scalar optimizers)."""
    if denom.all():
        return np.divide(a, denom, out=out)
    out.fill(0.0)
    return np.divide(a, denom, out=out, where=denom != 0.0)
