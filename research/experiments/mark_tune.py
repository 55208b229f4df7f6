"""Which marks of the stroke teacher move the validated style score on the folders it failed:
Monet (horizontal dabs: `direction`, `contrast_floor`) and Picabia's Udnie (flat colour planes: `passes`).

Per folder, fit the colour transform, paint 10 content *training* photos with each setting, and report
texture_gain (the evaluation critic) and content_edge_ssim. Any other folder gets the edge-stroke grid
(`EDGE_GRID`). Photos from content/val are
never used. `--offset 4` scores another 10 training photos (a check that the winners are not chosen for
one set of photos); `--sheets DIR` writes photo/painting sheets of each folder's best three settings.

    .venv/bin/python -m research.experiments.mark_tune monet picabia_udnie [--offset 4] [--sheets runs/exp/marks]
    .venv/bin/python -m research.experiments.mark_tune van_gogh ukiyo_e   # the edge-stroke grid
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import critic_for, default_train_photos_dir, model_sized
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import paint_float

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
KEYS = ("r", "amp", "length", "lines", "width", "direction", "contrast_floor", "passes")


def _grid(**axes) -> list[dict]:
    return [dict(zip(axes, v, strict=True)) for v in itertools.product(*axes.values())]


# settings as paint_float keyword arguments; the first of each list is the old teacher's best
EDGE_GRID = _grid(r=[3], amp=[0.35, 0.5, 0.7, 0.9], length=[3, 4], lines=[0.5, 1.0], width=[1.0])
GRIDS = {
    "monet": (
        [dict(r=3, amp=0.9, length=4, lines=0.5)]  # EDGE_GRID's best here: TG 0.49, edge SSIM 0.30
        + _grid(r=[3], amp=[0.2, 0.35], length=[4], direction=[0.0])  # the old detail source, horizontal
        + _grid(r=[3], amp=[0.1], length=[4], direction=[None, 45.0, 90.0], contrast_floor=[0.02])
        + _grid(r=[3], amp=[0.08, 0.1, 0.12], length=[4], direction=[0.0], contrast_floor=[0.02, 0.025, 0.03],
                width=[1.0, 1.25])
        + _grid(r=[3], amp=[0.1], length=[2, 7], direction=[0.0], contrast_floor=[0.025], width=[1.0])
    ),
    "picabia_udnie": (
        [dict(r=3, amp=0.5, length=4, lines=0.5)]
        + _grid(r=[3, 4, 5], amp=[0.0], passes=[1, 2, 3])
        + _grid(r=[4], amp=[0.0, 0.05], passes=[2], lines=[0.0, 0.25])[1:]
    ),
}
# Flat planes with ink outlines (cells and lead lines, a cartoon's flat colours): `--grid outlined_planes`
NAMED_GRIDS = {
    "edge": EDGE_GRID,
    "outlined_planes": ([dict(r=4, amp=0.0, passes=2)]
                        + _grid(r=[3, 4], amp=[0.0], passes=[1, 2], lines=[0.5, 1.0])),
    # Edge strokes drawn from the detail at a unit *local* contrast (a fixed scale) instead of the detail
    # scaled per image to unit std: a per-image statistic is out of reach of a per-pixel student, which then
    # under-paints soft webcam frames.
    "local_edge": ([dict(r=3, amp=0.35, length=4, lines=0.5)]
                   + _grid(r=[3], amp=[0.1, 0.15, 0.2], length=[4], lines=[0.5], contrast_floor=[0.02, 0.03])),
}


def sheet(photos: list[np.ndarray], outs: list[np.ndarray], path: Path, idx=(0, 3, 6), crop: int = 200) -> None:
    """Each row: photo, painting (both 320 px high), then a 1:1 centre crop of each."""
    rows = []
    for i in idx:
        a, b = photos[i], outs[i]
        y, x = a.shape[0] // 2 - crop // 2, max(0, a.shape[1] // 2 - crop)
        full = [cv2.resize(im, (round(im.shape[1] * 320 / im.shape[0]), 320)) for im in (a, b)]
        crops = [cv2.resize(im[y:y + crop, x:x + crop], (320, 320), interpolation=cv2.INTER_NEAREST) for im in (a, b)]
        rows.append(np.hstack(full + crops))
    w = max(r.shape[1] for r in rows)
    cv2.imwrite(str(path), np.vstack([np.pad(r, ((0, 0), (0, w - r.shape[1]), (0, 0))) for r in rows]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("styles", nargs="*", default=list(GRIDS))
    ap.add_argument("--offset", type=int, default=0, help="which 10 training photos: files[offset::9][:10]")
    ap.add_argument("--sheets", type=Path, default=None)
    ap.add_argument("--grid", choices=sorted(NAMED_GRIDS), default=None, help="this grid for every folder")
    args = ap.parse_args()
    cv2.setNumThreads(1)
    photo_files = image_files(default_train_photos_dir())[args.offset::9][:10]
    photos = [model_sized(read_image(p)) for p in photo_files]  # BGR uint8
    rgb = [p[..., ::-1].astype(np.float32) / 255.0 for p in photos]

    def to_bgr(ims):
        return [np.ascontiguousarray((np.clip(i, 0, 1)[..., ::-1] * 255).round().astype(np.uint8)) for i in ims]

    for style in args.styles:
        folder = DATA / "styles" / style
        t0 = time.time()
        critic = critic_for(folder)
        style_imgs = [read_image(p)[..., ::-1] for p in image_files(folder)]
        ct = fit_colour_transform(sample_pixels([(x * 255).astype(np.uint8) for x in rgb]), sample_pixels(style_imgs))
        base = [ct.apply_np(x) for x in rgb]
        colour_only = texture_gain(critic, photos, to_bgr(base))["texture_gain"]
        rows, outs = [], {}
        grid = NAMED_GRIDS[args.grid] if args.grid else GRIDS.get(style, EDGE_GRID)
        for kw in grid:
            t1 = time.perf_counter()
            out = to_bgr([paint_float(b, **kw) for b in base])
            ms = (time.perf_counter() - t1) * 1000 / len(base)
            tg = texture_gain(critic, photos, out)["texture_gain"]
            es = float(np.mean([metrics.content_edge_ssim(p, o) for p, o in zip(photos, out, strict=True)]))
            row = {**{k: kw[k] for k in KEYS if k in kw}, "tg": round(tg, 3), "edge_ssim": round(es, 3),
                   "ms_512px": round(ms)}
            rows.append(row)
            outs[json.dumps(kw)] = out
            print(json.dumps({"style": style, **row}), flush=True)
        ok = sorted([r for r in rows if r["edge_ssim"] >= 0.45], key=lambda d: -d["tg"])
        if args.sheets:
            args.sheets.mkdir(parents=True, exist_ok=True)
            for rank, r in enumerate(ok[:3]):
                kw = next(k for k in grid if all(r.get(a) == k.get(a) for a in KEYS))
                sheet(photos, outs[json.dumps(kw)], args.sheets / f"{style}_best{rank}_o{args.offset}.jpg")
        print(json.dumps({"style": style, "offset": args.offset, "colour_only_tg": colour_only,
                          "s": round(time.time() - t0, 1), "best_with_edge_ssim_ge_0.45": ok[:5]}), flush=True)


if __name__ == "__main__":
    main()
