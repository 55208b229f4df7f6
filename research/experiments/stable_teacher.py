"""Teachers whose strokes are a function of the smoothed image (stable under noise and motion), scored by
texture_gain (van_gogh critic, content training photos) and by their own ewarp_ratio on two shared clips.

    .venv/bin/python -m research.experiments.stable_teacher
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_clip, read_image
from vst_desktop.evaluation.run import critic_for, default_train_photos_dir, model_sized
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.strokes import kuwahara, lic, paint_float, tangent_field

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
CLIPS = ["head-pose-face-detection-male.gif", "bottle-detection.mp4"]


def isophote(x, n=12, sigma=2.0, amp=0.25, r=3, length=0, gate_px=4.0):
    """Stripes along the isophotes of the blurred luminance: stroke-like bands that follow the shapes."""
    flat = kuwahara(x, r) if r else x
    g = cv2.GaussianBlur(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), (0, 0), sigma)
    phase = 2 * np.pi * n * g
    s = np.sin(phase).astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3) / 8
    period = 1.0 / (n * np.sqrt(gx * gx + gy * gy) + 1e-6)  # stripe period in px
    gate = np.clip((period - gate_px) / gate_px, 0, 1)  # no aliased stripes where they would be too dense
    s = s * gate
    if length:
        s = lic(s, tangent_field(flat, 3.0), length)
    return np.clip(flat + amp * s[..., None], 0, 1).astype(np.float32)


def as_bgr_fn(fn):
    def run(bgr):
        x = np.ascontiguousarray(bgr[..., ::-1].astype(np.float32) / 255.0)
        return np.ascontiguousarray((fn(x)[..., ::-1] * 255).round().astype(np.uint8))
    return run


def main():
    critic = critic_for(DATA / "styles" / "van_gogh")
    photos = [model_sized(read_image(p)) for p in image_files(default_train_photos_dir())[::9][:10]]
    clips = {c: read_clip(DATA / "video" / c, max_frames=16) for c in CLIPS}
    pairs = {c: metrics.warp_pairs(f) for c, f in clips.items()}
    variants = {
        "detail_r3_a0.5_l4_lines1": lambda x: paint_float(x, 3, 0.5, 4, 1.0),
        "kuwahara3": lambda x: kuwahara(x, 3),
        "iso_n12_a0.25": lambda x: isophote(x),
        "iso_n12_a0.4": lambda x: isophote(x, amp=0.4),
        "iso_n20_a0.3": lambda x: isophote(x, n=20, amp=0.3),
        "iso_n12_a0.3_s4": lambda x: isophote(x, sigma=4.0, amp=0.3),
        "iso_n12_a0.3_lic4": lambda x: isophote(x, amp=0.3, length=4),
        "iso_n8_a0.3_r0": lambda x: isophote(x, n=8, amp=0.3, r=0),
    }
    for name, fn in variants.items():
        run = as_bgr_fn(fn)
        tg = texture_gain(critic, photos, [run(p) for p in photos])["texture_gain"]
        es = float(np.mean([metrics.content_edge_ssim(p, run(p)) for p in photos[:5]]))
        ew = {c: metrics.ewarp_ratio(f, run, pairs[c])["ewarp_ratio"] for c, f in clips.items()}
        print(json.dumps({"variant": name, "tg": round(tg, 3), "edge_ssim": round(es, 3), **ew}), flush=True)
        if name.startswith("iso_n12_a0.25"):
            cv2.imwrite("runs/iso_example.jpg", np.concatenate([photos[1], run(photos[1])], 1))


if __name__ == "__main__":
    main()
