"""chainrule: the import learners reach for. It re-exports the engine (`autograd`) and the
neural-network library (`nn`), so one line brings everything:

    >>> from chainrule import Value, MLP, draw_dot

The teaching tools live here too: the command line (`python -m chainrule`) and the worked
examples (chainrule.examples).
"""

from autograd import *  # noqa: F403
from autograd import __all__ as _autograd_names
from nn import *  # noqa: F403
from nn import __all__ as _nn_names

__all__ = [*_autograd_names, *_nn_names]
