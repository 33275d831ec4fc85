"""chainrule: the import learners reach for. It re-exports the engine (`autograd`) and the
neural-network library (`nn`), so one line brings everything:

    >>> from chainrule import Value, MLP, draw_dot

This is the recommended import, in notebooks above all: it finds chainrule's own `nn` even
when the current folder holds a learner's nn.py (which keeps the name `nn`), and if the PyPI
project `autograd` has replaced chainrule's engine, it says so and how to repair it. The
teaching tools live here too: the command line (`python -m chainrule`), the worked
examples (chainrule.examples), grading hand-computed answers (`grade`, chainrule.grading)
and variants of an example with answer keys (`write_variants`, chainrule.variants).
"""

from ._starting import quiet_ctrl_c_while_starting

quiet_ctrl_c_while_starting()  # only when this process is the `chainrule` command
from typing import TYPE_CHECKING, Any  # noqa: E402

from ._packages import autograd, nn  # noqa: E402

if TYPE_CHECKING:
    from autograd import *  # noqa: F403
    from nn import *  # noqa: F403

# Copy the public names in. The ones autograd and nn load on first use (draw_dot,
# draw_network, ...) are looked up by __getattr__ below, when first asked for.
globals().update({name: vars(nn)[name] for name in nn.__all__ if name in vars(nn)})
globals().update(
    {name: vars(autograd)[name] for name in autograd.__all__ if name in vars(autograd)}
)

# The teaching tools come after the names they import from here (examples takes nn's
# names from chainrule, so a learner's nn.py cannot stand in for them).
from .grading import GradeResult, Mark, Tolerance, grade, grade_file  # noqa: E402
from .variants import make_variants, write_variant, write_variants  # noqa: E402

__all__ = [
    *autograd.__all__,
    *nn.__all__,
    "GradeResult",
    "Mark",
    "Tolerance",
    "grade",
    "grade_file",
    "make_variants",
    "write_variant",
    "write_variants",
]


def __getattr__(name: str) -> Any:
    if name in autograd.__all__:
        return getattr(autograd, name)
    if name in nn.__all__:  # nn's draw_network, also loaded on first use
        return getattr(nn, name)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
