"""Validation of the style embedding on known cases (issue: "Styles you may like").

For every built-in painted style, each painting of the folder it was trained from (the style JSON's
`training.config.styles_dir`) is matched against all installed styles; the table gives the rank of the
style's own entry per painting and the top-1 count per style. `--ablate` also measures each feature
block alone and the colour/texture groups, which is how the block weights were chosen.

    nice -n 19 .venv/bin/python -m research.experiments.recommend_validation [--ablate] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.recommend.embedding import EmbeddingCache, embed_style
from vst_desktop.recommend.features import BLOCK_NAMES, COLOUR_BLOCKS, TEXTURE_BLOCKS
from vst_desktop.recommend.known_cases import evaluate, own_folders
from vst_desktop.recommend.ranking import WEIGHTS, picture_embedding
from vst_desktop.styles.library import StyleLibrary


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ablate", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    packages = StyleLibrary().list()
    cache = EmbeddingCache(Path("/tmp") / "vst_recommend_validation" / "embeddings.json")
    styles, cost = {}, {}
    for p in packages:
        t0 = time.perf_counter()
        styles[p.id] = embed_style(p.onnx_path)
        cost[p.id] = time.perf_counter() - t0
        cache.put(p.onnx_path, styles[p.id])
    folders = own_folders(packages)
    paintings = {sid: [(f.name, picture_embedding(read_image(f))) for f in image_files(folder)]
                 for sid, folder in folders.items()}
    res = evaluate(styles, paintings, WEIGHTS)
    print(f"embedding cost per style (s): {json.dumps({k: round(v, 2) for k, v in cost.items()})}")
    print("\n| style | folder | paintings | own-style rank per painting | top-1 |")
    print("|---|---|---|---|---|")
    for sid, rows in res["table"].items():
        ranks = ", ".join(f"{r}" + ("" if r == 1 else f" ({top})") for _, r, top in rows)
        n1 = sum(r == 1 for _, r, _ in rows)
        print(f"| {sid} | {folders[sid].name} | {len(rows)} | {ranks} | {n1}/{len(rows)} |")
    print(f"\nstyles ranked first by most of their own paintings: {res['styles_top1']} of {len(res['table'])}; "
          f"(at least half of them: {res['styles_half_top1']}); "
          f"paintings whose own style ranks first: {res['paintings_top1']} of {res['paintings']}")
    out = {"weights": WEIGHTS, "cost_s": cost, "main": {k: v for k, v in res.items()}}
    if args.ablate:
        groups = {"chosen weights": WEIGHTS, "equal weights": {k: 1.0 for k in BLOCK_NAMES}, "colour": {k: 1.0 for k in COLOUR_BLOCKS},
                  "texture": {k: 1.0 for k in TEXTURE_BLOCKS}}
        groups.update({f"only {k}": {k: 1.0} for k in BLOCK_NAMES})
        groups.update({f"equal, all but {k}": {b: 1.0 for b in BLOCK_NAMES if b != k} for k in BLOCK_NAMES})
        out["ablation"] = {}
        print("\n| weights | styles top-1 (of 9) | paintings top-1 |")
        print("|---|---|---|")
        for name, w in groups.items():
            r = evaluate(styles, paintings, w)
            out["ablation"][name] = [r["styles_top1"], r["paintings_top1"]]
            print(f"| {name} | {r['styles_top1']} | {r['paintings_top1']}/{r['paintings']} |")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
