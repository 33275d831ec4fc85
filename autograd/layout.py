"""One layout, computed once, reused by every picture of the same graph.

Graphviz decides where each node goes (its "layout") and then draws it. Frames of one
backward pass show the same graph with different numbers, so they should share one layout:
the same size, every node where it was. `Layout.of(source)` asks the renderer once for the
positions (its json0 output) of the widest version of the picture; `layout.pin(...)` writes
those positions into each frame's DOT text, which the renderer then only draws (neato -n2:
no layout of its own). The same positions serve the frames, pages and pictures alike.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from .fonts import FONT_FAMILY
from .render import render_many

# Drawing a graph whose positions are all given: neato's "no layout" mode keeps node and
# edge positions exactly as written.
PINNED_ARGS = ("-Kneato", "-n2")

POINTS_PER_INCH = 72.0
CAPTION_GAP = 10.0  # points between the graph and the caption above it
CAPTION_NAME = "caption"


@dataclass(frozen=True)
class Box:
    """A node's centre and size, in points (Graphviz's y axis points up)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Layout:
    """Positions of every node and edge of one picture, and room for a caption."""

    nodes: dict[str, Box]  # by DOT node name
    edges: dict[tuple[str, str], list[str]]  # (tail, head) -> splines ("pos"), as written
    bounds: tuple[float, float, float, float]  # the graph's box: left, bottom, right, top
    caption: Box | None  # where the caption goes (above the graph), when there is one
    clusters: dict[str, str]  # each box's ("cluster_k") corners, as Graphviz writes them

    @property
    def width(self) -> float:
        """The whole picture's width in points, caption included."""
        return self.bounds[2] - self.bounds[0]

    @classmethod
    def of(
        cls,
        source: str,
        captions: Sequence[str] = (),
        caption_size: float = 14,
        *,
        slide: tuple[float, float] | None = None,
    ) -> Layout:
        """Lay out the DOT text `source` once; reserve room above it for the widest of
        `captions` (label texts, DOT-escaped, drawn at caption_size points), each drawn
        in turn by a frame.

        slide: (width, height) of the screen the picture is fitted into, such as
        (1280, 720). A left-to-right graph too long for it is wrapped as a line of text is:
        the columns from some point on move below the first ones, where that makes the
        fitted text larger (see _wrapped).

        One run of the renderer does both: the graph, and a second small graph holding
        one plain-text node per caption, which measures them in the renderer's own font.
        """
        sources = [source]
        if captions:
            lines = [f"c{k} [label={_quote(text)}]" for k, text in enumerate(captions)]
            sources.append(
                f"digraph {{\nnode [shape=plaintext fontname={_quote(FONT_FAMILY)} "
                f"fontsize={caption_size:g} margin=0.02]\n" + "\n".join(lines) + "\n}"
            )
        results = [json.loads(data) for data in render_many(sources, "json0")]
        graph = results[0]
        nodes = {
            item["name"]: Box(
                *_point(item["pos"]),
                float(item["width"]) * POINTS_PER_INCH,
                float(item["height"]) * POINTS_PER_INCH,
            )
            for item in graph.get("objects", [])
            if "pos" in item  # clusters carry a bb instead
        }
        # Edges are matched by their ends (two edges between the same nodes, as a * a has,
        # in the order written): renderers list them in orders of their own.
        name_of = {item["_gvid"]: item["name"] for item in graph.get("objects", [])}
        edges: dict[tuple[str, str], list[str]] = {}
        for edge in sorted(graph.get("edges", []), key=lambda e: e["_gvid"]):
            ends = (name_of[edge["tail"]], name_of[edge["head"]])
            edges.setdefault(ends, []).append(edge.get("pos", ""))
        clusters = {
            item["name"]: item["bb"]
            for item in graph.get("objects", [])
            if "bb" in item and item["name"].startswith("cluster")
        }
        left, bottom, right, top = _numbers(graph["bb"])
        width = height = 0.0  # the widest caption's box
        if captions:
            measured = results[1].get("objects", [])
            width = max(float(item["width"]) for item in measured) * POINTS_PER_INCH
            height = max(float(item["height"]) for item in measured) * POINTS_PER_INCH
        if slide is not None and not clusters:
            nodes, edges, (left, bottom, right, top) = _wrapped(
                nodes, edges, (left, bottom, right, top), slide, (width, height)
            )
        caption = None
        if captions:
            right = max(right, left + width)
            caption = Box((left + right) / 2, top + CAPTION_GAP + height / 2, width, height)
            top += CAPTION_GAP + height
        return cls(nodes, edges, (left, bottom, right, top), caption, clusters)

    def node_attributes(self, name: str) -> dict[str, str]:
        """The attributes that hold node `name` where the layout put it, at its size."""
        box = self.nodes.get(name)
        if box is None:
            raise ValueError(
                f"node {name!r} is not in this layout: the layout was made for another graph "
                "(lay out the graph being drawn)"
            )
        return {
            "pos": f"{box.x:.3f},{box.y:.3f}!",
            "width": f"{box.width / POINTS_PER_INCH:.5f}",
            "height": f"{box.height / POINTS_PER_INCH:.5f}",
        }

    def edge_position(self, tail: str, head: str, occurrence: int) -> str:
        """The spline of the occurrence-th edge (from 0) written from tail to head."""
        splines = self.edges.get((tail, head), [])
        if occurrence >= len(splines):
            raise ValueError(
                f"edge {tail} -> {head} is not in this layout: the layout was made for "
                "another graph (lay out the graph being drawn)"
            )
        return splines[occurrence]

    def corners(self) -> list[str]:
        """Two invisible points at opposite corners, so every frame has the same size
        whatever its labels hold."""
        left, bottom, right, top = self.bounds
        return [
            f'corner_{k} [shape=point style=invis width=0.01 pos="{x:.3f},{y:.3f}!"]'
            for k, (x, y) in enumerate(((left, bottom), (right, top)))
        ]


# Room between the two bands of a wrapped picture, and between the lanes of the edges
# that run from one band to the other.
BAND_GAP = 18.0
LANE = 8.0


def _wrapped(
    nodes: dict[str, Box],
    edges: dict[tuple[str, str], list[str]],
    bounds: tuple[float, float, float, float],
    slide: tuple[float, float],
    caption: tuple[float, float],
) -> tuple[dict[str, Box], dict[tuple[str, str], list[str]], tuple[float, float, float, float]]:
    """A left-to-right layout cut at the gap between two columns, the right part moved under
    the left one, at the cut that makes the picture's text largest when it is fitted to
    slide under a caption of the given (width, height) (the layout as it was when no cut
    helps). An edge from one part to the other is
    routed around the first part's right side, along the gap between the parts and down
    its left side, each in a lane of its own so none crosses another."""
    left, bottom, right, top = bounds
    slide_width, slide_height = slide

    def fitted(width: float, height: float) -> float:
        above = CAPTION_GAP + caption[1] if caption[1] else 0.0
        return min(slide_width / max(width, caption[0]), slide_height / (height + above))

    best, cut = fitted(right - left, top - bottom), None
    spans = sorted((box.x - box.width / 2, box.x + box.width / 2) for box in nodes.values())
    reach = spans[0][1]
    for begin, end in spans[1:]:
        if begin > reach:  # a gap between columns: cut at its middle
            x = (reach + begin) / 2
            first = [b for b in nodes.values() if b.x < x]
            second = [b for b in nodes.values() if b.x >= x]
            n_crossing = sum(1 for t, h in edges if nodes[t].x < x <= nodes[h].x)
            width = max(x - left, right - x + LANE * (n_crossing + 1))
            height = _height(first) + BAND_GAP + LANE * n_crossing + _height(second)
            if fitted(width, height) > best * 1.05:
                best, cut = fitted(width, height), x
        reach = max(reach, end)
    if cut is None:
        return nodes, edges, bounds
    first_bottom = min(b.y - b.height / 2 for b in nodes.values() if b.x < cut)
    second = [b for b in nodes.values() if b.x >= cut]
    second_top = max(b.y + b.height / 2 for b in second)
    second_left = min(b.x - b.width / 2 for b in second)
    crossing = sorted(
        ((t, h) for t, h in edges if nodes[t].x < cut <= nodes[h].x),
        key=lambda ends: -nodes[ends[0]].y,  # from the top down
    )
    n = len(crossing)
    dx = left + LANE * (n + 1) - second_left
    dy = (first_bottom - BAND_GAP - LANE * n) - second_top
    moved = {
        name: Box(box.x + dx, box.y + dy, box.width, box.height) if box.x >= cut else box
        for name, box in nodes.items()
    }
    routed: dict[tuple[str, str], list[str]] = {}
    for (t, h), splines in edges.items():
        if (t, h) in crossing:
            continue
        shift = (dx, dy) if nodes[t].x >= cut else (0.0, 0.0)
        routed[t, h] = [_shifted(spline, *shift) for spline in splines]
    first_right = max(b.x + b.width / 2 for b in nodes.values() if b.x < cut)
    for k, (t, h) in enumerate(crossing):
        tail, head = moved[t], moved[h]
        start = (tail.x + tail.width / 2, tail.y)
        lane_right = first_right + LANE * (n - k)  # the top edge outermost on the right,
        lane_gap = first_bottom - BAND_GAP / 2 - LANE * (n - 1 - k)  # lowest in the gap,
        lane_left = head.x - head.width / 2 - LANE * (k + 1)  # innermost on the left
        tip = (head.x - head.width / 2, head.y)
        corners = [
            start,
            (lane_right, start[1]),
            (lane_right, lane_gap),
            (lane_left, lane_gap),
            (lane_left, tip[1]),
            (tip[0] - 7.0, tip[1]),  # the arrowhead fills the last 7 points
        ]
        routed[t, h] = [_polyline(corners, tip)] * len(edges[t, h])
    new_bottom = min(b.y - b.height / 2 for b in moved.values())
    new_right = max(max(b.x + b.width / 2 for b in moved.values()), first_right + LANE * (n + 1))
    return moved, routed, (left, new_bottom, new_right, top)


def _height(boxes: Sequence[Box]) -> float:
    return max(b.y + b.height / 2 for b in boxes) - min(b.y - b.height / 2 for b in boxes)


def _shifted(spline: str, dx: float, dy: float) -> str:
    """A Graphviz spline ("e,x,y x,y x,y ...") moved by (dx, dy)."""
    if not dx and not dy:
        return spline
    parts = []
    for token in spline.split():
        prefix = token[:2] if token[:2] in ("e,", "s,") else ""
        x, y = _numbers(token[len(prefix) :])
        parts.append(f"{prefix}{x + dx:.3f},{y + dy:.3f}")
    return " ".join(parts)


def _polyline(corners: Sequence[tuple[float, float]], tip: tuple[float, float]) -> str:
    """Straight segments through corners as a Graphviz spline (each segment a cubic Bézier
    with its control points on it), ending in an arrowhead at tip."""
    points = [corners[0]]
    for (x0, y0), (x1, y1) in zip(corners, corners[1:]):
        points += [(x0 + (x1 - x0) / 3, y0 + (y1 - y0) / 3), (x0 + 2 * (x1 - x0) / 3,
                   y0 + 2 * (y1 - y0) / 3), (x1, y1)]  # fmt: skip
    text = " ".join(f"{x:.3f},{y:.3f}" for x, y in points)
    return f"e,{tip[0]:.3f},{tip[1]:.3f} {text}"


def _point(text: str) -> tuple[float, float]:
    x, y = _numbers(text)
    return x, y


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.split(",")]


def _quote(text: str) -> str:
    """text as a DOT quoted string (it is already escaped as a label)."""
    quoted = text.replace('"', '\\"')
    if quoted.endswith("\\"):
        quoted += " "  # DOT would read a backslash right before the closing quote as \"
    return f'"{quoted}"'
