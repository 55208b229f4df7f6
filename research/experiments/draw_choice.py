"""Does choosing between training draws on the tune part pay held out? (`build_styles --draws`)

Each draw is one seed of the same recipe, scored by `analogy_score` on the tune part and on the held-out
part. Per folder the draw whose grey p_own (mean of photos and webcam frames) is highest on the tune part is
chosen, as `build_styles.choose_draw` does with its wall rule off (`--max-wall-repetition 1`); the chosen draws are then reported held out, beside
each draw alone and beside the best held-out draw (what a choice could at most give).

    python -m research.experiments.draw_choice --draw s0=TUNE0.json,HELD0.json --draw s1=TUNE1.json,HELD1.json \
        --json out.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def by_folder(spec: str) -> dict[str, dict]:
    """FILE.json or FILE.json@VARIANT (a file that holds several variants)."""
    path, _, variant = spec.partition("@")
    return {r["folder"]: r for r in json.loads(Path(path).read_text())["results"]
            if not variant or r["variant"] == variant}


def p_own(r: dict) -> float:
    return (r["photos"]["grey"]["p_own"] + r["webcam"]["grey"]["p_own"]) / 2


def summary(picks: dict[str, dict]) -> dict:
    """Held-out counts and means over the folders for one draw per folder."""
    out = {}
    for part in ("photos", "webcam"):
        grey = {f: r[part]["grey"] for f, r in picks.items()}
        out[part] = {"named": sorted(f for f, g in grey.items() if g["top1"] == f),
                     "called_photo": sorted(f for f, g in grey.items() if g["top1"] == "photo"),
                     "p_own": round(sum(g["p_own"] for g in grey.values()) / len(grey), 3),
                     "edge_ssim": round(sum(r[part]["edge_ssim"] for r in picks.values()) / len(picks), 3)}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--draw", action="append", required=True, help="LABEL=TUNE.json[@VARIANT],HELD.json[@VARIANT]")
    ap.add_argument("--json")
    args = ap.parse_args()
    draws = {}
    for item in args.draw:
        label, files = item.split("=", 1)
        tune, held = files.split(",")
        draws[label] = (by_folder(tune), by_folder(held))
    folders = sorted(set.intersection(*(set(t) & set(h) for t, h in draws.values())))
    chosen = {f: max(draws, key=lambda d: p_own(draws[d][0][f])) for f in folders}
    oracle = {f: max(draws, key=lambda d: p_own(draws[d][1][f])) for f in folders}
    report = {"folders": folders, "chosen": chosen,
              "per_folder": {f: {d: {"tune": round(p_own(draws[d][0][f]), 3), "held": round(p_own(draws[d][1][f]), 3),
                                     "held_top1": [draws[d][1][f][p]["grey"]["top1"] for p in ("photos", "webcam")]}
                                 for d in draws} for f in folders},
              "tune_choice_agrees_held_out": sum(chosen[f] == oracle[f] for f in folders),
              "each_draw": {d: summary({f: draws[d][1][f] for f in folders}) for d in draws},
              "chosen_by_tune": summary({f: draws[chosen[f]][1][f] for f in folders}),
              "best_held_out": summary({f: draws[oracle[f]][1][f] for f in folders})}
    print("| folder | " + " | ".join(f"{d} tune / held" for d in draws) + " | chosen |")
    print("|---|" + "---|" * (len(draws) + 1))
    for f in folders:
        cells = [f"{report['per_folder'][f][d]['tune']:.2f} / {report['per_folder'][f][d]['held']:.2f}" for d in draws]
        print(f"| {f} | " + " | ".join(cells) + f" | {chosen[f]} |")
    for name in ("each_draw", "chosen_by_tune", "best_held_out"):
        rows = report[name].items() if name == "each_draw" else [(name, report[name])]
        for label, s in rows:
            print(f"{label}: named photos {len(s['photos']['named'])}, webcam {len(s['webcam']['named'])}; "
                  f"p_own {s['photos']['p_own']} / {s['webcam']['p_own']}; "
                  f"called photo {s['photos']['called_photo']} / {s['webcam']['called_photo']}")
    print(f"the tune part picks the held-out best draw for {report['tune_choice_agrees_held_out']} of {len(folders)}")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
