"""Issue 16: the per-folder choice among recipes, fixed on the TUNE part (docs/research/painter_guide.md, rounds
15-16), read from `analogy_score` JSONs.

The rule: against the base recipe, a candidate qualifies where it raises the mean grey p_own (photos and webcam)
by at least --margin and loses no grey top-1 hit the base had; the qualifying candidate with the highest mean
p_own is chosen, and the base where none qualifies. A new folder gets the same treatment: train the base and
each candidate, score them on the tune part, apply the rule.

    python -m research.experiments.per_folder_rule --base analogy_D2_window_painter15_edges05 \
        --candidates analogy_D2_window_painter15_edges05_planes,analogy_D2_window_painter15_edges05_planes_gauss \
        docs/research/painter/tune_edges.json docs/research/painter/round15/tune_*.json ... [--json choice.json] \
        [--held held_a.json,held_b.json]

`--held` then reads the chosen variants' HELD-OUT scores (scored once, after the choice) and prints the totals.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

SETS = ("photos", "webcam")


def load(paths: list[str]) -> dict[tuple[str, str], dict]:
    """(variant, folder) -> the scored result; a later file's result replaces an earlier one's."""
    out: dict[tuple[str, str], dict] = {}
    for p in paths:
        report = json.loads(Path(p).read_text())
        if report.get("part") != "tune":
            raise SystemExit(f"{p}: not a tune-part score (the rule is fixed on the tune part only)")
        for r in report["results"]:
            out[(r["variant"], r["folder"])] = r
    return out


def mean_p_own(r: dict) -> float:
    return sum(r[s]["grey"]["p_own"] for s in SETS) / len(SETS)


def hits(r: dict, folder: str) -> set[str]:
    return {s for s in SETS if r[s]["grey"]["top1"] == folder}


def choose(results: dict[tuple[str, str], dict], base: str, candidates: list[str], folder: str,
           margin: float, coarse_floor: float = 0.0) -> tuple[str, list[str]]:
    """The chosen variant and one line of reasons per candidate. `coarse_floor` > 0: a candidate whose webcam
    frames keep less of the picture's layout than that (`analogy_score.coarse_ssim`) does not qualify."""
    b = results.get((base, folder))
    if b is None:
        raise SystemExit(f"{folder}: no score for the base recipe {base}")
    best, best_p, why = base, mean_p_own(b), []
    for c in candidates:
        r = results.get((c, folder))
        if r is None:
            why.append(f"{c}: not scored")
            continue
        lost = hits(b, folder) - hits(r, folder)
        gain = mean_p_own(r) - mean_p_own(b)
        coarse = r["webcam"].get("coarse_ssim")
        erased = coarse_floor > 0 and (coarse is None or coarse < coarse_floor)  # unscored counts as erased
        ok = gain >= margin and not lost and not erased
        why.append(f"{c}: p_own {mean_p_own(b):.3f} -> {mean_p_own(r):.3f} ({gain:+.3f})"
                   + (f", loses {'/'.join(sorted(lost))}" if lost else "")
                   + (f", webcam layout {coarse} under {coarse_floor}" if erased else "")
                   + ("" if ok else ", not qualified"))
        if ok and mean_p_own(r) > best_p:
            best, best_p = c, mean_p_own(r)
    return best, why


def held_report(paths: list[str], chosen: dict[str, str], aliases: dict[str, str]) -> dict:
    """Per folder, the chosen variant's held-out grey top-1 and p_own, edge SSIM and flicker; then the totals.
    `aliases`: label in a held-out JSON -> the variant it scored (round 15 labelled its students "planes")."""
    held: dict[tuple[str, str], dict] = {}
    for p in paths:
        report = json.loads(Path(p).read_text())
        if report.get("part") != "heldout":
            raise SystemExit(f"{p}: not a held-out score")
        held.update({(aliases.get(r["variant"], r["variant"]), r["folder"]): r for r in report["results"]})
    rows = {f: held.get((v, f)) for f, v in chosen.items()}
    missing = sorted(f for f, r in rows.items() if r is None)
    if missing:
        raise SystemExit(f"no held-out score for the chosen variant of: {', '.join(missing)}")
    for f, r in rows.items():
        cells = [f"{r[s]['grey']['top1']} {r[s]['grey']['p_own']:.2f}" for s in SETS]
        ssim = " / ".join(f"{r[s]['edge_ssim']:.2f}" for s in SETS)
        flicker = "; ".join(f"{clip.split('.')[0]} {v['raw']:.2f}/{v['stabilised']:.2f}" for clip, v in r["flicker"].items())
        print(f"| {f} | {chosen[f]} | {' / '.join(cells)} | {ssim} | {flicker} |")
    totals = {s: {"named": sum(r[s]["grey"]["top1"] == f for f, r in rows.items()),
                  "p_own": round(sum(r[s]["grey"]["p_own"] for r in rows.values()) / len(rows), 3),
                  "edge_ssim": round(sum(r[s]["edge_ssim"] for r in rows.values()) / len(rows), 3),
                  "called_photo": sorted(f for f, r in rows.items() if r[s]["grey"]["top1"] == "photo")}
              for s in SETS}
    print(f"held out, {len(rows)} folders:", json.dumps(totals))
    return totals


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("scores", nargs="+", help="analogy_score JSONs of the tune part")
    ap.add_argument("--base", required=True)
    ap.add_argument("--candidates", required=True)
    ap.add_argument("--margin", type=float, default=0.03)
    ap.add_argument("--coarse-floor", type=float, default=0.0,
                    help="> 0: candidates whose webcam coarse SSIM is under it (or unscored) do not qualify")
    ap.add_argument("--json")
    ap.add_argument("--held", default="", help="held-out score JSONs (comma-separated) of the chosen variants")
    ap.add_argument("--alias", action="append", default=[], help="LABEL=VARIANT: a held-out JSON's label")
    args = ap.parse_args()
    results = load(args.scores)
    candidates = args.candidates.split(",")
    folders = sorted({f for v, f in results if v == args.base})
    chosen = {}
    for folder in folders:
        chosen[folder], why = choose(results, args.base, candidates, folder, args.margin, args.coarse_floor)
        print(f"{folder}: {chosen[folder]}")
        for line in why:
            print(f"    {line}")
    out = {"base": args.base, "candidates": candidates, "margin": args.margin, "coarse_floor": args.coarse_floor,
           "chosen": chosen}
    if args.held:
        out["held_out"] = held_report(args.held.split(","), chosen, dict(a.split("=", 1) for a in args.alias))
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
