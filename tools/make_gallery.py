"""Write docs/gallery.md: every built-in style with its thumbnail, a before/after sheet on shared material it
was not trained on, its measured quality (from its JSON, written by `evaluate` at build time), its texture
score and identification on the detailed photos and on the webcam set (measured now, `score_sets`), and its
speed (`vst-desktop bench` at 640x360, run now, all styles in the same run; `--no-bench` keeps the speed
columns of the current docs/gallery.md, for a machine busy with other work).

    .venv/bin/python tools/make_gallery.py [--seconds 3] [--no-bench]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
DOCS = ROOT / "docs"
SHEETS = DOCS / "gallery"
CLIP = "head-pose-face-detection-male.gif"
CLIP_FRAMES = (8, 40)
PHOTOS = ("faces_cc0_027.jpg", "kodak_kodim19.png")


def clip_frames() -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(SHARED / "video" / CLIP))
    frames, i = [], 0
    while True:
        ok, f = cap.read()
        if not ok:
            break
        if i in CLIP_FRAMES:
            frames.append(f)
        i += 1
    cap.release()
    return frames


def val_photos() -> list[np.ndarray]:
    out = []
    for name in PHOTOS:
        p = SHARED / "content" / "val" / name
        img = cv2.imread(str(p), cv2.IMREAD_COLOR)
        if img is not None:
            out.append(img)
    if not out:  # the names above are a choice, not a contract: fall back to the first val photos
        files = sorted((SHARED / "content" / "val").iterdir())[:2]
        out = [cv2.imread(str(f), cv2.IMREAD_COLOR) for f in files]
    return out


def fit(img: np.ndarray, height: int = 240) -> np.ndarray:
    """Resize to `height` with sides multiple of 8 (what style graphs accept)."""
    h, w = img.shape[:2]
    nw = max(8, round(w * height / h / 8) * 8)
    return cv2.resize(img, (nw, height), interpolation=cv2.INTER_AREA)


def sheet(session, inputs: list[np.ndarray]) -> np.ndarray:
    """Two rows: the inputs, then the stylized inputs."""
    from vst_desktop.evaluation.stylizers import from_session

    run = from_session(session)
    ins = [fit(x) for x in inputs]
    outs = [run(x) for x in ins]
    gap = lambda h: np.full((h, 6, 3), 255, np.uint8)  # noqa: E731
    row = lambda ims: np.concatenate([c for im in ims for c in (im, gap(im.shape[0]))][:-1], axis=1)  # noqa: E731
    top, bottom = row(ins), row(outs)
    return np.concatenate([top, np.full((6, top.shape[1], 3), 255, np.uint8), bottom], axis=0)


def labelled(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.rectangle(out, (0, 0), (out.shape[1], 22), (0, 0, 0), -1)
    cv2.putText(out, text, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def overview(tiles: list[np.ndarray], cols: int = 4) -> np.ndarray:
    """All styles on the same frame, in a grid: are they different from each other?"""
    h, w = tiles[0].shape[:2]
    blank = np.full((h, w, 3), 255, np.uint8)
    rows = [tiles[i:i + cols] + [blank] * (cols - len(tiles[i:i + cols])) for i in range(0, len(tiles), cols)]
    return np.concatenate([np.concatenate(r, axis=1) for r in rows], axis=0)


def previous_speed() -> dict:
    """Speed columns of the current docs/gallery.md, by style name: `--no-bench` keeps them."""
    text = (DOCS / "gallery.md").read_text(encoding="utf-8") if (DOCS / "gallery.md").is_file() else ""
    head = re.search(r"speed is .*? on\s+(\S+) in one run.*?reference network: (\d+) ms", text, re.S)
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 9 and cells[1] in ("gan", "filter"):
            rows[cells[0]] = {"model_ms": float(cells[7]) if cells[7] != "n/a" else None,
                              "e2e_fps": float(cells[8]) if cells[8] != "n/a" else None}
    return {"provider": head.group(1) if head else "?", "reference_ms": float(head.group(2)) if head else 0.0,
            "rows": rows}


def pct(r: dict, mode: str) -> str:
    """p_own and top-1 of one identification mode, e.g. "0.29 van_gogh"."""
    m = (r.get("identification") or {}).get(mode)
    return f"{m['p_own']:.2f} {m['top1'] or 'none'}" if m else "n/a"


def identification_lines(scores: dict, names: dict) -> list[str]:
    lines = [
        "## Identification on detailed photos and on the webcam set", "",
        "Measured now with `evaluation.run.score_sets` ([research/identification.md](research/identification.md)):",
        "a classifier trained from scratch on the nine shared style folders plus photos says which folder each",
        "style's outputs come from.",
        "*grey* sees the marks only, *colour* adds colour. Each cell: p_own (mean probability of the style's own",
        "folder; chance 0.10) and the top-1 class. *held-out* is the folder's own paintings, each scored by a",
        "classifier trained without it (the ceiling). *photos*: 16 detailed validation photos; *webcam*: 12 frames",
        "of the face and demo clips and 5 plain-background portraits. `texture_gain` is the critic's score on the",
        "same inputs (n/a: the folder's held-out paintings do not score clearly above those inputs).", "",
        "| style | texture_gain photos / webcam | grey: held-out | grey: photos | grey: webcam "
        "| colour: held-out | colour: photos | colour: webcam |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sid, sc in scores.items():
        ph, wc = sc["photos"], sc.get("webcam", {})
        tg = " / ".join("n/a" if r.get("texture_gain") is None else f"{r['texture_gain']:.2f}" for r in (ph, wc))
        held = {m: (ph["identification"][m]["ceiling_p_own"], ph["identification"][m]["ceiling_top1"])
                for m in ("grey", "colour")}
        cells = [f"{held[m][0]:.2f} {held[m][1]}" for m in ("grey", "colour")]
        lines.append(f"| {names[sid]} | {tg} | {cells[0]} | {pct(ph, 'grey')} | {pct(wc, 'grey')} "
                     f"| {cells[1]} | {pct(ph, 'colour')} | {pct(wc, 'colour')} |")
    n = len(scores)
    lines.append("")
    for mode in ("grey", "colour"):
        own = [sum(bool(sc.get(s, {}).get("identification", {}).get(mode, {}).get("top1_is_own"))
                   for sc in scores.values()) for s in ("photos", "webcam")]
        lines.append(f"- {mode}: named top-1 for {own[0]} of {n} styles on photos, {own[1]} of {n} on webcam frames")
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="bench seconds per style")
    ap.add_argument("--no-bench", action="store_true", help="keep the speed columns of the current gallery")
    args = ap.parse_args()
    from vst_desktop.core import paths

    cache = paths.data_dir() / "cache"  # the critics and identifiers already trained on this machine
    # Only the built-in styles: an empty user folder for this run, sharing the measurement caches.
    os.environ["VST_DESKTOP_HOME"] = tempfile.mkdtemp(prefix="vst-gallery-")
    cache.mkdir(parents=True, exist_ok=True)
    paths.data_dir().joinpath("cache").symlink_to(cache, target_is_directory=True)
    from vst_desktop.evaluation.run import score_sets
    from vst_desktop.evaluation.stylizers import open_session
    from vst_desktop.pipeline.bench import run_bench
    from vst_desktop.styles.library import StyleLibrary

    lib = StyleLibrary()
    styles = [p for p in lib.list() if p.builtin]
    if args.no_bench:
        old = previous_speed()
        bench = {"provider": old["provider"], "reference_ms": old["reference_ms"], "styles": []}
        speed = {p.id: old["rows"].get(p.meta.name, {}) for p in styles}
    else:
        bench = run_bench((640, 360), args.seconds, [p.id for p in styles], prefer_gpu=False)
        speed = {r["id"]: r for r in bench["styles"]}
    SHEETS.mkdir(parents=True, exist_ok=True)
    inputs = clip_frames() + val_photos()
    gan = [p for p in styles if p.meta.kind == "gan"]
    lines = [
        "# Built-in styles", "",
        "Written by `tools/make_gallery.py` (do not edit by hand). Each sheet: top row the input, bottom row the",
        f"style: two frames of the shared clip `{CLIP}` and two validation photos, none of them seen in training.",
        "Quality numbers are `vst-desktop evaluate` on the shared validation photos and all shared clips, stored",
        "in each style's JSON when it was built (`make styles`); speed is `vst-desktop bench` at 640x360 on",
        f"{bench['provider']} in one run on this machine (Johnson et al. reference network: "
        f"{bench['reference_ms']:.0f} ms).", "",
        f"{len(gan)} GAN styles and {len(styles) - len(gan)} filters."
        + (" Speed: kept from the previous gallery (this run did not bench)." if args.no_bench else ""), "",
        "`ewarp_ratio` is the flicker a person sees (with the temporal stabiliser the app applies; 1.0 = as",
        "stable as the source), `raw` the network alone. Filters have no style folder, hence no style score.", "",
        "| style | kind | ewarp_ratio (raw) | style score (texture_gain) | ceiling: paintings / photos | colour_gain "
        "| content_edge_ssim | model ms | e2e fps |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    blocks = []
    scores, names = {}, {}
    for p in gan:
        folder = ((p.meta.training or {}).get("config") or {}).get("styles_dir")
        shared = SHARED / "styles" / Path(folder).name if folder else None
        if shared is not None and shared.is_dir():
            scores[p.id] = score_sets(p.onnx_path, shared)
            names[p.id] = p.meta.name
            print(f"scored {p.id}", flush=True)
    probe = fit(inputs[0], 176)
    tiles = [labelled(probe, "input")]
    for p in styles:
        m = p.meta.metrics or {}
        if not m:  # the filters are built without metrics: measure them here, the same way
            from vst_desktop.evaluation.run import evaluate_style

            m = evaluate_style(p.onnx_path, style_folder=None, timing=False)
        tex = m.get("texture", {})
        s = speed.get(p.id, {})

        def num(v, fmt="{:.2f}"):
            return "n/a" if v is None else fmt.format(v)

        ceiling = (f"{num(tex.get('p_heldout_painting'))} / {num(tex.get('p_photo'))}"
                   + ("" if tex.get("reliable", True) else " (unreliable)")) if tex else "n/a"
        ewarp = f"{num(m.get('ewarp_ratio'))} ({num(m.get('ewarp_ratio_raw'))})"
        lines.append(f"| {p.meta.name} | {p.meta.kind} | {ewarp} | {num(m.get('texture_gain'))} "
                     f"| {ceiling} | {num(m.get('colour_gain'))} | {num(m.get('content_edge_ssim'))} "
                     f"| {num(s.get('model_ms'), '{:.1f}')} | {num(s.get('e2e_fps'), '{:.0f}')} |")
        session = open_session(p.onnx_path, prefer_gpu=False)
        tiles.append(labelled(session.run(probe, 1.0), p.meta.name))
        img = sheet(session, inputs)
        cv2.imwrite(str(SHEETS / f"{p.id}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 82])
        shutil.copy2(p.png_path, SHEETS / f"{p.id}_thumb.png")
        training = p.meta.training or {}
        trained = (f"Trained with the `{training.get('config', {}).get('preset', '?')}` preset, "
                   f"{training.get('iterations', '?')} steps in {training.get('seconds', 0) / 60:.0f} min "
                   f"on {training.get('device', '?')}; {len(p.meta.sources)} source images.") \
            if p.meta.kind == "gan" and training else ""
        blocks += [f"## {p.meta.name}", "", f"![{p.meta.name}](gallery/{p.id}_thumb.png)", "",
                   p.meta.description + (" " + trained if trained else ""), "",
                   f"![{p.meta.name} before and after](gallery/{p.id}.jpg)", ""]
    cv2.imwrite(str(SHEETS / "overview.jpg"), overview(tiles), [cv2.IMWRITE_JPEG_QUALITY, 85])
    lines += ["", "All styles on the same frame:", "", "![All styles](gallery/overview.jpg)", ""]
    if scores:
        lines += identification_lines(scores, names)
    (DOCS / "gallery.md").write_text("\n".join(lines + [""] + blocks), encoding="utf-8")
    print(f"wrote {DOCS / 'gallery.md'} ({len(styles)} styles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
