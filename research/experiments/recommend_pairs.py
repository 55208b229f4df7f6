"""Known pairs for the style embedding: styles trained for the test from the same folder with another seed,
or from a held-back part of a built-in style's folder, should have that built-in style as their nearest
neighbour among all installed styles.

    nice -n 19 .venv/bin/vst-desktop train --styles /work/shared/data/styles/ukiyo_e --preset quick \\
        --seed 1 --no-install --no-evaluate --out /tmp/rec_seed1 --set threads=1
    nice -n 19 .venv/bin/python -m research.experiments.recommend_pairs /tmp/rec_seed1:ukiyo-e ...

Each argument is RUN:EXPECTED, a run folder (its `package/` holds the style, named in the tables by the
run folder's name) and the styles expected to be its nearest neighbour: installed style ids or other run
folders' names, joined by "+" (the nearest must be one of them).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from vst_desktop.recommend.embedding import embed_style
from vst_desktop.recommend.ranking import similar
from vst_desktop.styles.library import StyleLibrary
from vst_desktop.styles.package import StyleMeta, StylePackage


def run_package(run: Path) -> StylePackage:
    folder = run / "package"
    json_file = next(folder.glob("*.json"))
    return StylePackage.in_folder(folder, StyleMeta.load(json_file), builtin=False)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("pairs", nargs="+", help="RUN:EXPECTED_STYLE_ID")
    args = ap.parse_args()
    styles = {p.id: embed_style(p.onnx_path) for p in StyleLibrary().list()}
    expected = {}
    for pair in args.pairs:
        run, want = pair.rsplit(":", 1)
        pkg = run_package(Path(run))
        key = Path(run).name
        styles[key] = embed_style(pkg.onnx_path)
        expected[key] = want.split("+")
    print("| trained style | expected nearest | nearest three (distance) | best rank of expected |")
    print("|---|---|---|---|")
    hits = 0
    for key, want in expected.items():
        order = similar(key, styles)
        ids = [r.style_id for r in order]
        hits += ids[0] in want
        near = ", ".join(f"{r.style_id} ({r.distance:.1f})" for r in order[:3])
        print(f"| {key} | {' or '.join(want)} | {near} | {min(ids.index(w) for w in want) + 1} |")
    print(f"\n{hits} of {len(expected)} have the expected style as nearest neighbour")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
