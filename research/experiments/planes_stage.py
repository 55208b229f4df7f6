"""Udnie's flat colour planes as a fixed stage of the generator: does a soft (differentiable,
ONNX-exportable) Kuwahara score like the hard one the planes teacher paints with?

    .venv/bin/python -m research.experiments.planes_stage ../shared/data/styles/picabia_udnie
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

from vst_desktop.evaluation.run import evaluate_style
from vst_desktop.training.data import load_training_data
from vst_desktop.training.fixed_stages import FlattenStage
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import kuwahara
from vst_desktop.trainspec.presets import make_config


def soft_kuwahara(x: torch.Tensor, r: int, q: float) -> torch.Tensor:
    """The first prototype of `fixed_stages.FlattenStage` (`--first`): colour variance and a softmax over the
    sectors, which onnxruntime ran 20x slower than the final form's squarings."""
    k = r + 1
    xp = F.pad(x, (r, r, r, r), mode="reflect")
    m = F.avg_pool2d(xp, k, stride=1)
    m2 = F.avg_pool2d(xp * xp, k, stride=1)
    h, w = x.shape[2:]
    means, logv = [], []
    for dy in (0, r):
        for dx in (0, r):
            mq = m[..., dy:dy + h, dx:dx + w]
            vq = (m2[..., dy:dy + h, dx:dx + w] - mq * mq).sum(1, keepdim=True).clamp_min(0)
            means.append(mq)
            logv.append(torch.log(vq + 1e-4))
    wts = torch.softmax(torch.stack(logv) * (-q / 2), 0)
    return (wts * torch.stack(means)).sum(0)


def main() -> None:
    folder = sys.argv[1]  # --first ... --fourth: also the variants of earlier measurements
    cfg = make_config("quick", styles_dir=folder)
    data = load_training_data(cfg.styles_dir, cfg.content_dir, False, cfg.crop_size, tuple(cfg.scale_jitter),
                              cfg.max_image_side, 2, content_pixel_scale=True)
    ct = fit_colour_transform(sample_pixels(data.content.images), sample_pixels(data.style.images), 1.0)

    def colour(bgr):
        return ct.apply_np(bgr[..., ::-1].astype(np.float32) / 255.0)

    def out(rgb):
        return np.ascontiguousarray((np.clip(rgb, 0, 1)[..., ::-1] * 255).round().astype(np.uint8))

    def soft(q, passes=2, r=4):
        def run(bgr):
            t = torch.from_numpy(colour(bgr)).permute(2, 0, 1)[None]
            with torch.no_grad():
                for _ in range(passes):
                    t = soft_kuwahara(t, r, q)
            return out(t[0].permute(1, 2, 0).numpy())
        return run

    def stage(**kw):
        st = FlattenStage(**kw)

        def run(bgr):
            t = torch.from_numpy(colour(bgr)).permute(2, 0, 1)[None]
            with torch.no_grad():
                return out(st(t)[0].permute(1, 2, 0).numpy())
        return run

    def hard_r(r, passes):
        def run(bgr):
            y = colour(bgr)
            for _ in range(passes):
                y = kuwahara(y, r)
            return out(y)
        return run

    cases = {"colour": lambda bgr: out(colour(bgr))}
    for r, passes in ((4, 2), (2, 3), (2, 4), (3, 2)):  # the teachers: radius 4 x 2 first, radius 2 x 3 now
        cases[f"hard_r{r}x{passes}"] = hard_r(r, passes)
    if "--first" in sys.argv:
        for q in (4.0, 8.0, 16.0):
            cases[f"soft_q{q:g}_r4x2"] = soft(q)
        cases["soft_q8_r6x1"] = soft(8.0, 1, 6)
    if "--second" in sys.argv:
        cases["stage_full_r4x2"] = stage(radius=4, passes=2)
        cases["stage_half_r2x2"] = stage(radius=2, passes=2, scale=2)
        cases["stage_half_r3x2"] = stage(radius=3, passes=2, scale=2)
        cases["stage_half_r2x3"] = stage(radius=2, passes=3, scale=2)
    if "--third" in sys.argv:
        cases["stage_half_r2x2_q16"] = stage(radius=2, passes=2, scale=2, sharpness_doublings=3)
        cases["stage_half_r2x3_q16"] = stage(radius=2, passes=3, scale=2, sharpness_doublings=3)
        cases["stage_half_r2x4_q16"] = stage(radius=2, passes=4, scale=2, sharpness_doublings=3)
    # smaller planes: faces on soft webcam frames lost their eyes and mouth at radius 2 (half resolution)
    if "--fourth" in sys.argv:
        for passes in (3, 5, 8):
            cases[f"stage_half_r1x{passes}_q16"] = stage(radius=1, passes=passes, scale=2, sharpness_doublings=3)
        cases["stage_full_r2x3_q16"] = stage(radius=2, passes=3, sharpness_doublings=3)
    cases["stage_half_r1x4_q16"] = stage(radius=1, passes=4, scale=2, sharpness_doublings=3)
    cases["stage_half_r1x3_q32"] = stage(radius=1, passes=3, scale=2, sharpness_doublings=4)
    for name, fn in cases.items():
        t0 = time.time()
        res = evaluate_style(fn, folder, timing=False)
        print(json.dumps({"case": name, "TG": res["texture_gain"], "CG": res["colour_gain"],
                          "ewarp": res["ewarp_ratio"], "raw": res["ewarp_ratio_raw"],
                          "ssim": res["content_edge_ssim"], "s": round(time.time() - t0)}), flush=True)


if __name__ == "__main__":
    main()
