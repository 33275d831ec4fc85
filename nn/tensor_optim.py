"""The optimizers' steps over Tensor parameters, on one flat buffer.

SGD, Adam and RMSprop (nn.optim) take Tensor parameters too; their step is then this
file's: every parameter's numbers laid end to end in one array, so a step is a handful of
NumPy operations over the whole model instead of one Python loop turn per weight. The
formulas are the scalar ones (PyTorch's), entry by entry, and so is the rule: every new
weight and state number is worked out aside and written only when all are finite.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd.tensor import Tensor, all_finite


class FlatParameters:
    """Tensor parameters seen as one flat vector: parameter i is entries [start_i, stop_i)."""

    def __init__(self, params: list[Any]) -> None:
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"an optimizer takes Values or Tensors, not both: parameter {i} is a "
                    f"{type(p).__name__} among Tensors"
                )
        self.params: list[Tensor] = params
        self.bounds: list[tuple[int, int]] = []
        start = 0
        for p in params:
            self.bounds.append((start, start + p.size))
            start += p.size
        self.size = start
        dtypes = {p.dtype for p in params}
        self.dtype = np.float32 if dtypes == {np.dtype(np.float32)} else np.float64

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size, dtype=self.dtype)

    def grads(self) -> np.ndarray:
        return np.concatenate([p.grad.ravel() for p in self.params])

    def data(self) -> np.ndarray:
        return np.concatenate([p.data.ravel() for p in self.params])

    def write(self, new_data: np.ndarray) -> None:
        """Each parameter's data becomes its slice of new_data (a view, no copy)."""
        for p, (start, stop) in zip(self.params, self.bounds):
            p.data = new_data[start:stop].reshape(p.shape)

    # -- the steps (PyTorch's formulas, as the scalar optimizers write them) -------------

    def sgd(self, opt: Any) -> None:
        g = self.grads()
        if opt.momentum == 0.0:
            buffer = g
        elif not isinstance(opt.buffers, np.ndarray):  # the first step: buf = g
            buffer = g
        else:
            buffer = opt.momentum * opt.buffers + g
        new_data = self.data() - opt.lr * buffer
        self.check(opt, g, new_data, momentum_buffer=buffer)
        if opt.momentum != 0.0:
            opt.buffers = buffer
        self.write(new_data)

    def adam(self, opt: Any) -> None:
        beta1, beta2 = opt.betas
        t = opt.t + 1
        m0 = opt.m if isinstance(opt.m, np.ndarray) else self.zeros()
        v0 = opt.v if isinstance(opt.v, np.ndarray) else self.zeros()
        g = self.grads()
        m = m0 + (1.0 - beta1) * (g - m0)  # torch's m.lerp_(g, 1 - beta1)
        v = v0 * beta2 + (1.0 - beta2) * g * g
        step_size = opt.lr / (1.0 - beta1**t)
        denom = np.sqrt(v) / np.sqrt(1.0 - beta2**t) + opt.eps
        new_data = self.data() - step_size * _divide(m, denom)
        self.check(opt, g, new_data, m=m, v=v)
        opt.t, opt.m, opt.v = t, m, v
        self.write(new_data)

    def rmsprop(self, opt: Any) -> None:
        sq0 = opt.square_avg if isinstance(opt.square_avg, np.ndarray) else self.zeros()
        g = self.grads()
        square_avg = sq0 * opt.alpha + (1.0 - opt.alpha) * g * g
        denom = np.sqrt(square_avg) + opt.eps
        new_data = self.data() - opt.lr * _divide(g, denom)
        self.check(opt, g, new_data, square_avg=square_avg)
        opt.square_avg = square_avg
        self.write(new_data)

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


def _divide(a: np.ndarray, denom: np.ndarray) -> np.ndarray:
    # denom is 0 only where eps = 0 and every gradient so far was 0: nothing to learn there
    # yet, so that entry does not move (the scalar optimizers do the same).
    if denom.all():
        return a / denom
    return np.divide(a, denom, out=np.zeros_like(a), where=denom != 0.0)
