"""ewarp_ratio of the stroke teacher itself (frame by frame) and of plain sharpening, on the shared clips at
the evaluation's scale: how much of a student's flicker is already in what it imitates.

    .venv/bin/python -m research.experiments.teacher_flicker
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import read_clip
from vst_desktop.training.texture.strokes import paint_float

VIDEO = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "video"
CLIPS = ["head-pose-face-detection-male.gif", "bottle-detection.mp4"]


def teacher(**kw):
    def run(bgr):
        x = bgr[..., ::-1].astype(np.float32) / 255.0
        return (paint_float(np.ascontiguousarray(x), **kw)[..., ::-1] * 255).round().astype(np.uint8)
    return run


def unsharp(amount):
    def run(bgr):
        b = cv2.GaussianBlur(bgr.astype(np.float32), (0, 0), 2.0)
        return np.clip(bgr + amount * (bgr - b), 0, 255).astype(np.uint8)
    return run


def main():
    clips = {c: read_clip(VIDEO / c, max_frames=16) for c in CLIPS}
    variants = {
        "unsharp1": unsharp(1.0),
        "kuwahara3": teacher(r=3, amp=0.0, length=6),
        "t_r3_a0.2_l6": teacher(r=3, amp=0.2, length=6),
        "t_r3_a0.35_l6": teacher(r=3, amp=0.35, length=6),
        "t_r3_a0.35_l12": teacher(r=3, amp=0.35, length=12),
        "t_r6_a0.2_l10": teacher(r=6, amp=0.2, length=10),
        "t_r3_a0.35_l6_lines1": teacher(r=3, amp=0.35, length=6, lines=1.0),
    }
    pairs = {c: metrics.warp_pairs(f) for c, f in clips.items()}
    for name, fn in variants.items():
        e = {c: metrics.ewarp_ratio(f, fn, pairs[c])["ewarp_ratio"] for c, f in clips.items()}
        print(json.dumps({"variant": name, **e}), flush=True)


if __name__ == "__main__":
    main()
