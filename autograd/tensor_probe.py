"""Whether something is a Tensor, asked without loading NumPy.

The scalar code (draw_dot, backward_steps, the losses, the optimizers) hands a Tensor over
to the vectorized code in one line at its top. It asks here: while autograd.tensor has not
been imported, no Tensor can exist, so the answer is no and NumPy stays unloaded.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

TYPE_CHECKING = False  # typing.TYPE_CHECKING, read by type checkers: `import autograd` skips typing
if TYPE_CHECKING:
    from typing import TypeGuard

    from .tensor import Tensor


def is_tensor(x: object) -> TypeGuard[Tensor]:
    """Whether x is an autograd Tensor (False, without importing anything, before any is)."""
    module = sys.modules.get("autograd.tensor")
    return module is not None and isinstance(x, module.Tensor)


def any_tensor(xs: Iterable[object]) -> bool:
    """Whether some item of xs is a Tensor (xs is only read when a Tensor can exist)."""
    module = sys.modules.get("autograd.tensor")
    return module is not None and any(isinstance(x, module.Tensor) for x in xs)
