"""The structure of a graph's picture, worked out once: what is drawn, named and where.

`Drawing.of(root, options)` checks the drawing options once (DrawingOptions) and decides
everything that stays the same while a backward pass is shown: which Values get a box,
the name of each (autograd/names.py), the numbers written into their operations ("× 0.5"),
the columns by depth in reading order, and the boxes of a model's neurons and layers. Each
picture (draw_dot's, or one frame per step) is then written from it as DOT text: `graph`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast

from .backward import topological_order
from .engine import Value
from .fonts import text_width
from .graph import FONT, Graph, _count, dot_attributes, escape_label
from .layout import CAPTION_NAME, PINNED_ARGS, Layout
from .names import OP_SYMBOLS, grouped, node_names, reading_order
from .printing import check_precision, format_number
from .steps import Step
from .themes import Theme, theme_named

RANKDIRS = ("LR", "TB", "RL", "BT")
DEFAULT_DECIMALS = 4
# A slide shows three significant digits (0.0822, -0.741): as many as a room reads.
LECTURE_DIGITS = 3
FONT_SIZE = 14.0  # points: every word and number in the boxes
LECTURE_CAPTION_SIZE = 22.0  # a lecture frame's caption, the step's arithmetic: the largest
BOX_MARGIN = (0.07, 0.04)  # inches around a box's text, across and down
SLIDE = (1280.0, 720.0)  # a lecture picture is laid out to fit a 16:9 slide

# Operations a number can be written into: "× 0.5", "− 0.01", "2^x".
FOLDABLE = ("+", "-", "*", "/", "**")

# The activations a Neuron applies after its weighted sum: drawn inside the neuron's cluster.
ACTIVATIONS = ("relu", "tanh", "sigmoid")

# The colours (fills by role, the step's highlights, a gradient's sign) are the theme's:
# autograd/themes.py. Tight spacing: a slide is 1280 pixels wide, and the 2-2-2 network
# has 17 columns (13 in a lecture, where a neuron's sum and activation are one node).
GRAPH_ATTRIBUTES = {"fontname": FONT, "ranksep": "0.13", "nodesep": "0.12"}
OP_NODE = {"shape": "ellipse", "margin": "0.03,0.02", "width": "0.3", "height": "0.3"}


def need_value_pass(root: object, what: str) -> None:
    """The error of a picture of the pass per step (frames, decks) asked of something other
    than a Value: a Tensor's pass has its own views."""
    if isinstance(root, Value):
        return
    name = type(root).__name__
    hint = ""
    if name == "Tensor":
        hint = "; a Tensor's pass is played by step_through(root), drawn by draw_dot(root)"
    raise TypeError(f"{what} draw a Value's backward pass, a picture per step; got a {name}{hint}")


@dataclass(frozen=True)
class DrawingOptions:
    """draw_dot's keyword options, checked once."""

    rankdir: str = "LR"
    decimals: int | None = None
    digits: int | None = None
    show_grad: bool = True
    color_roles: bool = False
    grad_sign: bool = False
    group_by: Mapping[Value, Sequence[str]] | None = None
    show_constants: bool = False
    max_nodes: int = 2000
    constants: Sequence[Value] = ()
    lecture: bool = False
    theme: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "constants", tuple(self.constants))
        if not isinstance(self.lecture, bool):
            raise TypeError(f"lecture must be True or False, got {self.lecture!r}")
        theme_named(self.theme)  # an unknown theme fails here
        for x in self.constants:
            if not isinstance(x, Value) or x.inputs:
                raise TypeError(
                    f"constants must be leaf Values (given numbers such as a target), got {x!r}"
                )
        if self.rankdir not in RANKDIRS:
            raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, got {self.rankdir!r}")
        check_precision(self.decimals, self.digits)
        if isinstance(self.max_nodes, bool) or not isinstance(self.max_nodes, int):
            raise TypeError(f"max_nodes must be a whole number, got {self.max_nodes!r}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be at least 1, got {self.max_nodes}")

    @property
    def colors(self) -> Theme:
        return theme_named(self.theme)

    @property
    def precision(self) -> dict[str, int | None]:
        """decimals= and digits= as given; in a lecture that gives neither, three
        significant digits (as number() writes them)."""
        if self.lecture and self.decimals is None and self.digits is None:
            return {"decimals": None, "digits": LECTURE_DIGITS}
        return {"decimals": self.decimals, "digits": self.digits}

    def number(self, x: float) -> str:
        if self.decimals is None and self.digits is None:
            if self.lecture:
                return format_number(x, digits=LECTURE_DIGITS)
            return format_number(x, decimals=DEFAULT_DECIMALS)
        return format_number(x, decimals=self.decimals, digits=self.digits)

    @classmethod
    def named(cls, caller: str, options: Mapping[str, object]) -> DrawingOptions:
        """The options a caller took as **drawing_options; a name that is not a drawing
        option is a TypeError naming it and the caller, not one from deep inside."""
        known = cls.__dataclass_fields__
        unknown = [name for name in options if name not in known]
        if unknown:
            hint = (
                "; for the network view pass network=lambda: draw_network(model)"
                if unknown[0] == "model"
                else ""
            )
            raise TypeError(
                f"{caller} got {unknown[0]}=, which is not a drawing option (they are "
                f"{', '.join(sorted(known))}){hint}"
            )
        return cls(**options)  # type: ignore[arg-type]  # each value is checked there


@dataclass
class Scene:
    """What one frame of the backward pass shows on top of the graph."""

    known: set[Value]  # the gradients complete at this point; every other one shows "?"
    caption: list[str]  # lines of text above the graph
    step: Step | None = None  # the step drawn: its node, input and edge are highlighted
    position: int = 0  # which of step.node's inputs the step serves


# -- the picture's structure: computed once per graph, drawn once per frame ----------------


@dataclass
class Drawing:
    """Everything about a graph's picture that does not change during a backward pass:
    which nodes are drawn, their names, columns and order, and the model's boxes."""

    root: Value
    order: list[Value]  # topological order: node ids are v<k> by place in it
    ids: dict[Value, str]
    names: dict[Value, str]
    folded: dict[Value, int]  # node -> the position of the number written into its op
    drawn: list[Value]  # the Values that get a node of their own
    ranks: list[list[str]]  # DOT names per column, in drawing order ([] with group_by)
    parameters: dict[Value, str] | None
    clusters: dict[Value, Box]  # the box each boxed Value is drawn in
    boxes: dict[Box, str]  # every box's label
    # activation -> the weighted sum drawn inside its node ("σ(Σ w·x + b)"), in a lecture
    merged: dict[Value, Value] = field(default_factory=dict)

    @classmethod
    def of(
        cls, root: Value, options: DrawingOptions, *, merge_neurons: bool | None = None
    ) -> Drawing:
        """The structure of root's picture. merge_neurons (by default, in a lecture) draws
        a neuron's weighted sum and its activation as one operation node, "σ(Σ w·x + b)",
        where the sum has no other use: one column less per layer."""
        if not isinstance(root, Value):
            raise TypeError(f"draw_dot needs a Value to draw, got {type(root).__name__}")
        order = topological_order(root)
        if len(order) > options.max_nodes:
            raise ValueError(
                f"this graph has {len(order)} Values, more than max_nodes={options.max_nodes}, "
                "too many to read in one picture. Draw part of it (pass an intermediate "
                "Value, such as one neuron's output, as root), group it by neuron with "
                "group_by=model.parameter_groups(), "
                f"or raise the limit (draw_dot(root, max_nodes={len(order)}))"
            )
        ids = {node: f"v{k}" for k, node in enumerate(order)}  # by place, never by id()
        parameters, box_of, boxes = _groups(options.group_by)
        folded = {} if options.show_constants else _folded(order, parameters, options.constants)
        if merge_neurons is None:
            merge_neurons = options.lecture
        merged = _merged(order, root) if merge_neurons and not boxes else {}
        hidden = set(merged.values())
        structure = cls(root, order, ids, {}, folded, [], [], parameters, {}, boxes, merged)
        used = {x for node in order if node not in hidden for _, x in structure.operands(node)}
        drawn = [
            node
            for node in order
            if node not in hidden and (node.inputs or node is root or node in used)
        ]
        reading = reading_order(root)
        structure.names = node_names(root, parameters)
        structure.drawn = drawn
        structure.clusters = _assign_clusters(order, box_of)
        structure.ranks = [] if boxes else _ranks(drawn, ids, structure.operands, reading)
        return structure

    def operands(self, node: Value) -> list[tuple[int, Value]]:
        """The inputs drawn as edges into node's operation, each with its position among
        the inputs of the node whose step it carries: a number written into the operation
        has none; a merged neuron's activation takes its weighted sum's inputs."""
        inner = self.merged.get(node)
        if inner is not None:
            return list(enumerate(inner.inputs))
        return [(i, x) for i, x in enumerate(node.inputs) if self.folded.get(node) != i]

    # -- the frames of a backward pass --------------------------------------------------

    def scene_of(self, step: Step, options: DrawingOptions) -> Scene:
        """The scene of one step of backward_steps(root), checked against this graph."""
        steps = [
            (node, i)
            for node in reversed(topological_order(self.root, leaves=False))
            for i in range(len(node.inputs))
        ]
        if not 0 <= step.index < len(steps):
            raise ValueError(
                f"step {step.number} is not a step of this graph's backward pass, which has "
                f"{len(steps)} steps; draw the root that was given to backward_steps"
            )
        node, position = steps[step.index]
        if node is not step.node or node.inputs[position] is not step.input:
            raise ValueError(
                f"step {step.number} ({step}) does not belong to this graph's backward pass; "
                "draw the root that was given to backward_steps"
            )
        pending = {later.inputs[i] for later, i in steps[step.index + 1 :]}
        known = {x for x in self.order if x not in pending}
        return Scene(known, self.caption(step, len(steps), options), step, position)

    def scenes(self, steps: list[Step], gradient: float, options: DrawingOptions) -> list[Scene]:
        """Frame 0 (before the pass) and one scene per step shown, from the recorded steps:
        none for a step into a constant (a `constants=` Value, or a number written into its
        operation), which has no gradient to show; the rest numbered 1 to N."""
        last_use: dict[Value, int] = {}
        for step in steps:
            last_use[step.input] = step.index
        root_name = grouped(self.names[self.root])
        before = [
            "before the backward pass: no gradient is known yet (?)",
            f"step 1 starts from d{root_name}/d{root_name} = {options.number(gradient)}",
        ]
        scenes = [Scene(set(), before)]
        hidden = self.constants(options)
        shown = [step for step in steps if step.input not in hidden]
        position = 0
        for k, step in enumerate(steps):
            position = position + 1 if k and steps[k - 1].node is step.node else 0
            if step.input in hidden:
                continue
            known = {x for x in self.order if last_use.get(x, -1) <= step.index}
            caption = self.caption(step, len(shown), options, len(scenes))
            scenes.append(Scene(known, caption, step, position))
        return scenes

    def constants(self, options: DrawingOptions) -> set[Value]:
        """The leaves shown without a gradient and with no step into them: the constants
        given, and the numbers written into their operations with no box of their own."""
        boxed = set(self.drawn)
        folded = {node.inputs[i] for node, i in self.folded.items()}
        return set(options.constants) | {x for x in folded if x not in boxed}

    def caption(
        self, step: Step, total: int, options: DrawingOptions, number_shown: int | None = None
    ) -> list[str]:
        """Two lines: which gradient the step adds to, and the product, as on the slides.
        number_shown: the step's number among those shown (default: its own). In a lecture
        the derivatives' names are left out of the first line (the picture shows which node
        passes and which receives), so the arithmetic can be large."""
        number = options.number
        root, node, x = (grouped(self.names[v]) for v in (self.root, step.node, step.input))
        shown = step.number if number_shown is None else number_shown
        if options.lecture:
            return [
                f"step {shown} of {total}: {x}.grad += local × upstream",
                f"= {number(step.local)} × {number(step.upstream)} = {number(step.contribution)}",
            ]
        return [
            f"step {shown} of {total}: {x}.grad += d{node}/d{x} × d{root}/d{node}",
            f"= {number(step.local)} (local) × {number(step.upstream)} (upstream) "
            f"= {number(step.contribution)}",
        ]

    def layout(self, options: DrawingOptions, scenes: Sequence[Scene] = ()) -> Layout:
        """One layout for every picture of these scenes: laid out with every gradient
        known (the widest text), with room above for the widest caption. In a lecture,
        a left-to-right picture too long for a 16:9 slide is wrapped (Layout.of)."""
        widest = Scene(known=set(self.order), caption=[])
        return Layout.of(
            self.source(options, widest, pinned_captions=True),
            ["\\n".join(escape_label(line) for line in s.caption) for s in scenes if s.caption],
            LECTURE_CAPTION_SIZE if options.lecture else FONT_SIZE,
            slide=SLIDE if options.lecture and options.rankdir == "LR" else None,
        )

    # -- DOT text ------------------------------------------------------------------------

    def graph(
        self, options: DrawingOptions, scene: Scene | None, layout: Layout | None = None
    ) -> Graph:
        source = self.source(options, scene, layout=layout)
        parameters = {p: self.ids[p] for p in (self.parameters or {}) if p in self.ids}
        return Graph(
            source,
            len(self.drawn),
            sum(1 for node in self.order if node.inputs),
            args=PINNED_ARGS if layout is not None else (),
            parameters=parameters,
            alt=self.describe(options, scene),
        )

    def describe(self, options: DrawingOptions, scene: Scene | None, limit: int = 40) -> str:
        """The picture in words, for its alternative text: a step's caption, the inputs,
        then each operation in reading order ("q = x + y, so q = 3, grad -4"), at most
        `limit` of them."""
        names = self.names

        def value(node: Value) -> str:
            text = f"{names[node]} = {options.number(node.data)}"
            if options.show_grad:
                known = scene is None or node in scene.known
                text += f", grad {options.number(node.grad) if known else '?'}"
            return text

        drawn = set(self.drawn)
        reading = [node for node in reading_order(self.root) if node in drawn]
        operations = [node for node in reading if node.inputs]
        leaves = [node for node in reading if not node.inputs]
        caption = ""  # the caption's lines as sentences; "= ..." continues the line before
        for line in scene.caption if scene is not None else []:
            line = " ".join(line.split())
            caption += (" " if line.startswith("=") else ". ") + line if caption else line
        when = "with its gradients" if options.show_grad else "without gradients"
        parts = [f"{caption[:1].upper()}{caption[1:]}." if caption else ""]
        parts.append(
            f"Computation graph of {names[self.root]} ({_count(len(reading), 'value')}, "
            f"{_count(len(operations), 'operation')}), {when}. "
            f"Inputs: {'; '.join(value(leaf) for leaf in leaves)}."
        )
        clauses = []
        for node in operations:
            named = node.label or node in (self.parameters or {})
            if not named and not re.fullmatch(r"[a-z_]+[0-9]+", names[node]):
                clauses.append(value(node))  # its name is its formula: "target − out"
            else:
                clauses.append(f"{names[node]} = {self.formula(node)}, so {value(node)}")
        if clauses:
            parts.append(f"Operations: {'; '.join(clauses[:limit])}.")
        if len(clauses) > limit:
            parts.append(f"{_count(len(clauses) - limit, 'more operation')} not listed.")
        return " ".join(part for part in parts if part)

    def formula(self, node: Value) -> str:
        """node's operation on its drawn operands in words: "x + y", "σ(net_h1)", "−dot",
        "(a − b)² × 0.5" for a number written into the operation."""
        if node in self.merged:  # "σ(w1·i1 + w2·i2 + b1)": the sum's inputs are w, x, ..., b
            names = [self.names[x] for x in self.merged[node].inputs]
            terms = [f"{w}·{x}" for w, x in zip(names[0:-1:2], names[1:-1:2])]
            return f"{_op_symbol(node)}({' + '.join([*terms, names[-1]])})"
        label = self.op_label(node)
        operands = [
            f"({name})" if " " in name and not name.startswith("(") else name
            for name in (
                self.names[x] for i, x in enumerate(node.inputs) if self.folded.get(node) != i
            )
        ]
        if len(operands) == 1 and label.endswith("x"):  # "−x", "2^x", "1 − x"
            return label[:-1] + operands[0]
        if len(operands) == 1 and label.startswith("x^"):
            return operands[0] + label[1:]
        if node in self.folded:  # "× 0.5"
            return f"{operands[0]} {label}"
        if len(operands) == 2 and str(node.op) in ("+", "-", "*", "/"):
            return f"{operands[0]} {label} {operands[1]}"
        return f"{label}({', '.join(operands)})"

    def source(
        self,
        options: DrawingOptions,
        scene: Scene | None,
        *,
        layout: Layout | None = None,
        pinned_captions: bool = False,
    ) -> str:
        """The DOT text of the picture; with a layout, every position fixed by it."""
        ids, names, colors = self.ids, self.names, options.colors
        step = scene.step if scene is not None else None
        # The step's parts, as on the page: the node passing its gradient and the edge it
        # travels in the passing colour, the input receiving it in the receiving colour
        # with a thicker outline (told apart by more than hue).
        passing = {"color": colors.passing, "penwidth": "3"}
        receiving = {"color": colors.receiving, "penwidth": "4"}
        graph_attributes = {"rankdir": options.rankdir, **GRAPH_ATTRIBUTES}
        if options.lecture:  # boxes closer together: a slide is short
            graph_attributes.update(nodesep="0.05", ranksep="0.12")
        graph_attributes.update(bgcolor=colors.background, fontcolor=colors.text)
        caption_size = LECTURE_CAPTION_SIZE if options.lecture else FONT_SIZE
        if scene is not None and scene.caption and layout is None and not pinned_captions:
            graph_attributes.update(
                label="\\n".join(escape_label(line) for line in scene.caption),
                labelloc="t",
                fontsize=f"{caption_size:g}",
            )
        step_node = step.node if step is not None else None
        step_input = step.input if step is not None else None
        statements: dict[Value, list[str]] = {}
        for node in self.drawn:
            fields = [names[node], f"data {options.number(node.data)}"]
            if options.lecture:  # "w1 = 0.15", or "out_h1" over "= 0.593" when that is long
                fields[1] = f"= {options.number(node.data)}"
            attributes = {"shape": "box", "style": "rounded", "margin": _margin(options)}
            constant = node in options.constants
            if options.color_roles and not constant:
                role = _role(node, self.root, self.parameters)
                attributes.update(style="rounded,filled", fillcolor=getattr(colors, role))
            if constant:  # a given number: no gradient of its own to show
                attributes.update(style="dashed")
            elif options.show_grad and scene is not None and node not in scene.known:
                fields.append("grad ?")
            elif options.show_grad:
                fields.append(f"grad {options.number(node.grad)}")
                if options.grad_sign and node.grad != 0.0:
                    sign_color = colors.negative if node.grad < 0.0 else colors.positive
                    attributes.update(color=sign_color, penwidth="2")
            if node is step_node:
                attributes.update(passing)
            elif node is step_input:
                attributes.update(receiving)
            if options.lecture and len(fields) == 3:
                # On one line when no wider than a gradient's line ("grad -0.000123"): the
                # same in every frame, whatever gradient each shows.
                joined = f"{fields[0]} {fields[1]}"
                if text_width(joined, FONT_SIZE) <= text_width(_typical(options), FONT_SIZE):
                    fields[:2] = [joined]
            # Three lines, one <text> each in an SVG: the name, "data ...", "grad ...".
            attributes["label"] = "\\n".join(escape_label(field) for field in fields)
            attributes["width"] = _box_width(fields)  # as wide as DejaVu Sans needs
            lines = [_statement(ids[node], attributes, layout)]
            if node.inputs:
                text = self.op_label(node)
                written = node.inputs[self.folded[node]] if node in self.folded else None
                if written is not None and written.label:  # its value under its name
                    name = names[written]
                    text = text.replace(name, f"{name}\n({written.data:g})", 1)
                label = "\\n".join(escape_label(line) for line in text.split("\n"))
                op_attributes = dict(OP_NODE, label=label)
                # A neuron's weighted sum, drawn inside its activation's node, passes and
                # receives its gradient there.
                inner = self.merged.get(node)
                if step_node is not None and step_node in (node, inner):
                    op_attributes.update(passing)
                elif inner is not None and step_input is inner:
                    op_attributes.update(receiving)
                lines.append(_statement(ids[node] + "_op", op_attributes, layout))
            statements[node] = lines

        out = ["digraph {", f"graph {dot_attributes(graph_attributes)}"]
        ink = {"fontname": FONT, "fontcolor": colors.text, "color": colors.line}
        out.append(f"node {dot_attributes({**ink, 'fontsize': f'{FONT_SIZE:g}'})}")
        out.append(f"edge {dot_attributes({**ink, 'arrowsize': '0.7'})}")
        out.extend(_clustered(statements, self.clusters, self.boxes, layout))
        for rank in self.ranks:  # columns by depth, kept in reading order
            out.append("{ rank=same; " + "; ".join(rank) + " }")
        edges: list[tuple[str, str, dict[str, str]]] = []
        for node in self.drawn:
            if not node.inputs:
                continue
            op_id = ids[node] + "_op"
            # operands() are the inputs of the merged sum where there is one
            carrying = step_node is not None and step_node is self.merged.get(node, node)
            for i, x in self.operands(node):  # a Value used twice gets two edges
                on_step = carrying and scene is not None and i == scene.position
                edges.append((ids[x], op_id, dict(passing) if on_step else {}))
            on_step = step is not None and step.node is node
            edges.append((op_id, ids[node], dict(passing) if on_step else {}))
        for rank in self.ranks:  # invisible edges hold each column in its order
            for upper, lower in zip(rank, rank[1:]):
                edges.append((upper, lower, {"style": "invis"}))
        seen: dict[tuple[str, str], int] = {}
        for tail, head, attributes in edges:
            if layout is not None:
                occurrence = seen[tail, head] = seen.get((tail, head), -1) + 1
                attributes["pos"] = layout.edge_position(tail, head, occurrence)
            suffix = f" {dot_attributes(attributes)}" if attributes else ""
            out.append(f"{tail} -> {head}{suffix}")
        if layout is not None:
            out.extend(layout.corners())
            if layout.caption is not None and scene is not None:
                box = layout.caption
                text = "\\n".join(escape_label(line) for line in scene.caption)
                caption = {
                    "shape": "plaintext",
                    "margin": "0.02",
                    "fixedsize": "true",
                    "fontsize": f"{caption_size:g}",
                    "label": text,
                    "pos": f"{box.x:.3f},{box.y:.3f}!",
                    "width": f"{box.width / 72:.5f}",
                    "height": f"{box.height / 72:.5f}",
                }
                out.append(f"{CAPTION_NAME} {dot_attributes(caption)}")
        out.append("}")
        return "\n".join(out) + "\n"

    def op_label(self, node: Value) -> str:
        """The operation's symbol, with the number written into it when one was folded."""
        symbol = _op_symbol(node)
        if node in self.merged:  # a neuron drawn as one node: "σ(Σ w·x + b)"
            return f"{symbol}({_op_symbol(self.merged[node])})"
        position = self.folded.get(node)
        if position is None:
            return symbol
        folded = node.inputs[position]
        number = f"{folded.data:g}"
        if folded.label:  # a named constant: "target_o1 − x", its value under it (source)
            number = self.names[folded]
        if str(node.op) == "**":
            return f"{number}^x" if position == 0 else f"x^{number}"
        if position == 1 or str(node.op) in ("+", "*"):
            return f"{symbol} {number}"
        return f"{number} {symbol} x"


# -- layers: columns by depth, each in reading order -------------------------------------


def _ranks(
    drawn: list[Value],
    ids: dict[Value, str],
    operands: Callable[[Value], list[tuple[int, Value]]],
    reading: list[Value],
) -> list[list[str]]:
    """The DOT names in each column, in the order they are drawn (top to bottom for LR).

    Columns count back from the root: a node's distance is the longest path from it to
    the root (a Value and its operation are one step apart), so each layer of a network
    lines up and a value sits just before the first operation that uses it (a long sum
    stays a short staircase instead of edges across the whole picture). The order inside a
    column follows the columns after it (each node goes near the nodes that use it), ties
    broken by reading order: so w1 comes before w2, and h1 before h2.
    """
    consumers: dict[str, list[str]] = {}
    distance: dict[str, int] = {}
    for node in reversed(drawn):  # every use of a node comes before the node itself
        here = distance.setdefault(ids[node], 0)
        if node.inputs:
            op = ids[node] + "_op"
            consumers[op] = [ids[node]]
            distance[op] = here + 1
            for _, x in operands(node):
                consumers.setdefault(ids[x], []).append(op)
                distance[ids[x]] = max(distance.get(ids[x], 0), here + 2)
    farthest = max(distance.values())
    column = {name: farthest - d for name, d in distance.items()}
    place = {ids[node]: k for k, node in enumerate(reading)}
    for node in reading:
        if node.inputs:
            place[ids[node] + "_op"] = place[ids[node]]
    columns: dict[int, list[str]] = {}
    for name, c in column.items():
        columns.setdefault(c, []).append(name)
    position: dict[str, float] = {}
    for c in sorted(columns, reverse=True):  # from the output back to the inputs
        members = columns[c]

        def key(name: str) -> tuple[float, int]:
            after = [position[u] for u in consumers.get(name, []) if u in position]
            return (sum(after) / len(after) if after else 0.5, place.get(name, 0))

        members.sort(key=key)
        for k, name in enumerate(members):
            position[name] = (k + 0.5) / len(members)
    return [columns[c] for c in sorted(columns)]


# -- names and numbers --------------------------------------------------------------------


def _merged(order: list[Value], root: Value) -> dict[Value, Value]:
    """Each activation whose input is a weighted sum used by nothing else (a neuron's
    net input), mapped to that sum: the two can be drawn as one node."""
    uses: dict[Value, int] = {}
    for node in order:
        for x in node.inputs:
            uses[x] = uses.get(x, 0) + 1
    return {
        node: node.inputs[0]
        for node in order
        if node.op in ACTIVATIONS
        and node.inputs[0].op == "wsum"
        and uses[node.inputs[0]] == 1
        and node.inputs[0] is not root
    }


def _typical(options: DrawingOptions) -> str:
    """A gradient's line as wide as most are: the width a lecture box's first line may take."""
    return f"grad {options.number(-0.000123)}"


def _margin(options: DrawingOptions) -> str:
    """The room around a box's text, in inches across and down (less down in a lecture)."""
    across, down = BOX_MARGIN
    return f"{across:g},{down / 2 if options.lecture else down:g}"


def _box_width(lines: Sequence[str]) -> str:
    """A box's least width in inches: its longest line in DejaVu Sans, and the margins.
    Set on every box, so it holds its text in any renderer, whatever that one measures."""
    widest = max(text_width(line, FONT_SIZE) for line in lines)
    return f"{widest / 72 + 2 * BOX_MARGIN[0]:.4f}"


def _folded(
    order: list[Value], parameters: dict[Value, str] | None, constants: Sequence[Value] = ()
) -> dict[Value, int]:
    """For each +, -, *, / or ** node with exactly one operand that is a bare number (an
    unlabeled leaf, not a model's parameter), that operand's position."""
    folded = {}
    for node in order:
        if str(node.op) not in FOLDABLE or len(node.inputs) != 2:
            continue
        bare = [
            (not x.inputs and not x.label and (parameters is None or x not in parameters))
            or x in constants
            for x in node.inputs
        ]
        if bare.count(True) == 1 and node.inputs[0] is not node.inputs[1]:
            folded[node] = bare.index(True)
    return folded


def _op_symbol(node: Value) -> str:
    op = node.op
    if op == "**" and node.const is not None:  # a number exponent: x ** 3 is drawn x^3
        return f"x^{node.const:g}"
    if op == "clamp":
        low, high = cast(tuple[float, float], node.const)  # clamp's constant is its bounds
        return f"clamp [{low:g}, {high:g}]"
    return OP_SYMBOLS.get(str(op), str(op))


def _role(node: Value, root: Value, parameters: dict[Value, str] | None) -> str:
    if node is root:
        return "output"
    if node.inputs:
        return "intermediate"
    if parameters is not None:
        return "parameter" if node in parameters else "input"
    return "parameter" if node.label.startswith(("w", "b")) else "input"


# -- DOT text: statements, quoting, escaping ------------------------------------------------


def _statement(name: str, attributes: dict[str, str], layout: Layout | None) -> str:
    if layout is not None:
        attributes = {**attributes, **layout.node_attributes(name)}
    return f"{name} {dot_attributes(attributes)}"


# -- boxes: each parameter in the boxes a mapping puts it in (a neuron inside a layer) -----

Box = tuple[str, ...]  # a box by its path of labels, outermost first: ("layer 0", "neuron 1")


def _groups(
    group_by: Mapping[Value, Sequence[str]] | None,
) -> tuple[dict[Value, str] | None, dict[Value, Box], dict[Box, str]]:
    """From group_by's mapping of each parameter to (box, inner box, ..., its name): the
    parameters with their names ("w.0"), the innermost box of each, and every box's label,
    in the order the mapping lists them (outer boxes before the boxes inside them)."""
    if group_by is None:
        return None, {}, {}
    if not isinstance(group_by, Mapping):
        raise TypeError(
            "group_by takes a mapping from each parameter Value to the boxes it sits in and "
            "its name, outermost first, e.g. {w: ('layer 0', 'neuron 1', 'w.0')} (an nn "
            f"model gives one: model.parameter_groups()); got {type(group_by).__name__}"
        )
    parameters: dict[Value, str] = {}
    box_of: dict[Value, Box] = {}
    boxes: dict[Box, str] = {}
    for value, place in group_by.items():
        if (
            not isinstance(value, Value)
            or isinstance(place, str)
            or not isinstance(place, Sequence)
            or not place
            or not all(isinstance(part, str) for part in place)
        ):
            raise TypeError(
                "group_by maps a Value to a tuple of strings (its boxes, then its name), "
                f"such as ('layer 0', 'neuron 1', 'w.0'); got {value!r}: {place!r}"
            )
        *where, name = place
        parameters.setdefault(value, name)
        for depth in range(1, len(where) + 1):
            boxes.setdefault(tuple(where[:depth]), where[depth - 1])
        if where:
            box_of.setdefault(value, tuple(where))
    return parameters, box_of, boxes


def _assign_clusters(order: list[Value], box_of: dict[Value, Box]) -> dict[Value, Box]:
    """The box of each Value that has one: a parameter's own; a weighted sum's is that of
    its weights (a neuron's box); an activation applied to a boxed weighted sum joins it."""
    if not box_of:
        return {}
    clusters = dict(box_of)
    for node in order:  # inputs come first, so a weighted sum is placed before its activation
        if node.op == "wsum":
            weights_then_bias = (*node.inputs[0:-1:2], node.inputs[-1])
            for x in weights_then_bias:
                if x in box_of:
                    clusters[node] = box_of[x]
                    break
        elif node.op in ACTIVATIONS and node.inputs[0].op == "wsum":
            if node.inputs[0] in clusters:
                clusters[node] = clusters[node.inputs[0]]
    return clusters


def _clustered(
    statements: dict[Value, list[str]],
    clusters: dict[Value, Box],
    boxes: dict[Box, str],
    layout: Layout | None = None,
) -> list[str]:
    """The node statements, each inside its box, each box inside the box around it (a
    neuron's inside its layer's); boxes with nothing drawn in them are left out."""
    inside: dict[Box, list[str | Box]] = {key: [] for key in boxes}
    out: list[str] = []
    for node, lines in statements.items():
        key = clusters.get(node)
        if key in inside:
            inside[key].extend(lines)
        else:
            out.extend(lines)
    for key in sorted(boxes, key=len, reverse=True):  # the innermost first: filled boxes
        if len(key) > 1 and inside[key]:  # go into the box around them
            inside[key[:-1]].append(key)
    numbers = {key: k for k, key in enumerate(boxes)}

    def block(key: Box) -> list[str]:
        attributes = {"label": escape_label(boxes[key]), "style": "rounded"}
        if layout is not None:  # a box drawn where the layout put it
            attributes["bb"] = layout.clusters.get(f"cluster_{numbers[key]}", "")
        label = dot_attributes(attributes)
        body = [
            line
            for item in inside[key]
            for line in (block(item) if isinstance(item, tuple) else [item])
        ]
        return [f"subgraph cluster_{numbers[key]} {{", f"graph {label}", *body, "}"]

    for key in boxes:
        if len(key) == 1 and inside[key]:
            out.extend(block(key))
    return out
