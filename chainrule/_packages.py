"""chainrule's own `autograd` and `nn`, found by where chainrule is installed.

chainrule installs three packages side by side: chainrule, autograd and nn. The other two
names are common ones. A learner's own nn.py in the current folder comes first on sys.path,
and the PyPI project `autograd` (HIPS autograd, a different library) installs a package of
the same name, replacing chainrule's. So chainrule does not import its siblings by name
alone: it takes `nn` from its own folder, under a private name when another `nn` is in the
way (the learner's nn.py stays theirs), and uses `autograd` only after checking that it is
chainrule's, saying how to repair the environment when it is not.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

# The folder holding chainrule/, autograd/ and nn/ (site-packages, or a checkout).
HOME = Path(__file__).resolve().parent.parent


def _is_file(path: object, expected: Path) -> bool:
    if not isinstance(path, str):
        return False
    try:
        return Path(path).resolve() == expected.resolve()
    except OSError:
        return False


def _import_if_ours(name: str) -> ModuleType | None:
    """The module `name` if importing it by name gives the one in HOME, else None."""
    expected = HOME / name / "__init__.py"
    module = sys.modules.get(name)
    if module is None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not _is_file(spec.origin, expected):
            return None
        module = importlib.import_module(name)
    return module if _is_file(getattr(module, "__file__", None), expected) else None


def own_nn() -> ModuleType:
    """chainrule's nn: the module `nn` when that is it, else loaded from HOME/nn as
    `chainrule._nn` (a learner's nn.py keeps the name `nn`)."""
    module = _import_if_ours("nn")
    if module is not None:
        return module
    if "chainrule._nn" in sys.modules:
        return sys.modules["chainrule._nn"]
    init = HOME / "nn" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "chainrule._nn", init, submodule_search_locations=[str(init.parent)]
    )
    if spec is None or spec.loader is None or not init.is_file():
        raise ImportError(
            f"chainrule's nn package is missing from {init.parent}; to repair: "
            f"{_reinstall(sys.executable or 'python')} {_FROM_WHERE}"
        )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[spec.name]
        raise
    return module


def own_autograd() -> ModuleType:
    """chainrule's autograd, or an ImportError that says what is in its place and how to
    repair the environment."""
    try:
        module = _import_if_ours("autograd")
    except ImportError as error:  # ours is there but broken, e.g. half overwritten
        raise ImportError(_autograd_clash(f"importing it failed: {error}")) from error
    if module is not None and getattr(module, "Value", None) is not None:
        return module
    if module is not None:  # our folder, but another project's __init__.py in it
        raise ImportError(_autograd_clash(f"{module.__file__} is not chainrule's"))
    raise ImportError(_autograd_clash(f"`import autograd` finds {_where('autograd')}"))


def _where(name: str) -> str:
    """Where the module `name` comes from, for a message."""
    module = sys.modules.get(name)
    if module is not None:
        return getattr(module, "__file__", None) or f"a module {name} without a file"
    spec = importlib.util.find_spec(name)
    if spec is None:
        return "nothing"
    if spec.origin is None:  # a namespace package: a folder without __init__.py
        return f"folder {', '.join(spec.submodule_search_locations or [])} without __init__.py"
    return spec.origin


def _reinstall(python: str) -> str:
    return f"{python} -m pip install --force-reinstall --no-deps chainrule"


_FROM_WHERE = (
    "(Reinstall from where chainrule came from: its name, a path or a URL; in a checkout, "
    "pip install -e .)"
)


def _autograd_clash(what: str) -> str:
    """The message for an `autograd` that is not chainrule's: what was found, why, the fix."""
    init = HOME / "autograd" / "__init__.py"
    python = sys.executable or "python"  # this environment's pip, not whichever is first
    try:
        hips = importlib.metadata.version("autograd")
    except importlib.metadata.PackageNotFoundError:
        hips = None
    lines = [f"chainrule cannot use the autograd package it finds: {what}."]
    if hips is not None:
        lines += [
            f"The PyPI project 'autograd' {hips} (HIPS autograd) is installed in this "
            "environment. It is a different library that also installs a package named "
            "autograd, and it has replaced chainrule's engine. To repair:",
            f"    {python} -m pip uninstall autograd",
            f"    {_reinstall(python)}",
            "Uninstalling autograd deletes the autograd/__init__.py both projects installed, "
            f"so chainrule must be reinstalled after it. {_FROM_WHERE} In a notebook, use %pip.",
        ]
    elif not init.is_file():
        lines += [
            f"chainrule's own {init} is missing (uninstalling the PyPI project 'autograd' "
            "deletes it, as both install that file). To repair:",
            f"    {_reinstall(python)}",
            _FROM_WHERE,
        ]
    else:
        lines += [
            f"chainrule's engine is {init.parent}. If the autograd found is a file or folder "
            "of your own (autograd.py), rename it, e.g. to my_autograd.py.",
        ]
    return "\n".join(lines)


if TYPE_CHECKING:
    import autograd
    import nn
else:
    autograd = own_autograd()
    nn = own_nn()
