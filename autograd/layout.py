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
    def of(cls, source: str, captions: Sequence[str] = ()) -> Layout:
        """Lay out the DOT text `source` once; reserve room above it for the widest of
        `captions` (label texts, DOT-escaped), each drawn in turn by a frame.

        One run of the renderer does both: the graph, and a second small graph holding
        one plain-text node per caption, which measures them in the renderer's own font.
        """
        sources = [source]
        if captions:
            lines = [f"c{k} [label={_quote(text)}]" for k, text in enumerate(captions)]
            sources.append(
                "digraph {\nnode [shape=plaintext fontname=Helvetica margin=0.02]\n"
                + "\n".join(lines)
                + "\n}"
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
        caption = None
        if captions:
            measured = results[1].get("objects", [])
            width = max(float(item["width"]) for item in measured) * POINTS_PER_INCH
            height = max(float(item["height"]) for item in measured) * POINTS_PER_INCH
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
