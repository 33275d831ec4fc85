"""chainrule: the import learners reach for. It re-exports the engine (`autograd`) and the
neural-network library (`nn`), so one line brings everything:

    >>> from chainrule import Value, MLP, draw_dot

The teaching tools live here too: the command line (`python -m chainrule`), the worked
examples (chainrule.examples), grading hand-computed answers (`grade`, chainrule.grading)
and variants of an example with answer keys (`write_variants`, chainrule.variants).
"""

from autograd import *  # noqa: F403
from autograd import __all__ as _autograd_names
from nn import *  # noqa: F403
from nn import __all__ as _nn_names

from .grading import GradeResult, Mark, Tolerance, grade, grade_file
from .variants import make_variants, write_variant, write_variants

__all__ = [
    *_autograd_names,
    *_nn_names,
    "GradeResult",
    "Mark",
    "Tolerance",
    "grade",
    "grade_file",
    "make_variants",
    "write_variant",
    "write_variants",
]
