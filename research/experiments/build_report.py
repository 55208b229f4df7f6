"""Issue 16's bars, style by style, from the `evaluate` numbers a style build wrote into each package's JSON
(`tools/build_styles.py`; the shared validation photos, the webcam set, every shared clip), beside the
shipped style of the same folder.

    python -m research.experiments.build_report --build build/styles_painter [--json out.json]

The shipped styles' JSONs predate the webcam set and identification, so they are measured again with the
same `evaluate` (against the build's folder of each painter's verified images) into build/shipped_evaluated/.

Per set (photos, webcam): grey and colour top-1 and p_own, the grey ceiling (the folder's held-out
paintings), the critic's texture_gain, content edge SSIM; flicker: stabilised and raw ewarp_ratio per clip.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from research.experiments.candidate_sheets import shipped, styles_of

# the bars for a rebuilt style
BARS = {"edge_ssim": 0.45, "ewarp_stabilised": 1.5, "ewarp_raw": 3.0, "texture_gain_webcam": 0.4}
TEXTURE_FOLDERS = {"van_gogh", "ukiyo_e", "monet", "ink_sketch", "picabia_udnie"}  # the critic bar names these


def shipped_measured(folder: str, onnx: Path, build: Path) -> Path:
    """The shipped style's JSON with today's `evaluate` numbers (measured once, then kept)."""
    out = build.parent / "shipped_evaluated" / f"{onnx.stem}.json"
    if not out.is_file():
        from vst_desktop.evaluation.run import evaluate_style

        meta = json.loads(onnx.with_suffix(".json").read_text(encoding="utf-8"))
        meta["metrics"] = evaluate_style(onnx, style_folder=build / folder / "named" / folder)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return out


def summary(meta_path: Path, folder: str) -> dict:
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    m = meta.get("metrics") or {}
    out: dict = {"folder": folder, "seconds": (meta.get("training") or {}).get("seconds")}
    for name, part in (("photos", m), ("webcam", m.get("webcam") or {})):
        ident = part.get("identification") or {}
        cell = {"texture_gain": part.get("texture_gain"), "edge_ssim": part.get("content_edge_ssim")}
        for mode in ("grey", "colour"):
            if mode in ident:
                cell[mode] = {"top1": ident[mode]["top1"], "p_own": ident[mode]["p_own"],
                              "ceiling": ident[mode]["ceiling_p_own"]}
        out[name] = cell
    out["ewarp"] = {clip: {"stabilised": round(v, 2), "raw": round(m["ewarp_per_clip_raw"][clip], 2)}
                    for clip, v in (m.get("ewarp_per_clip") or {}).items()}
    out["ms_640x360"] = (m.get("ms_per_frame") or {}).get("640x360")
    return out


def misses(s: dict) -> list[str]:
    """The issue's per-style bars this style misses."""
    why = []
    for name in ("photos", "webcam"):
        g = s[name].get("grey")
        if g is None:
            why.append(f"{name}: no identification")
            continue
        if g["top1"] != s["folder"]:
            why.append(f"{name}: called {g['top1']}")
        if g["p_own"] < 0.5 * g["ceiling"]:
            why.append(f"{name}: p_own {g['p_own']:.2f} < half its ceiling {g['ceiling']:.2f}")
        if (s[name]["edge_ssim"] or 0) < BARS["edge_ssim"]:
            why.append(f"{name}: edge SSIM {s[name]['edge_ssim']:.2f}")
    if s["folder"] in TEXTURE_FOLDERS and (s["webcam"]["texture_gain"] or 0) < BARS["texture_gain_webcam"]:
        why.append(f"webcam texture_gain {s['webcam']['texture_gain']}")
    for clip, f in s["ewarp"].items():
        if f["stabilised"] > BARS["ewarp_stabilised"] or f["raw"] > BARS["ewarp_raw"]:
            why.append(f"{clip.split('.')[0]} ewarp {f['stabilised']:.1f} / raw {f['raw']:.1f}")
    return why


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    old, build = shipped(), Path(args.build)
    rows = []
    for folder, _, onnx in styles_of(build):
        for label, path in (("rebuilt", onnx.with_suffix(".json")),
                            ("shipped", shipped_measured(folder, old[folder], build) if folder in old else None)):
            if path is None:
                continue
            s = summary(path, folder) | {"label": label}
            s["misses"] = misses(s) if "grey" in s["photos"] else ["not measured with identification"]
            rows.append(s)
    print("| folder | style | grey photos | grey webcam | colour photos / webcam | texture_gain photos / webcam "
          "| edge SSIM photos / webcam | stabilised (raw) per clip | ms 640x360 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for s in rows:
        def g(name: str, mode: str = "grey", s: dict = s) -> str:
            c = s[name].get(mode)
            return "-" if c is None else f"{'named' if c['top1'] == s['folder'] else c['top1']} {c['p_own']:.2f}"
        fl = ", ".join(f"{v['stabilised']:.1f} ({v['raw']:.1f})" for v in s["ewarp"].values())
        tg = " / ".join("-" if s[n]["texture_gain"] is None else f"{s[n]['texture_gain']:.2f}" for n in ("photos", "webcam"))
        es = " / ".join("-" if s[n]["edge_ssim"] is None else f"{s[n]['edge_ssim']:.2f}" for n in ("photos", "webcam"))
        print(f"| {s['folder']} | {s['label']} | {g('photos')} | {g('webcam')} | {g('photos', 'colour')} / "
              f"{g('webcam', 'colour')} | {tg} | {es} | {fl} | {s['ms_640x360']} |")
    for label in ("rebuilt", "shipped"):
        group = [s for s in rows if s["label"] == label and "grey" in s["photos"]]
        if group:
            named = {n: sum(s[n]["grey"]["top1"] == s["folder"] for s in group) for n in ("photos", "webcam")}
            photo = [s["folder"] for s in group if s["webcam"]["grey"]["top1"] == "photo"]
            print(f"{label}: grey named {named['photos']} / {named['webcam']} of {len(group)} (photos / webcam); "
                  f"webcam called photo: {', '.join(photo) or 'none'}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
