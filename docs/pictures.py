"""Draw the README's pictures again: `.venv/bin/python docs/pictures.py`.

They are drawn with graphviz-pure (even where the system `dot` is installed), which writes
the same bytes on every machine, so redrawing them changes nothing unless the drawing did.
"""

from __future__ import annotations

from pathlib import Path

from autograd import draw_dot, render, step_frames
from chainrule import cli, examples
from nn import draw_network

HERE = Path(__file__).resolve().parent


def main() -> None:
    render.find_dot = lambda: None  # graphviz-pure only: the same bytes everywhere
    xyz = examples.build("xyz")
    xyz.root.backward()
    draw_dot(xyz.root, decimals=xyz.decimals, color_roles=True).save(HERE / "xyz_graph.svg")

    network = examples.build("2-2-2")
    network.root.backward()
    options = {"decimals": network.decimals, "color_roles": True}
    draw_dot(network.root, **options).save(HERE / "2-2-2_graph.svg")
    diagram = draw_network(cli.network_of(network), input_names=["i1", "i2"], decimals=9)
    diagram.save(HERE / "2-2-2_network.svg")

    fresh = examples.build("2-2-2")  # the frames replay the pass from zero gradients
    frames = step_frames(fresh.root, **options)
    frames[9].save(HERE / "2-2-2_step_09.svg")  # step 9 of 36: dE_total/dw5

    # Lecture mode: the same step, for a 16:9 slide (README, "In the lecture hall").
    lecture = examples.build("2-2-2")
    slides = step_frames(
        lecture.root, lecture=True, color_roles=True, constants=lecture.constant_values()
    )
    slides[9].save(HERE / "2-2-2_lecture_step_09.svg")
    for path in sorted(HERE.glob("*.svg")):
        print(path.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
