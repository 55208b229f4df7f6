"""Issue 16 round 15: stages that redraw the photo before the analogy teacher paints its marks, probed with the
teacher alone (no network) on the TUNE part.

Round 14 read the limit on ink sketch, lithograph, stained glass and Picabia as the teacher keeping the photo's
shading and fine structure and only adding marks on top. Each stage below redraws the colour-mapped photo
first; the teacher's output is then scored with the identifier (grey and colour) and content edge SSIM, on
detailed photos and webcam-like frames separately.

Stages (`--variants`, joined with "+", applied left to right on the colour-mapped photo):
- `teacher`: the round-10 window teacher;
- `tone`: `band_tone.BandTone` at --strength (each difference-of-Gaussians band of the grey sent through a
  quantile map from the content photos' values to the folder's);
- `meanshift`: mean-shift filtering (flat cells with sharp borders; spatial radius --sp, colour radius --sr);
- `kuwRxP`: hard Kuwahara, radius R, P passes (`kuw3x2`; `kuwahara` is `kuw4x2`);
- `softRxPsS`: the generator's soft Kuwahara (`fixed_stages.FlattenStage`) at 1/S resolution (`soft2x2s2`);
- `gsoftRxPsS`: the same with Gaussian-weighted sectors (rounded planes instead of square blocks);
- `leadN` (`lead` = `lead8`): dark lines along the borders of what it is given (a stained-glass window's leading,
  a lithograph's outlines): the grey's gradient, normalised per image, darkens the pixel by up to N tenths;
- `teacher_planelines`: the teacher's marks, then `LeadStage`'s lines read off what the teacher was given (the
  planes' borders only, not the marks');
- `aleadN` / `aleadNtT`: the generator's `fixed_stages.LeadStage` (a fixed gradient threshold, 0.2 or T hundredths,
  instead of one per image).

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.redraw_probe \
        --folders cartoon_lithograph,ink_sketch --json build/tone_probe.json --sheet build/tone_probe.jpg
"""

from __future__ import annotations

import argparse
import functools
import re
import time

import cv2
import numpy as np
import torch

from research.experiments.analogy_teacher import CACHE, NEVER_TUNED, STYLES, TRAIN, save, sheet_row, tune_sets
from research.experiments.band_tone import BandTone
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.identify import IdentifyConfig, train_identifier
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.training.fixed_stages import FlattenStage, LeadStage
from vst_desktop.training.texture.analogy import AnalogyTeacher
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.marks import analogy_settings
from vst_desktop.training.texture.strokes import kuwahara
from vst_desktop.trainspec.config import TrainConfig

# round 10's window teacher (the grid's WINDOW_PAINTER without the network's terms)
WINDOW = dict(marks="analogy", analogy_patch=24, analogy_canvas=1.5, analogy_canvas_form="painting",
              analogy_canvas_flat=3.0, analogy_canvas_wall=True, analogy_keep=1.5, analogy_flat_window=1.0)


def _rgb(bgr: np.ndarray) -> np.ndarray:
    return bgr[..., ::-1].astype(np.float32) / 255.0


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray((np.clip(rgb, 0, 1)[..., ::-1] * 255).round().astype(np.uint8))


def meanshift(x: np.ndarray, sp: int, sr: int) -> np.ndarray:
    u8 = (np.clip(x, 0, 1) * 255).round().astype(np.uint8)
    return cv2.pyrMeanShiftFiltering(u8, sp, sr).astype(np.float32) / 255.0


def lead(x: np.ndarray, darkness: float) -> np.ndarray:
    """Dark lines where the picture's grey changes fastest: on planes, along their borders only. The gradient
    is read against the image's own 90th percentile, so a flat webcam wall and a busy photo both get lines."""
    g = cv2.GaussianBlur(cv2.cvtColor(np.ascontiguousarray(x, np.float32), cv2.COLOR_RGB2GRAY), (0, 0), 1.0)
    mag = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    ref = max(float(np.quantile(mag, 0.9)), 1e-3)
    line = np.clip(mag / ref - 1.0, 0.0, 1.0)  # 0 below the 90th percentile, 1 at twice it
    return x * (1.0 - darkness * line[..., None])


def _on_hwc(stage):
    """A torch stage on NCHW tensors as a stage on one HWC float picture."""
    def run(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return stage(torch.from_numpy(np.ascontiguousarray(x)).permute(2, 0, 1)[None])[0].permute(1, 2, 0).numpy()
    return run


def flattening(name: str):
    """`kuwRxP` (hard Kuwahara), `softRxPsS` (the generator's FlattenStage at 1/S resolution) or `gsoftRxPsS`
    (the same with Gaussian-weighted sectors) as a stage."""
    m = re.fullmatch(r"(kuw|soft|gsoft)(\d+)x(\d+)(?:s(\d+))?", name)
    if not m:
        raise SystemExit(f"unknown stage {name!r}")
    r, passes, scale = int(m[2]), int(m[3]), int(m[4] or 1)
    if m[1] == "kuw":
        def hard(x: np.ndarray) -> np.ndarray:
            for _ in range(passes):
                x = kuwahara(x, r)
            return x
        return hard
    # the generator's stage; "gsoft": its Gaussian-weighted sectors, sigma r / 2 (analogy_flatten_sigma)
    flatten = FlattenStage(r, passes, scale=scale, sigma=r / 2 if m[1] == "gsoft" else 0.0)
    return _on_hwc(flatten)


def _leading(name: str):
    m = re.fullmatch(r"(a?)lead(\d*)(?:t(\d+))?", name)
    if not m:
        return None
    darkness = int(m[2] or 8) / 10
    if not m[1]:
        return lambda x: lead(x, darkness)
    return _on_hwc(LeadStage(darkness, int(m[3]) / 100 if m[3] else 0.2))


def _planelines(paint, x: np.ndarray) -> np.ndarray:
    line = _on_hwc(LeadStage(0.8).lines)(x)  # (H, W, 1)
    return paint(x) * (1.0 - 0.8 * line)


def pipeline(variant: str, named: dict):
    """The variant's stages ("+"-joined), applied left to right."""
    stages = [named[n] if n in named else _leading(n) or flattening(n) for n in variant.split("+")]

    def run(x: np.ndarray) -> np.ndarray:
        for stage in stages:
            x = stage(x)
        return x
    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folders", default="")
    ap.add_argument("--strength", type=float, default=1.0)
    ap.add_argument("--variants", default="teacher,tone,tone+teacher")
    ap.add_argument("--sp", type=int, default=8)
    ap.add_argument("--sr", type=int, default=24)
    ap.add_argument("--json")
    ap.add_argument("--sheet")
    args = ap.parse_args()
    all_folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    names = [f for f in args.folders.split(",") if f] or [p.name for p in all_folders if p.name != NEVER_TUNED]
    idents = {m: train_identifier(all_folders, TRAIN, IdentifyConfig(mode=m), CACHE) for m in ("grey", "colour")}
    detailed, webcam = tune_sets()
    content_rgb = [read_image(p)[..., ::-1] for p in image_files(TRAIN)]
    variants = args.variants.split(",")
    report: dict = {"strength": args.strength, "sp": args.sp, "sr": args.sr}
    sheet_rows = []
    for name in names:
        t0 = time.time()
        paints = [read_image(p)[..., ::-1] for p in image_files(STYLES / name)]
        ct = fit_colour_transform(sample_pixels(content_rgb, seed=0), sample_pixels(paints, seed=0), 1.0)
        teacher = AnalogyTeacher(paints, **analogy_settings(TrainConfig().replace(**WINDOW)))
        named = {"teacher": teacher.paint, "teacher_planelines": functools.partial(_planelines, teacher.paint),
                 "meanshift": lambda x: meanshift(x, args.sp, args.sr),
                 "kuwahara": flattening("kuw4x2")}
        if any("tone" in v.split("+") for v in variants):  # fitted over 40 photos: only when asked for
            named["tone"] = BandTone.fit([ct.apply_np(c.astype(np.float32) / 255.0) for c in content_rgb[:40]],
                                         [p.astype(np.float32) / 255.0 for p in paints], strength=args.strength).apply
        painters = {v: pipeline(v, named) for v in variants}
        report[name] = {}
        cells = []
        for v in variants:
            outs = {s: [_bgr(painters[v](ct.apply_np(_rgb(b)))) for b in imgs]
                    for s, imgs in (("photos", detailed), ("webcam", webcam))}
            r = {}
            for s, src in (("photos", detailed), ("webcam", webcam)):
                r[s] = {m: {k: idents[m].score(outs[s], name)[k] for k in ("p_own", "top1")} for m in idents}
                r[s]["edge_ssim"] = round(float(np.mean([metrics.content_edge_ssim(a, b)
                                                         for a, b in zip(src, outs[s], strict=True)])), 3)
            report[name][v] = r
            print(f"| {name} | {v} | {r['photos']['grey']['top1']} {r['photos']['grey']['p_own']:.2f} | "
                  f"{r['webcam']['grey']['top1']} {r['webcam']['grey']['p_own']:.2f} | "
                  f"{r['photos']['colour']['top1']} / {r['webcam']['colour']['top1']} | "
                  f"{r['photos']['edge_ssim']:.2f} / {r['webcam']['edge_ssim']:.2f} |", flush=True)
            cells += [outs["webcam"][0], outs["webcam"][7], outs["photos"][0]]
        print(f"  {name}: {time.time() - t0:.0f} s", flush=True)
        if args.sheet:
            ref = cv2.cvtColor(np.ascontiguousarray(paints[0]), cv2.COLOR_RGB2BGR)
            sheet_rows.append(sheet_row([ref] + cells, name, 240))
    hits = {v: {s: sum(report[n][v][s]["grey"]["top1"] == n for n in names) for s in ("photos", "webcam")}
            for v in variants}
    print("grey top-1 hits:", hits)
    report["hits"] = hits
    save(report, args.json, args.sheet, sheet_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
