"""Issue 16: can a from-scratch painter classifier pull a picture's marks toward one painter?

Every teacher so far copies or draws marks and hopes the identifier names them. This probe asks the
question the other way round, as a perceptual loss would: a small CNN is trained from scratch (no
pretrained weights) to tell the nine folders' grey patches from each other and from photos, and a
picture's grey detail is then optimised, pixel by pixel, to be classified as one folder while its
low-pass stays the photo's. If the *independent* identifier (evaluation/identify.py: hand-made mark
features and a logistic regression, which the CNN never sees) names the optimised pictures, the CNN's
gradient carries the painter and is worth a term in the student's recipe; if only the CNN is fooled,
its gradient is an adversarial pattern and is not.

Tune part only (analogy_teacher.tune_sets); munch_scream is a class of the CNN, as it is of the
identifier, but never a target here.

    nice env OMP_NUM_THREADS=1 PYTHONPATH=. .venv/bin/python -m research.experiments.painter_probe \
        --json docs/research/painter/probe_tune.json --sheet docs/research/painter/probe_tune.jpg
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from research.experiments.analogy_teacher import CACHE, NEVER_TUNED, STYLES, TRAIN, tune_sets
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.identify import (
    PHOTO,
    PHOTO_SCALES,
    STYLE_SCALES,
    IdentifyConfig,
    train_identifier,
)
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.style_critic import working_image
from vst_desktop.training.painter import (
    PATCH,
    PainterNet,
    freeze,
    grey_views,
    random_crops,
    sample_patches,
    train_painter_net,
)
from vst_desktop.training.texture.views import gaussian_blur


def grey01(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0


def _split(view: np.ndarray, held: bool) -> np.ndarray:
    """The left 80% of a picture trains, the right 20% checks (a sanity check, not a ceiling)."""
    cut = max(int(view.shape[1] * 0.8), PATCH)
    return view[:, min(cut - PATCH // 2, view.shape[1] - PATCH):] if held else view[:, :cut]


def train_checked(classes: list[str], steps: int, seed: int) -> tuple[PainterNet, dict]:
    """The training's classifier over the shared folders (own folder not first: one net for all targets),
    trained on the left of every picture and checked on the right."""
    views = []
    for c in classes:
        files = image_files(TRAIN) if c == PHOTO else image_files(STYLES / c)
        rgb = [working_image(read_image(p))[..., ::-1] for p in files]
        views.append(grey_views(rgb, PHOTO_SCALES if c == PHOTO else STYLE_SCALES))
    net = train_painter_net([[_split(v, False) for v in vs] for vs in views], steps, seed)
    acc = {}
    with torch.no_grad():
        for k, c in enumerate(classes):
            x = sample_patches([_split(v, True) for v in views[k]], 128, np.random.default_rng(1), False)
            acc[c] = round(float((net(torch.from_numpy(x)[:, None]).argmax(1) == k).float().mean()), 3)
    return net, acc


def paint_toward(net: PainterNet, target: int, bgr: np.ndarray, steps: int, w_content: float,
                 sigma: float, seed: int) -> np.ndarray:
    """The picture with its grey detail optimised toward `target`; its low-pass (sigma px) is kept."""
    x0 = torch.from_numpy(grey01(bgr))[None, None]
    low0 = gaussian_blur(x0, sigma)
    delta = torch.zeros_like(x0, requires_grad=True)
    opt = torch.optim.Adam([delta], 0.01)
    gen = torch.Generator().manual_seed(seed)
    labels = torch.full((16,), target)
    for _ in range(steps):
        x = (x0 + delta).clamp(0, 1)
        loss = F.cross_entropy(net(random_crops(x, 16, gen)), labels) + w_content * (gaussian_blur(x, sigma) - low0).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    d = delta.detach()[0, 0].numpy() * 255
    return np.clip(bgr.astype(np.float32) + d[..., None], 0, 255).round().astype(np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--net-steps", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--w-content", type=float, default=20.0)
    ap.add_argument("--sigma", type=float, default=4.0)
    ap.add_argument("--folders", default="")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--net", help="the trained painter net: loaded if it exists, else trained and saved there")
    ap.add_argument("--json")
    ap.add_argument("--sheet")
    args = ap.parse_args()
    torch.set_num_threads(1)
    all_folders = sorted(p for p in STYLES.iterdir() if p.is_dir())
    classes = [p.name for p in all_folders] + [PHOTO]
    t0 = time.time()
    if args.net and Path(args.net).exists():
        saved = torch.load(args.net)
        net, acc = PainterNet(len(classes)), saved["accuracy"]
        net.load_state_dict(saved["state"])
        freeze(net)
    else:
        net, acc = train_checked(classes, args.net_steps, args.seed)
        if args.net:
            torch.save({"state": net.state_dict(), "accuracy": acc}, args.net)
    print(f"painter net: {time.time() - t0:.0f} s, right-strip accuracy {acc}", flush=True)
    idents = {m: train_identifier(all_folders, TRAIN, IdentifyConfig(mode=m), CACHE) for m in ("grey", "colour")}
    detailed, webcam = tune_sets()
    names = [f for f in args.folders.split(",") if f] or [c for c in classes[:-1] if c != NEVER_TUNED]
    report = {"settings": vars(args), "net_accuracy": acc}
    sheet = []
    for name in names:
        t1 = time.time()
        k = classes.index(name)
        r = {}
        for set_name, src in (("webcam", webcam), ("photos", detailed)):
            outs = [paint_toward(net, k, im, args.steps, args.w_content, args.sigma, args.seed + i)
                    for i, im in enumerate(src)]
            with torch.no_grad():
                cnn = float(np.mean([F.softmax(net(random_crops(torch.from_numpy(grey01(o))[None, None], 32,
                                                               torch.Generator().manual_seed(9))), 1)[:, k].mean()
                                     for o in outs]))
            r[set_name] = {m: {q: idents[m].score(outs, name)[q] for q in ("p_own", "top1")} for m in idents}
            r[set_name]["cnn_p_own"] = round(cnn, 3)
            r[set_name]["edge_ssim"] = round(float(np.mean([metrics.content_edge_ssim(a, b)
                                                             for a, b in zip(src, outs, strict=True)])), 3)
            if set_name == "webcam":
                sheet.append(np.concatenate([cv2.resize(outs[0], (320, 180)), cv2.resize(outs[7], (320, 180))], 1))
        report[name] = r
        print(f"| {name} | {r['photos']['grey']['top1']} {r['photos']['grey']['p_own']:.2f} | "
              f"{r['webcam']['grey']['top1']} {r['webcam']['grey']['p_own']:.2f} | cnn {r['photos']['cnn_p_own']:.2f} / "
              f"{r['webcam']['cnn_p_own']:.2f} | ssim {r['photos']['edge_ssim']:.2f} / {r['webcam']['edge_ssim']:.2f} | "
              f"{time.time() - t1:.0f} s |", flush=True)
    report["hits"] = {s: {m: sum(report[n][s][m]["top1"] == n for n in names) for m in idents}
                      for s in ("photos", "webcam")}
    print("top-1 hits:", report["hits"])
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=1), encoding="utf-8")
    if args.sheet:
        cv2.imwrite(args.sheet, np.concatenate(sheet), [cv2.IMWRITE_JPEG_QUALITY, 85])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
