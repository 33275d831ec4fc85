"""The `chainrule` command line (also `python -m chainrule`): the course's examples from a shell.

    chainrule examples                       list the worked examples
    chainrule example xyz --steps            forward values, backward steps, gradients
    chainrule example 2-2-2 --graph n.svg    ... and the graph as a picture
    chainrule example my.toml --format latex your own example, written out as a derivation
    chainrule expr "f = (x + y) * z" x=-2 y=5 z=-4     an example from one line of text
    chainrule check xyz 2-2-2                every number the source prints, checked
    chainrule example 2-2-2 --html n.html    a page that steps through the pass
    chainrule train line --plot loss.png     the PyTorch lesson's network on y = 2x + 1
    chainrule demo --out demo-output         all of it, into one folder (`make demo`)

This file only reads arguments and prints; the examples live in chainrule/examples.py,
their checks in chainrule/check.py and derivations in chainrule/derive.py.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from autograd import Value
from autograd.expr import ExpressionError
from autograd.themes import THEME_NAMES

from . import examples, exit_status, training
from ._packages import nn  # chainrule's own nn, even beside a learner's nn.py
from .answer_files import tolerance_argument
from .check import check, check_report
from .classroom import write_class
from .derive import FORMATS, derivation
from .gradebook import LMS, write_class_grades
from .grading import EditedExercise, grade_file
from .tables import report
from .variants import write_variants
from .worked import WorkedExample, run_backward, zero_gradients

GRAPH_SUFFIXES = (".svg", ".png", ".dot", ".gv")
PLOT_SUFFIXES = (".png", ".svg", ".pdf")

Number = TypeVar("Number", int, float)


# -- argument types: a bad value is reported by argparse, with the usage, exit status 2 ---


def parsed(text: str, kind: type[Number], expected: str) -> Number:
    """text read as an int or float, or the argparse error saying what was expected."""
    try:
        return kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None


def positive_int(text: str) -> int:
    n = parsed(text, int, "a positive whole number")
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be positive, got {n}")
    return n


def positive_float(text: str) -> float:
    x = parsed(text, float, "a positive number")
    if not (x > 0 and math.isfinite(x)):
        raise argparse.ArgumentTypeError(f"must be a positive finite number, got {text}")
    return x


def _suffixed(text: str, suffixes: Sequence[str]) -> Path:
    """text as a path whose suffix is one of `suffixes` (it picks the file's format)."""
    path = Path(text)
    if path.suffix.lower() not in suffixes:
        raise argparse.ArgumentTypeError(
            f"{text!r} needs one of the suffixes {', '.join(suffixes)} "
            "(the suffix picks the format)"
        )
    return path


def graph_path(text: str) -> Path:
    return _suffixed(text, GRAPH_SUFFIXES)


def folder_path(text: str) -> Path:
    """A folder to write into: a name (never empty), and not a file that exists."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            "needs a folder name, got an empty one (to write here, give '.')"
        )
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a file, not a folder; give a folder (it is created if need be)"
        )
    return path


def plot_path(text: str) -> Path:
    """A file to save a plot in: not a folder, and a suffix that picks the format."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(
            f"{text!r} is a folder; give a file name in it, such as {str(path / 'loss.png')!r}"
        )
    return _suffixed(text, PLOT_SUFFIXES)


def decimals_count(text: str) -> int:
    """--decimals N of every command: digits after the point, 0 to 15."""
    n = parsed(text, int, "a whole number")
    if not 0 <= n <= 15:
        raise argparse.ArgumentTypeError(f"must be from 0 to 15, got {n}")
    return n


def add_drawing_options(parser: argparse.ArgumentParser) -> None:
    """How pictures are drawn: --graph, --frames and --network read these."""
    drawing = parser.add_argument_group("drawing")
    drawing.add_argument(
        "--network", type=graph_path, metavar="FILE", help="draw the network diagram (2-2-2)"
    )
    drawing.add_argument(
        "--decimals", type=decimals_count, metavar="N", help="digits after the point "
        "(default: the slide's)",
    )  # fmt: skip
    drawing.add_argument("--rankdir", choices=["LR", "TB"], default="LR", help="default: LR")
    drawing.add_argument(
        "--dpi", type=positive_float, metavar="N", help="PNG pixels per inch (default 72)"
    )
    drawing.add_argument(
        "--show-constants", action="store_true", help="draw numbers such as the 1/2 as leaves"
    )
    drawing.add_argument(
        "--lecture",
        action="store_true",
        help="draw for a projected 16:9 slide: large text, 3 significant digits (unless "
        "--decimals), a neuron as one node, the step's arithmetic as the caption",
    )
    drawing.add_argument(
        "--theme", choices=THEME_NAMES, help="colours of pictures, frames, deck and page "
        "(default: light; the page follows the reader's system)",
    )  # fmt: skip


def example_name(text: str) -> str:
    """A built-in or library name, or anything that looks like a path (read later)."""
    if text.endswith(".toml") or "/" in text or text in examples.EXAMPLES:
        return text
    known = ", ".join(examples.EXAMPLES)
    raise argparse.ArgumentTypeError(
        f"invalid choice: {text!r} (choose from {known}, or give a .toml file)"
    )


def given_value(text: str) -> tuple[str, float]:
    """NAME=NUMBER, e.g. x=-2."""
    name, equals, number = text.partition("=")
    if not equals or not name.strip().isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=NUMBER such as x=-2, got {text!r}")
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name}={number!r}: not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{name}={number}: not a finite number")
    return name.strip(), value


def deck_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() != ".pdf":
        raise argparse.ArgumentTypeError(f"{text!r} needs the suffix .pdf (a deck of slides)")
    return path


def html_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(f"{text!r} needs the suffix .html (a web page)")
    return path


def add_html_option(command: argparse.ArgumentParser) -> None:
    """--html FILE, for every command that draws a graph: the live step-through page."""
    command.add_argument(
        "--html",
        type=html_path,
        metavar="FILE",
        help="write the step-through page (.html): open it in a browser, press Next or ->",
    )


def save_step_through(
    root: Value,
    path: Path,
    model: nn.MLP | None = None,
    given: Sequence[Value] = (),
    neuron_names: Sequence[Sequence[str]] = (),
    **drawing_options: Any,
) -> Path:
    """Write root's step-through page to path (an error that cannot names the path); with
    a model, the page offers its network diagram as a second view, drawn as --network
    draws it (its inputs named as in the graph, the graph's precision)."""
    from autograd import step_through

    network = None  # drawn by the page while the pass's gradients are in
    if model is not None:
        network = partial(network_diagram, model, root, drawing_options, neuron_names)
    step_through(root, network=network, given=given, **drawing_options).save(path)
    return path


def network_diagram(
    model: nn.MLP,
    root: Value,
    drawing: Mapping[str, Any],
    neuron_names: Sequence[Sequence[str]] | None = None,
) -> Any:
    """The network diagram of --network and the page's network view: the inputs named as
    root's graph names them, the neurons as the example names them, the gradients shown,
    with the graph's precision, lecture and theme (drawing holds draw_dot's options)."""
    return nn.draw_network(
        model,
        input_names=input_names(model, root),
        neuron_names=neuron_names or None,
        show_grad=True,
        decimals=drawing.get("decimals"),
        digits=drawing.get("digits"),
        lecture=bool(drawing.get("lecture")),
        theme=drawing.get("theme"),
    )


def input_names(model: nn.MLP, root: Value) -> list[str] | None:
    """The names root's graph gives model's inputs: the x's of the first neuron's w·x + b
    (i1, i2 in the 2-2-2); None (nn's x1, x2, ...) when the graph does not name them all."""
    from autograd import topological_order

    first = model.layers[0].neurons[0].w[0]
    sums = [n for n in topological_order(root) if n.inputs[:1] == (first,)]
    names = [x.label for x in sums[0].inputs[1:-1:2]] if sums else []
    return names if names and all(names) else None


def add_output_options(command: argparse.ArgumentParser) -> None:
    """The options that say how an example is shown, shared by `example` and `expr`."""
    command.add_argument(
        "--steps", action="store_true", help="print the backward pass one chain-rule step at a time"
    )
    command.add_argument(
        "--graph", type=graph_path, metavar="FILE", help="draw the graph (.svg, .png, .dot)"
    )
    command.add_argument(
        "--frames",
        type=folder_path,
        metavar="DIR",
        help="write one picture per backward step into DIR",
    )
    command.add_argument(
        "--deck",
        type=deck_path,
        metavar="FILE.pdf",
        help="write the backward pass as 16:9 PDF slides, one before the pass and one per step",
    )
    command.add_argument(
        "--format",
        choices=FORMATS,
        dest="fmt",
        help="write it out as a derivation: tables and each parameter's chain rule along "
        "every path (text, markdown, or a LaTeX fragment)",
    )
    command.add_argument(
        "--forward",
        metavar="NAME",
        help="also print forward mode for d/dNAME: the evaluation and tangent traces",
    )
    add_drawing_options(command)
    add_html_option(command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Backpropagation, worked through: the course's examples and networks.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = commands.add_parser("examples", help="list the worked examples")
    listing.set_defaults(run=run_examples)

    example = commands.add_parser(
        "example",
        help="print a worked example: forward values, loss, gradients, update",
        description="Print a worked example as on the slides: forward values, the loss, "
        "every gradient and (for a network) one gradient-descent step. NAME is a built-in "
        "or library example (`chainrule examples` lists them) or a .toml file.",
    )
    example.add_argument("name", type=example_name, metavar="NAME|FILE", help="which example")
    add_output_options(example)
    example.set_defaults(run=run_example)

    expr = commands.add_parser(
        "expr",
        help="an example from one line of text: forward values and every gradient",
        description='Compute an expression such as "q = x + y; f = q * z" at the given '
        "values: every value and every gradient of the last statement's value. Only "
        "arithmetic and the engine's functions are allowed; nothing is run as Python.",
    )
    expr.add_argument("text", metavar="EXPRESSION", help='e.g. "q = x + y; f = q * z"')
    expr.add_argument(
        "given", nargs="*", type=given_value, metavar="NAME=NUMBER", help="e.g. x=-2 y=5 z=-4"
    )
    add_output_options(expr)
    expr.set_defaults(run=run_expr)

    check = commands.add_parser(
        "check",
        help="check every number a source prints against the computed values",
        description="Compare every number an example's source prints with the value "
        "computed, at the printed precision. Exit status 0 when all agree, 1 when one "
        "does not, 2 when a file cannot be read.",
    )
    check.add_argument(
        "names", nargs="+", type=example_name, metavar="NAME|FILE", help="examples to check"
    )
    check.set_defaults(run=run_check)

    train = commands.add_parser(
        "train",
        help="train a network",
        description="Train the PyTorch lesson's 1-16-16-1 ReLU network on y = 2x + 1 "
        "(200 points on [-10, 10], 80/20 split).",
    )
    train.add_argument("task", choices=["line"], help="line: learn y = 2x + 1")
    train.add_argument("--epochs", type=positive_int, default=300, help="default: 300")
    train.add_argument("--lr", type=positive_float, default=0.01, help="default: 0.01")
    train.add_argument("--batch-size", type=positive_int, default=32, help="default: 32")
    train.add_argument(
        "--optimizer", choices=training.OPTIMIZERS, default="adam", help="default: adam"
    )
    train.add_argument("--seed", type=int, default=0, help="weights, split and shuffling")
    train.add_argument(
        "--plot",
        type=plot_path,
        metavar="FILE",
        help="save the loss history plot (.png, .svg, .pdf)",
    )
    train.add_argument("--save", type=Path, metavar="FILE", help="save the weights as JSON")
    train.set_defaults(run=run_train)

    demo = commands.add_parser(
        "demo",
        help="everything: examples, graphs, step frames, a trained network",
        description="Print both worked examples, draw their graphs and the backward steps "
        "of (x + y) * z, and train the line network, writing the pictures into DIR.",
    )
    demo.add_argument("--out", type=folder_path, default=Path("demo-output"), metavar="DIR")
    demo.add_argument(
        "--epochs", type=positive_int, default=300, help="for the line network; default: 300"
    )
    demo.set_defaults(run=run_demo)
    add_variant_command(commands)
    add_grade_command(commands)
    return parser


# -- the commands ------------------------------------------------------------------------


def run_examples(args: argparse.Namespace) -> list[Path]:
    summaries = examples.summaries()
    width = max(map(len, summaries))
    for name, summary in summaries.items():
        print(f"{name:<{width}}  {summary}")
    return []


def run_example(args: argparse.Namespace) -> list[Path]:
    return show_as_asked(examples.load(args.name), args)


def show_as_asked(example: WorkedExample, args: argparse.Namespace) -> list[Path]:
    """show_example with the output and drawing options of `example` and `expr`."""
    drawing = {
        "decimals": args.decimals,
        "rankdir": args.rankdir,
        "show_constants": args.show_constants,
        "lecture": args.lecture,
        "theme": args.theme,
    }
    if args.forward is not None:  # a name that is not an input fails before printing
        from .forward_trace import forward_report

        trace = forward_report(example, args.forward, args.decimals)
    written = show_example(
        example, steps=args.steps, graphs=[] if args.graph is None else [args.graph],
        frames=args.frames, fmt=args.fmt, html=args.html, network=args.network, dpi=args.dpi,
        drawing=drawing, deck=args.deck,
    )  # fmt: skip
    if args.forward is not None:
        print(f"\n{trace}")
    return written


def run_expr(args: argparse.Namespace) -> list[Path]:
    given: dict[str, float] = {}
    for name, value in args.given:
        if name in given:
            raise ExpressionError(f"{name} is given twice; give each name one number")
        given[name] = value
    return show_as_asked(examples.from_expr(args.text, given), args)


def run_check(args: argparse.Namespace) -> int:
    """Print each example's check; 1 if any printed number differs, else 0."""
    loaded = [examples.load(name) for name in args.names]  # every file read before printing
    reports, status = [], 0
    for example in loaded:
        findings = check(example)
        reports.append(check_report(example, findings))
        if not all(f.ok for f in findings):
            status = 1
    print("\n\n".join(reports))
    return status


def show_example(
    example: str | WorkedExample,
    *,
    steps: bool = False,
    graphs: Sequence[Path] = (),
    frames: Path | None = None,
    fmt: str | None = None,
    network: Path | None = None,
    dpi: float | None = None,
    drawing: dict[str, Any] | None = None,
    html: Path | None = None,
    deck: Path | None = None,
) -> list[Path]:
    """Print one worked example (by name, or as loaded); draw its graph, its backward
    steps, its deck and its network when asked. fmt ("text", "markdown", "latex") prints
    it as a derivation; drawing holds draw_dot's options (decimals None: the slide's
    precision, or a lecture's three significant digits with lecture=True). Every view
    writes its numbers with one precision: drawing's decimals (--decimals) when given, else
    the example's (WorkedExample.precision); a lecture's pictures, unless --decimals is
    given, their own."""
    if isinstance(example, str):
        example = examples.build(example)
    # Roles coloured (inputs, parameters, output): the parameters the example's update
    # changes are its parameters, whatever their names; the targets drawn as constants.
    parameters = {example.values[name]: (name,) for name in example.parameters}
    options = {
        "color_roles": True,
        "constants": example.constant_values(),
        **({"group_by": parameters} if parameters else {}),
        **(drawing or {}),
    }
    if options.get("decimals") is not None:
        example.decimals = options["decimals"]  # --decimals: the tables' precision too
    if options.get("decimals") is not None or not options.get("lecture"):
        options["decimals"] = example.precision
    model = network_of(example) if network is not None else None  # fails before printing
    trace = run_backward(example, steps=steps)
    if fmt is None:
        print(report(example, steps=trace))
    else:
        print(derivation(example, fmt, steps=trace))
    written: list[Path] = []
    if graphs:
        from autograd import draw_dot

        picture = draw_dot(example.root, **options)
        for path in graphs:
            with writing(path):
                written.append(Path(picture.save(path, dpi=dpi)))
    if model is not None and network is not None:
        diagram = network_diagram(model, example.root, options, example.neurons)
        with writing(network):
            written.append(Path(diagram.save(network, dpi=dpi)))
    if html is not None:  # records its own pass from zero and leaves the gradients be
        given = [example.values[name] for name in example.given]  # the forward pass's order
        written.append(
            save_step_through(example.root, html, example.model, given, example.neurons, **options)
        )
    if frames is not None:
        from autograd import save_step_frames

        # The frames replay the backward pass from zero gradients: step_00 before it,
        # then one picture per step.
        zero_gradients(example)
        make_folder(frames)
        written.extend(save_step_frames(example.root, frames, dpi=dpi, **options))
    if deck is not None:
        from autograd.deck import save_deck

        zero_gradients(example)  # the deck replays the pass from zero gradients too
        slides = {k: v for k, v in options.items() if k != "lecture"}  # always a lecture's
        if (drawing or {}).get("decimals") is None:  # ... and its precision, unless asked
            slides["decimals"] = None
        with writing(deck):
            written.append(Path(save_deck(example.root, deck, **slides)))
    return written


def network_of(example: WorkedExample) -> nn.MLP:
    """The example's network as an nn MLP sharing its Values (read from its [network])."""
    if example.model is None:
        raise ValueError(f"example {example.name} is not a network: it has no diagram to draw")
    return example.model


def run_train(args: argparse.Namespace) -> list[Path]:
    return train_and_report(
        epochs=args.epochs,
        lr=args.lr,
        batch_size=args.batch_size,
        optimizer=args.optimizer,
        seed=args.seed,
        plot=args.plot,
        save=args.save,
    )


def train_and_report(
    *,
    epochs: int = 300,
    lr: float = 0.01,
    batch_size: int = 32,
    optimizer: str = "adam",
    seed: int = 0,
    plot: Path | None = None,
    save: Path | None = None,
) -> list[Path]:
    """Train the line network, print how it went and its prediction for x = 12."""
    for path in (plot, save):  # fail before training, not after it
        if path is not None and not path.parent.is_dir():
            raise OSError(f"cannot write {path}: the folder {path.parent} does not exist")
    print(
        f"Training a 1-16-16-1 ReLU MLP on y = 2x + 1: {epochs} epochs, {optimizer} "
        f"lr {lr:g}, batches of {batch_size}, seed {seed}"
    )
    sys.stdout.flush()  # the heading shows before training, also in a file
    run = training.train_line(
        epochs=epochs,
        lr=lr,
        batch_size=batch_size,
        optimizer=optimizer,
        seed=seed,
        progress=progress_display(),
    )
    history = run.history
    print(f"{run.n_train} training points, {run.n_val} validation points")
    print(f"final train loss {history.train_loss[-1]:.6f}, val loss {history.val_loss[-1]:.6f}")
    print()
    print(training.line_prediction(run.model, 12.0))
    written = []
    if plot is not None:
        with writing(plot):
            written.append(training.plot_history(history, plot))
    if save is not None:
        with writing(save):
            run.model.save(save)
        written.append(save)
    return written


def progress_display() -> str | None:
    """How training shows progress: tqdm's bar on a terminal, otherwise a line every tenth
    of the epochs (a bar redrawn in a file or a log is a jumble)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return None if isatty and isatty() else "lines"


def run_demo(args: argparse.Namespace) -> list[Path]:
    out: Path = args.out
    make_folder(out)
    written = show_example(
        "xyz",
        steps=True,
        graphs=[out / "xyz.png", out / "xyz.svg"],
        frames=out / "xyz-steps",
        html=out / "xyz.html",
    )
    print()
    written += show_example(
        "2-2-2",
        graphs=[out / "2-2-2.png", out / "2-2-2.svg"],
        network=out / "2-2-2-network.png",
        html=out / "2-2-2.html",
    )
    print()
    written += train_and_report(
        epochs=args.epochs, plot=out / "line-loss.png", save=out / "line-model.json"
    )
    return written


def add_variant_command(commands: argparse._SubParsersAction) -> None:
    """`chainrule variant`: chainrule/variants.py writes the files (classroom.py a class)."""
    variant = commands.add_parser(
        "variant",
        help="a new version of a worked example, with its answer key",
        description="Write a version of a worked example with other given numbers into DIR: "
        "student.md (the sheet), key.md (the worked solution), answers.toml (blank), "
        "key.toml (filled) and test_answers.py (pytest checks answers.toml). With --roster, "
        "one version per student: DIR/handout/<id>/ (what the student gets) and "
        "DIR/keys/<id>/ (the keys).",
    )
    variant.add_argument(
        "source",
        type=example_source,
        metavar="NAME|FILE",
        help="a worked example's name (chainrule examples lists them) or an example file",
    )
    numbers = variant.add_mutually_exclusive_group(required=True)
    numbers.add_argument("--seed", type=int, help="the same seed, the same files")
    numbers.add_argument(
        "--roster",
        type=Path,
        metavar="FILE.csv",
        help="a class list with a column id: one version per student, from the id and the "
        "course secret",
    )
    variant.add_argument(
        "--secret",
        metavar="TEXT",
        help="with --roster: the course secret (default: the one kept in DIR/keys/, or a new "
        "one, kept there)",
    )
    variant.add_argument("--out", type=folder_path, required=True, metavar="DIR")
    variant.add_argument(
        "--count", type=positive_int, default=1, help="K variants in DIR/variant_01, ..."
    )
    variant.add_argument(
        "--decimals",
        type=decimals_count,
        metavar="N",
        help="the precision answers are graded to (default: the example's, at most 4)",
    )
    variant.add_argument(
        "--keep",
        type=name_list,
        default=[],
        metavar="NAMES",
        help="given numbers to leave as they are, comma-separated (constants)",
    )
    variant.add_argument(
        "--ask",
        type=name_list,
        metavar="WHAT",
        help="what the sheet asks for, comma-separated: forward, gradients, updated, a "
        "value's name, grad:NAME, new:NAME (default: all of it)",
    )
    variant.add_argument(
        "--force", action="store_true", help="overwrite an answers.toml that holds answers"
    )
    variant.add_argument(
        "--handouts",
        action="store_true",
        help="also the sheet and the key as LaTeX documents (student.tex, key.tex) and, "
        "where pdflatex is installed, PDFs",
    )
    variant.add_argument("--no-pictures", action="store_true", help="leave out the graph pictures")
    variant.set_defaults(run=run_variant)


def name_list(text: str) -> list[str]:
    """NAMES, comma-separated: "x, y" -> ["x", "y"]."""
    return [name.strip() for name in text.split(",") if name.strip()]


def example_source(text: str) -> str:
    """A worked example's name or an example file that exists, or a usage error (exit
    status 2) listing the names."""
    if text in examples.EXAMPLES or Path(text).is_file():
        return text
    raise argparse.ArgumentTypeError(
        f"unknown worked example {text!r}; choose one of: {', '.join(examples.EXAMPLES)}, "
        "or give an example file"
    )


def run_variant(args: argparse.Namespace) -> int:
    """Write the files, and say so in one line."""
    options = dict(
        decimals=args.decimals,
        keep=args.keep,
        ask=args.ask,
        pictures=not args.no_pictures,
        force=args.force,
        handouts=args.handouts,
    )
    if args.roster is not None:
        if args.count != 1:
            raise ValueError("--count makes numbered variants; with --roster, leave it out")
        print(write_class(args.source, args.roster, args.out, secret=args.secret, **options))
        return 0
    if args.secret is not None:
        raise ValueError("--secret goes with --roster (a class); a --seed variant has none")
    written = write_variants(args.source, args.out, seed=args.seed, count=args.count, **options)
    what = "a variant" if args.count == 1 else f"{args.count} variants"
    folders = "" if args.count == 1 else " (variant_01 ...)"
    print(f"Wrote {what} of {args.source} to {args.out}{folders}: {len(written)} files.")
    return 0


def add_grade_command(commands: argparse._SubParsersAction) -> None:
    """`chainrule grade`: chainrule/grading.py grades (gradebook.py a class)."""
    grade_parser = commands.add_parser(
        "grade",
        help="grade an answers file, or a class against its keys",
        description="Grade hand-computed answers: DIR/answers.toml (as `chainrule variant` "
        "writes it) or an answers file; with --keys, a folder of submissions, each against "
        "its student's key. Exit status 0 when every answer is right, 1 otherwise, 2 when a "
        "file cannot be read.",
    )
    grade_parser.add_argument("path", type=Path, metavar="DIR|FILE|SUBMISSIONS")
    grade_parser.add_argument(
        "--example",
        metavar="NAME|KEY",
        help="the worked example answered, or a key.toml whose problem to grade against "
        "(default: the answers file's [exercise] table)",
    )
    tolerance = grade_parser.add_mutually_exclusive_group()
    tolerance.add_argument(
        "--decimals", type=decimals_count, metavar="N", help="right to N decimals"
    )
    tolerance.add_argument(
        "--abs-tol",
        type=tolerance_argument("abs_tol"),
        metavar="A",
        help="right within A (0 < A <= 1)",
    )
    grade_parser.add_argument(
        "--rel-tol",
        type=tolerance_argument("rel_tol"),
        metavar="R",
        help="right within R x |exact| (0 < R <= 0.5)",
    )
    grade_parser.add_argument(
        "--json", action="store_true", help="print the marks as JSON (for autograders)"
    )
    grade_parser.add_argument(
        "--reveal",
        action="store_true",
        help="print the expected numbers too (for the instructor; without it a report says "
        "what is wrong and what kind of slip it looks like, never the answer)",
    )
    grade_parser.add_argument(
        "--keys",
        type=Path,
        metavar="DIR/keys",
        help="grade a class: SUBMISSIONS holds <id>/answers.toml or <id>.toml per student, "
        "each graded against DIR/keys/<id>/key.toml",
    )
    grade_parser.add_argument(
        "--csv", type=Path, metavar="FILE", help="with --keys: write the gradebook there"
    )
    grade_parser.add_argument(
        "--lms", choices=LMS, help="with --csv: the columns that system imports"
    )
    grade_parser.add_argument(
        "--assignment", metavar="NAME", help="with --lms: the assignment's column name"
    )
    grade_parser.add_argument(
        "--feedback",
        type=Path,
        metavar="DIR",
        help="with --keys: where each student's feedback file goes (default: DIR/feedback)",
    )
    grade_parser.set_defaults(run=run_grade)


def run_grade(args: argparse.Namespace) -> int:
    """Print the report (or a class's summary line); the exit status is 0 when every answer
    is right, 1 when not (or when the [exercise] table was edited), and 2 when a file
    cannot be read."""
    if args.keys is not None:
        summary, status = write_class_grades(
            args.path,
            args.keys,
            csv_path=args.csv,
            lms=args.lms,
            assignment=args.assignment,
            feedback=args.feedback,
            reveal=args.reveal,
        )
        print(summary)
        return status
    for option in ("csv", "lms", "feedback", "assignment"):
        if getattr(args, option) is not None:
            raise ValueError(f"--{option} goes with --keys (grading a class)")
    tolerance: dict[str, Any] = {}
    if args.decimals is not None:
        tolerance["decimals"] = args.decimals
    if args.abs_tol is not None:
        tolerance["abs_tol"] = args.abs_tol
    if args.rel_tol is not None:
        tolerance["rel_tol"] = args.rel_tol
    try:
        result = grade_file(args.path, args.example, **tolerance)
    except EditedExercise as error:  # a finding: the learner changed their problem
        print(f"chainrule: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # unreadable answers, an unknown name, a bad tolerance
        print(f"chainrule: error: {error}", file=sys.stderr)
        return 2
    reveal = args.reveal
    print(result.to_json(reveal=reveal) if args.json else result.report(reveal=reveal))
    return 0 if result.all_right else 1


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Report a failed write by the path the user gave (not a temporary file's name)."""
    try:
        yield
    except OSError as error:
        if str(error).startswith("cannot write "):  # already named (autograd.files)
            raise
        raise OSError(f"cannot write {path}: {error.strerror or error}") from None


def make_folder(folder: Path) -> None:
    """Create folder (and its parents) unless it exists, with an error that names it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot create the folder {folder}: {error.strerror or error}") from None


# -- entry point -------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status: 0 success, 1 a finding (a wrong
    answer, a printed number that differs, training that diverged), 2 bad input, 130
    interrupted (chainrule/exit_status.py). Errors are one line on stderr."""
    return exit_status.run(lambda: run_command(argv), findings=(nn.TrainingDiverged,))


def run_command(argv: Sequence[str] | None = None) -> int:
    """Parse argv, run the command and list the files it wrote; its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with the usage on a bad argument
    problem = argument_problem(args)
    if problem:
        parser.error(problem)  # (the same: usage, one line, exit status 2)
    written = args.run(args)
    if isinstance(written, int):  # a command with its own exit status (check, grade)
        return written
    if written:
        print()
        print("Wrote:")
        for path in written:
            print(f"  {path}")
    return 0


def argument_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with a combination of arguments that each parsed, or None."""
    pictures = ("graph", "network", "frames")
    if getattr(args, "dpi", None) is not None and not any(getattr(args, p, None) for p in pictures):
        return (
            "--dpi sets the size of a PNG picture: ask for one with --graph, --network or --frames"
        )
    return None
