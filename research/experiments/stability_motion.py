"""Stability on motion nobody tuned on: ewarp ratio of every built-in GAN style, raw and stabilised, through the
live path (`Pipeline.step` at 640x360) on the motion set (`vst_desktop/evaluation/motion_set.py`: pans,
zooms, rotations of photos and excerpts of the shared clips), its TUNE and HELD-OUT parts reported apart.

Beside the ewarp ratio, two checks that the stabiliser does not buy stability by smearing:
- `edge_ssim`: content edge SSIM of output against input (metrics.content_edge_ssim), every 3rd frame;
- `ghost`: mean |stabilised - raw| in grey levels on the pixels that have no past: whatever the stabiliser
  blends in there is a ghost of what was before. On photo clips these are the pixels the camera move
  brings in (known exactly, `motion_set.newly_visible`); on the shared clips, those the forward-backward
  check of metrics.warp_pairs finds occluded or revealed. (The first run used that check on photo clips
  too: it flags ~12 % of a still photo, flat regions where the flow is ambiguous, and counted the
  stabiliser's blending there as ghosting; `ghost_flowmask` keeps that number.)

Then a grid over the stabiliser's parameters (history weight, mismatch level, flow scale) on the TUNE part
only; the rule below picks one, and the held-out part is measured with it afterwards.

    nice -n 19 .venv/bin/python -m research.experiments.stability_motion [--styles a,b] [--resume] [--no-grid]

Writes docs/research/stability_motion.json after every style (`--resume` skips what is there) and the
markdown log docs/research/stability_motion.md.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation import motion_set as ms
from vst_desktop.inference import temporal
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.styles.library import StyleLibrary

OUT_JSON = Path("docs/research/stability_motion.json")
OUT_MD = Path("docs/research/stability_motion.md")
BAR_STABLE, BAR_RAW = 1.5, 3.0
EDGE_EVERY = 3  # edge SSIM on every 3rd frame: it changes slowly along a clip
GRID = {"history_weight": (0.6, 0.7, 0.8, 0.9), "mismatch_level": (12.0, 24.0, 40.0), "flow_scale": (1, 2)}
# The shipped values as the module defines them when this script starts (before any change it led to).
SHIPPED = {"history_weight": temporal.HISTORY_WEIGHT, "mismatch_level": temporal.MISMATCH_LEVEL,
           "flow_scale": temporal.FLOW_SCALE}
# A candidate may not smear more than the shipped values do, on any style x clip of the tune part: edge SSIM
# lower by at most EDGE_SLACK, ghost level higher by at most GHOST_SLACK grey levels, detail lower by at
# most DETAIL_SLACK.
EDGE_SLACK, GHOST_SLACK, DETAIL_SLACK = 0.01, 0.5, 0.03


def key(params: dict) -> str:
    return f"hw={params['history_weight']:g} ml={params['mismatch_level']:g} fs={params['flow_scale']:d}"


class CachedStyle:
    """The style session, remembering its output per input frame: raw, shipped and every grid setting see
    exactly the same network output, and the network runs once per frame."""

    def __init__(self, session: StyleSession) -> None:
        self.session, self.provider = session, session.provider
        self._memo: dict[bytes, np.ndarray] = {}

    def run(self, bgr: np.ndarray, strength: float = 1.0) -> np.ndarray:
        k = hashlib.blake2b(bgr.tobytes(), digest_size=16).digest() + str(strength).encode()
        if k not in self._memo:
            self._memo[k] = self.session.run(bgr, strength)
        return self._memo[k]


def live_outputs(style: CachedStyle, frames: list[np.ndarray], params: dict | None,
                 stab_ms: list[float] | None = None) -> list[np.ndarray]:
    """The live path on one clip, a fresh Pipeline (no past from another clip); params None = raw.
    `stab_ms` collects the stabiliser's time per frame."""
    pipe = Pipeline(style, inference_size=ms.FRAME_SIZE, output_size=ms.FRAME_SIZE, stabilize=params is not None)
    if params is not None and params != SHIPPED:
        # Pipeline builds the stabiliser with the module defaults; a grid point swaps in its own.
        pipe._stabilizer = temporal.TemporalStabilizer(**params)
    outs = [pipe.step(Frame(f, i / 15.0, i)) for i, f in enumerate(frames)]
    if stab_ms is not None:
        stab_ms += [o.stats.stabilize_ms for o in outs[1:]]
    return [o.pixels for o in outs]


def detail(img: np.ndarray) -> float:
    """Mean absolute Laplacian of the grey image: how much fine texture (brush strokes) is there."""
    return float(np.abs(cv2.Laplacian(cv2.cvtColor(img, cv2.COLOR_BGR2GRAY), cv2.CV_32F)).mean())


def ghost_level(outs, raw_outs, no_past: list[np.ndarray]) -> float:
    diffs = []
    for mask, o, r in zip(no_past, outs[1:], raw_outs[1:], strict=True):
        if mask.any():
            d = cv2.absdiff(cv2.cvtColor(o, cv2.COLOR_BGR2GRAY), cv2.cvtColor(r, cv2.COLOR_BGR2GRAY))
            diffs.append(d[mask].astype(np.float32))
    return round(float(np.concatenate(diffs).mean()), 3) if diffs else 0.0


def clip_scores(frames, outs, pairs, e_in, raw_outs=None, no_past=None) -> dict:
    e_out = metrics.warping_error(outs, pairs)
    rec = {"ewarp_ratio": round(e_out / max(e_in, 1e-12), 4),
           "edge_ssim": round(float(np.mean([metrics.content_edge_ssim(f, o) for f, o in
                                             zip(frames[::EDGE_EVERY], outs[::EDGE_EVERY], strict=True)])), 4)}
    if raw_outs is not None:
        # Smearing: fine texture the stabiliser averaged away (1.0 = as much as the raw output has).
        rec["detail"] = round(float(np.mean([detail(o) / max(detail(r), 1e-6) for o, r in
                                             zip(outs[::EDGE_EVERY], raw_outs[::EDGE_EVERY], strict=True)])), 4)
        flow_mask = [~ok for _, ok in pairs]
        rec["ghost"] = ghost_level(outs, raw_outs, no_past if no_past is not None else flow_mask)
        rec["ghost_flowmask"] = ghost_level(outs, raw_outs, flow_mask)
    return rec


class MotionData:
    """Frames, flow pairs and input warping error of every clip, computed once per process."""

    def __init__(self) -> None:
        self.clips = {p: ms.motion_set(p) for p in ms.PARTS}
        self.pairs = {p: {c: metrics.warp_pairs(f) for c, f in clips.items()} for p, clips in self.clips.items()}
        self.e_in = {p: {c: metrics.warping_error(self.clips[p][c], pr) for c, pr in pairs.items()}
                     for p, pairs in self.pairs.items()}
        self.no_past = {p: {s.name: [ms.newly_visible(s.motion, t) for t in range(s.frames - 1)]
                            for s in ms.clip_specs(p) if s.motion is not None} for p in ms.PARTS}

    def measure(self, style: CachedStyle, part: str, params: dict | None, raw: dict | None = None) -> dict:
        """{clip: scores}; `raw` = {clip: raw outputs} adds ghost and detail; "_stab_ms": median ms."""
        res, ms_per_frame = {}, []
        for c, frames in self.clips[part].items():
            outs = live_outputs(style, frames, params, ms_per_frame)
            res[c] = clip_scores(frames, outs, self.pairs[part][c], self.e_in[part][c],
                                 raw[c] if raw is not None else None, self.no_past[part].get(c))
        if params is not None:
            res["_stab_ms"] = round(float(np.median(ms_per_frame)), 2)
        return res

    def anchored(self, style: CachedStyle, part: str) -> dict:
        """{photo clip: ewarp ratio of the style painted once on the scene and moved with the camera}."""
        res = {}
        for spec in ms.clip_specs(part):
            if spec.motion is not None:
                painted = ms.render(spec, paint=style.session.run)
                res[spec.name] = round(metrics.warping_error(painted, self.pairs[part][spec.name])
                                       / max(self.e_in[part][spec.name], 1e-12), 4)
        return res


def grid_points() -> list[dict]:
    names = list(GRID)
    return [dict(zip(names, vals, strict=True)) for vals in itertools.product(*GRID.values())]


def load(path: Path) -> dict:
    return json.loads(path.read_text()) if path.is_file() else {}


def to_json(obj, indent: str = "") -> str:
    """Indented, but a dict of plain values (one clip's scores) on one line: a tenth of the lines."""
    if not isinstance(obj, dict) or not any(isinstance(v, dict | list) for v in obj.values()):
        return json.dumps(obj)
    inner = indent + " "
    items = [f"{inner}{json.dumps(k)}: {to_json(v, inner)}" for k, v in obj.items()]
    return "{\n" + ",\n".join(items) + "\n" + indent + "}"


def save(doc: dict, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(to_json(doc) + "\n")
    tmp.replace(path)  # a run killed mid-write leaves the previous file whole


def clips_of(per_clip: dict) -> dict:
    return {c: v for c, v in per_clip.items() if not c.startswith("_")}


def measure_style(data: MotionData, pkg, entry: dict, do_grid: bool, checkpoint) -> None:
    """Fills entry["raw"], ["shipped"], ["anchored"] (both parts) and ["grid_tune"] (tune part), skipping what
    is there; `checkpoint()` saves after every step."""
    if "anchored" in entry and (not do_grid or len(entry.get("grid_tune", {})) == len(grid_points())):
        return  # measured by an earlier run (--resume)
    style = CachedStyle(StyleSession(pkg.onnx_path, prefer_gpu=False))
    raw_outs = {p: {c: live_outputs(style, f, None) for c, f in data.clips[p].items()} for p in ms.PARTS}
    t0 = time.perf_counter()
    if "anchored" not in entry:
        entry["raw"] = {p: data.measure(style, p, None) for p in ms.PARTS}
        entry["shipped"] = {p: data.measure(style, p, SHIPPED, raw_outs[p]) for p in ms.PARTS}
        entry["anchored"] = {p: data.anchored(style, p) for p in ms.PARTS}
        checkpoint()
    if do_grid:
        grid = entry.setdefault("grid_tune", {})
        for params in grid_points():
            if key(params) not in grid:
                grid[key(params)] = data.measure(style, ms.TUNE, params, raw_outs[ms.TUNE])
                checkpoint()
    entry["seconds"] = round(entry.get("seconds", 0) + time.perf_counter() - t0, 1)


def summary(per_clip: dict, only_videos: bool = False) -> dict:
    rows = {c: v for c, v in clips_of(per_clip).items() if not only_videos or ":" not in c}
    r = [v["ewarp_ratio"] for v in rows.values()]
    out = {"max": round(max(r), 3), "mean": round(float(np.mean(r)), 3),
           "edge_ssim": round(float(np.mean([v["edge_ssim"] for v in rows.values()])), 4)}
    if all("ghost" in v for v in rows.values()):
        out["ghost_max"] = round(max(v["ghost"] for v in rows.values()), 2)
        out["detail_min"] = round(min(v["detail"] for v in rows.values()), 3)
    return out


def smears_no_more(cand: dict, shipped: dict) -> bool:
    return (cand["edge_ssim"] >= shipped["edge_ssim"] - EDGE_SLACK and cand["ghost"] <= shipped["ghost"] + GHOST_SLACK
            and cand["detail"] >= shipped["detail"] - DETAIL_SLACK)


def choose(styles: dict) -> dict:
    """The rule, on the tune part only: among grid points that smear no more than the shipped values on every
    style x clip (smears_no_more), the one with the fewest style x clips over the bar, then the lowest
    worst-case ratio, then the lowest mean."""
    done = [s for s in styles.values() if len(s.get("grid_tune", {})) == len(grid_points())]
    table = {}
    for k in grid_points():
        k = key(k)
        rows = [(s["grid_tune"][k][c], s["shipped"][ms.TUNE][c]) for s in done for c in clips_of(s["grid_tune"][k])]
        ratios = [g["ewarp_ratio"] for g, _ in rows]
        table[k] = {"eligible": all(smears_no_more(g, b) for g, b in rows),
                    "over_bar": sum(r > BAR_STABLE for r in ratios), "max": round(max(ratios), 3),
                    "mean": round(float(np.mean(ratios)), 3),
                    "edge_ssim": round(float(np.mean([g["edge_ssim"] for g, _ in rows])), 4),
                    "ghost_max": round(max(g["ghost"] for g, _ in rows), 2),
                    "detail_min": round(min(g["detail"] for g, _ in rows), 3),
                    "stab_ms": round(float(np.median([s["grid_tune"][k]["_stab_ms"] for s in done])), 2)}
    eligible = [k for k, v in table.items() if v["eligible"]]
    best = min(eligible, key=lambda k: (table[k]["over_bar"], table[k]["max"], table[k]["mean"]))
    return {"styles": len(done), "table": table, "chosen": best, "shipped": key(SHIPPED)}


def params_of(k: str) -> dict:
    vals = dict(item.split("=") for item in k.split())
    return {"history_weight": float(vals["hw"]), "mismatch_level": float(vals["ml"]), "flow_scale": int(vals["fs"])}


MARK_BEGIN, MARK_END = "<!-- tables: written by stability_motion.py -->", "<!-- /tables -->"


def cell(raw: dict, stab: dict, floor: float | None) -> str:
    flag = "**" if stab["ewarp_ratio"] > BAR_STABLE else ""
    return f"{raw['ewarp_ratio']:.2f} / {flag}{stab['ewarp_ratio']:.2f}{flag}" + (f" ({floor:.2f})" if floor else "")


def clip_table(styles: dict, part: str, stab_of) -> list[str]:
    names = list(styles)
    lines = ["| clip | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for c in clips_of(next(iter(styles.values()))["raw"][part]):
        row = [cell(e["raw"][part][c], stab_of(e)[c], e["anchored"][part].get(c)) for e in styles.values()]
        lines.append(f"| {c} | " + " | ".join(row) + " |")
    return lines


def style_table(styles: dict, stab_of) -> list[str]:
    lines = ["| style | part | raw max | raw mean | stab. max | stab. mean | stab. max, shared clips | anchored max "
             "| edge SSIM raw / stab. | ghost max | detail min |", "|---" * 11 + "|"]
    for sid, e in styles.items():
        for part in ms.PARTS:
            r, st = summary(e["raw"][part]), summary(stab_of(e, part))
            vid = summary(stab_of(e, part), only_videos=True)
            lines.append(f"| {sid} | {part} | {r['max']:.2f} | {r['mean']:.2f} | {st['max']:.2f} | {st['mean']:.2f} | "
                         f"{vid['max']:.2f} | {max(e['anchored'][part].values()):.2f} | {r['edge_ssim']:.3f} / "
                         f"{st['edge_ssim']:.3f} | {st['ghost_max']:.2f} | {st['detail_min']:.3f} |")
    return lines


def tables(doc: dict) -> list[str]:
    styles = {k: v for k, v in doc["styles"].items() if "anchored" in v}
    out = [f"Cells: raw / stabilised ewarp ratio (anchored floor); **bold**: stabilised above {BAR_STABLE}.", ""]
    for part in ms.PARTS:
        out += [f"### Shipped stabiliser ({key(SHIPPED)}), {part} part", ""]
        out += clip_table(styles, part, lambda e, part=part: e["shipped"][part]) + [""]
    out += ["### Per style, shipped stabiliser", ""] + style_table(styles, lambda e, p: e["shipped"][p]) + [""]
    choice = doc.get("choice")
    if choice:
        out += [f"### Grid on the tune part ({choice['styles']} styles)", "",
                "| setting | smears no more | clips over bar | max | mean | edge SSIM | ghost max | detail min | ms/frame |",
                "|---" * 9 + "|"]
        for k, v in sorted(choice["table"].items(), key=lambda kv: (kv[1]["over_bar"], kv[1]["max"])):
            mark = " (chosen)" if k == choice["chosen"] else " (shipped)" if k == choice["shipped"] else ""
            out.append(f"| {k}{mark} | {'yes' if v['eligible'] else 'no'} | {v['over_bar']} | {v['max']:.2f} | "
                       f"{v['mean']:.2f} | {v['edge_ssim']:.3f} | {v['ghost_max']:.2f} | {v['detail_min']:.3f} | "
                       f"{v['stab_ms']:.1f} |")
        for k in sorted({k for e in styles.values() for k in e.get("held_out_by_setting", {})} - {choice["shipped"]}):
            measured = {sid: e for sid, e in styles.items() if k in e.get("held_out_by_setting", {})}
            why = "chosen by the rule" if k == choice["chosen"] else "for information only: not chosen by the rule"
            def setting_of(e, part=None, k=k):
                return e["grid_tune"][k] if part == ms.TUNE else e["held_out_by_setting"][k]
            out += ["", f"### {k} ({why}), per style", ""] + style_table(measured, setting_of)
            for part in ms.PARTS:
                out += ["", f"### {k} ({why}), {part} part", ""]
                out += clip_table(measured, part, lambda e, part=part, f=setting_of: f(e, part))
    return out


def write_log(doc: dict, path: Path = OUT_MD) -> None:
    """Rewrites only the part between the markers: the text around it is written by hand."""
    text = path.read_text() if path.is_file() else f"# Stability on motion\n\n{MARK_BEGIN}\n{MARK_END}\n"
    head, _, rest = text.partition(MARK_BEGIN)
    _, _, tail = rest.partition(MARK_END)
    path.write_text(head + MARK_BEGIN + "\n" + "\n".join(tables(doc)) + "\n" + MARK_END + tail)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--styles", default="", help="comma-separated style ids (default: every built-in GAN style)")
    ap.add_argument("--resume", action="store_true", help="keep what the JSON holds, measure only what is missing")
    ap.add_argument("--no-grid", action="store_true", help="raw and shipped stabiliser only")
    ap.add_argument("--out", type=Path, default=OUT_JSON)
    ap.add_argument("--also", action="append", default=[], metavar="SETTING",
                    help='a grid setting, e.g. "hw=0.6 ml=12 fs=1", to measure on the held-out part for information')
    ap.add_argument("--log-only", action="store_true", help="rewrite the markdown tables from the JSON, measure nothing")
    args = ap.parse_args(argv)
    if args.log_only:
        write_log(load(args.out))
        return
    pkgs = [p for p in StyleLibrary().list() if p.meta.kind == "gan"]
    if args.styles:
        wanted = args.styles.split(",")
        pkgs = [p for p in pkgs if p.id in wanted]
    doc = load(args.out) if args.resume else {}
    doc["config"] = {"frame_size": list(ms.FRAME_SIZE), "shipped": SHIPPED, "grid": GRID, "edge_every": EDGE_EVERY,
                     "slack": {"edge_ssim": EDGE_SLACK, "ghost": GHOST_SLACK, "detail": DETAIL_SLACK},
                     "bars": {"stabilised": BAR_STABLE, "raw": BAR_RAW}}
    doc["parts"] = {p: [{"clip": s.name, "source": s.source.name, "frames": s.frames,
                         "motion": s.motion.__dict__ if s.motion else None} for s in ms.clip_specs(p)]
                    for p in ms.PARTS}
    styles = doc.setdefault("styles", {})
    t0 = time.perf_counter()
    data = MotionData()
    print(f"motion set ready in {time.perf_counter() - t0:.0f} s", flush=True)
    for pkg in pkgs:
        entry = styles.setdefault(pkg.id, {})
        measure_style(data, pkg, entry, not args.no_grid, lambda: save(doc, args.out))
        save(doc, args.out)
        print(pkg.id, {p: summary(entry["shipped"][p]) for p in ms.PARTS}, f"{entry['seconds']} s", flush=True)
    if not args.no_grid and any("grid_tune" in s for s in styles.values()):
        doc["choice"] = choice = choose(styles)
        # The held-out part, measured only once the choice is made; --also adds settings for information.
        for k in [choice["chosen"], *args.also]:
            for pkg in pkgs:
                entry = styles[pkg.id]
                if k == choice["shipped"] or k in entry.get("held_out_by_setting", {}):
                    continue  # the shipped values' held-out numbers are entry["shipped"]
                style = CachedStyle(StyleSession(pkg.onnx_path, prefer_gpu=False))
                raw = {c: live_outputs(style, f, None) for c, f in data.clips[ms.HELD_OUT].items()}
                held = entry.setdefault("held_out_by_setting", {})
                held[k] = data.measure(style, ms.HELD_OUT, params_of(k), raw)
                save(doc, args.out)
    save(doc, args.out)
    if args.out == OUT_JSON:
        write_log(doc)
    print(json.dumps({k: v for k, v in doc.get("choice", {}).items() if k != "table"}), flush=True)


if __name__ == "__main__":
    main()
