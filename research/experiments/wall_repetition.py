"""How visibly a style repeats itself on the plain wall of a webcam frame (a wallpaper, not a painting).

A canvas style paints the wall from a periodic tile; the eye finds the repeat when the same marks come
back a tile's width away. This measures it on held-out webcam frames at the live size (640x360): the
output's grey detail (above a Gaussian low-pass, sigma 4 px) is correlated with itself shifted by every
offset of 24-320 px across and up to half the frame's height (over the part of the frame the two overlap), and the
largest normalised correlation is the repetition: near 1 when a tile repeats cleanly, near 0 for marks that never
come back. The input frames and each folder's own paintings give the scale: what a camera and a painter give.

    python -m research.experiments.wall_repetition --json out.json LABEL=BUILD_DIR ...
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from research.experiments.candidate_sheets import HEAD_POSE, SHARED, styles_of
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.stylizers import open_session
from vst_desktop.evaluation.webcam import clip_frames

SIZE = (640, 360)  # the live view's network size on a CPU
MIN_SHIFT, MAX_SHIFT = 24, 320  # px: nearer shifts are one mark's own extent; farther ones leave no overlap
DETAIL_SIGMA = 4.0


def repetition(bgr: np.ndarray) -> tuple[float, tuple[int, int]]:
    """(largest normalised autocorrelation of the grey detail at a shift of 24-320 px, that shift (dy, dx))."""
    grey = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255
    detail = grey - cv2.GaussianBlur(grey, (0, 0), DETAIL_SIGMA)
    h, w = detail.shape
    d = detail - detail.mean()
    padded = np.zeros((2 * h, 2 * w), np.float32)  # zero padding: a linear, not circular, correlation
    padded[:h, :w] = d
    f = np.fft.rfft2(padded)
    corr = np.fft.irfft2(f * np.conj(f), s=padded.shape)
    # normalise each shift by the energy of the overlap it compares, so a far shift is not favoured or penalised
    e = np.fft.rfft2(np.pad(d * d, ((0, h), (0, w))))
    ones = np.fft.rfft2(np.pad(np.ones_like(d), ((0, h), (0, w))))
    overlap_energy = np.fft.irfft2(e * np.conj(ones), s=padded.shape)
    overlap_energy_back = np.fft.irfft2(ones * np.conj(e), s=padded.shape)
    norm = np.sqrt(np.maximum(overlap_energy * overlap_energy_back, 1e-12))
    ys = np.fft.fftfreq(2 * h, 1 / (2 * h)).round().astype(int)[:, None]
    xs = np.fft.fftfreq(2 * w, 1 / (2 * w)).round().astype(int)[None, :]
    dist = np.maximum(np.abs(ys), np.abs(xs))
    ok = (dist >= MIN_SHIFT) & (dist <= MAX_SHIFT) & (np.abs(ys) <= h // 2) & (np.abs(xs) <= w // 2)
    score = np.where(ok, corr / norm, -np.inf)
    i = np.unravel_index(np.argmax(score), score.shape)
    return float(score[i]), (int(ys[i[0], 0]), int(xs[0, i[1]]))


def fitted(img: np.ndarray) -> np.ndarray:
    """The frame brought to the live size, cropped to 16:9 from the centre."""
    h, w = img.shape[:2]
    target = SIZE[0] / SIZE[1]
    if w / h > target:
        cw = round(h * target)
        img = img[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = round(w / target)
        img = img[(h - ch) // 2:(h - ch) // 2 + ch]
    return cv2.resize(img, SIZE, interpolation=cv2.INTER_AREA)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("builds", nargs="+", help="LABEL=BUILD_DIR (a build_styles folder)")
    ap.add_argument("--json", required=True)
    args = ap.parse_args()
    frames = [fitted(f) for f in clip_frames(HEAD_POSE, 6)]
    out: dict = {"input": float(np.mean([repetition(f)[0] for f in frames])), "paintings": {}, "builds": {}}
    folders = set()
    for spec in args.builds:
        label, build = spec.split("=", 1)
        rows = {}
        for folder, _name, onnx in styles_of(Path(build)):
            session = open_session(onnx, prefer_gpu=False)
            scores = [repetition(session.run(f, 1.0)) for f in frames]
            rows[folder] = {"repetition": round(float(np.mean([s for s, _ in scores])), 3),
                            "shifts": [list(at) for _, at in scores]}
            folders.add(folder)
            print(f"{label:>10} {folder:22s} {rows[folder]['repetition']:.3f}", flush=True)
        out["builds"][label] = rows
    for folder in sorted(folders):  # each painting at the live size, as the same measure sees a frame
        scores = [repetition(fitted(read_image(p)))[0] for p in image_files(SHARED / "styles" / folder)]
        out["paintings"][folder] = round(float(np.mean(scores)), 3)
    print("input", round(out["input"], 3), "paintings", out["paintings"])
    Path(args.json).write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
