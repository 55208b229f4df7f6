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
from torch import nn

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

PATCH = 64


def grey01(bgr: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0


def normalise(patches: torch.Tensor) -> torch.Tensor:
    """Each patch minus its mean over its contrast: the classifier sees marks, not brightness or contrast."""
    mean = patches.mean(dim=(2, 3), keepdim=True)
    std = patches.std(dim=(2, 3), keepdim=True)
    return (patches - mean) / (std + 0.02)


class PainterNet(nn.Module):
    """Small on purpose: it trains in minutes on one CPU core and its gradient is cheap in a student's step."""

    def __init__(self, classes: int, width: int = 16) -> None:
        super().__init__()
        w = width
        layers, cin = [], 1
        for cout, k, stride in ((w, 5, 2), (2 * w, 3, 2), (4 * w, 3, 2), (4 * w, 3, 1)):
            layers += [nn.Conv2d(cin, cout, k, stride, k // 2), nn.GroupNorm(8, cout), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, patches: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(normalise(patches)).mean(dim=(2, 3)))


def _views(images: list[np.ndarray], scales: tuple[float, ...]) -> list[np.ndarray]:
    out = []
    for img in images:
        g = grey01(working_image(img))
        for s in scales:
            v = g if s == 1.0 else cv2.resize(g, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            if min(v.shape) >= PATCH:
                out.append(v)
    return out


def _split(view: np.ndarray, held: bool) -> np.ndarray:
    """The left 80% of a picture trains, the right 20% checks (a sanity check, not a ceiling)."""
    cut = max(int(view.shape[1] * 0.8), PATCH)
    return view[:, min(cut - PATCH // 2, view.shape[1] - PATCH):] if held else view[:, :cut]


def _sample(views: list[np.ndarray], n: int, rng: np.random.Generator, augment: bool) -> np.ndarray:
    out = np.empty((n, PATCH, PATCH), np.float32)
    for i in range(n):
        v = views[int(rng.integers(len(views)))]
        y, x = int(rng.integers(v.shape[0] - PATCH + 1)), int(rng.integers(v.shape[1] - PATCH + 1))
        p = v[y:y + PATCH, x:x + PATCH]
        if augment:
            p = np.rot90(p, int(rng.integers(4))) if rng.random() < 0.5 else p[:, ::-1]
            r = rng.random()
            if r < 1 / 3:
                p = cv2.GaussianBlur(np.ascontiguousarray(p), (0, 0), rng.uniform(0.5, 1.5))
            elif r < 2 / 3:
                p = p + rng.normal(0, rng.uniform(3, 20) / 255, p.shape).astype(np.float32)
        out[i] = p
    return out


def train_painter_net(classes: list[str], steps: int, seed: int) -> tuple[PainterNet, dict]:
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    views = []
    for c in classes:
        if c == PHOTO:
            views.append(_views([read_image(p) for p in image_files(TRAIN)], PHOTO_SCALES))
        else:
            views.append(_views([read_image(p) for p in image_files(STYLES / c)], STYLE_SCALES))
    train_views = [[_split(v, False) for v in vs] for vs in views]
    held_views = [[_split(v, True) for v in vs] for vs in views]
    net = PainterNet(len(classes))
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    per = 8
    for step in range(steps):
        x = np.concatenate([_sample(train_views[k], per, rng, True) for k in range(len(classes))])
        y = np.repeat(np.arange(len(classes)), per)
        loss = F.cross_entropy(net(torch.from_numpy(x)[:, None]), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0:
            print(f"painter net step {step} loss {loss.item():.3f}", flush=True)
    net.eval()
    acc = {}
    with torch.no_grad():
        for k, c in enumerate(classes):
            x = torch.from_numpy(_sample(held_views[k], 128, np.random.default_rng(1), False))[:, None]
            acc[c] = round(float((net(x).argmax(1) == k).float().mean()), 3)
    for p in net.parameters():
        p.requires_grad_(False)
    return net, acc


def _crops(x: torch.Tensor, n: int, gen: torch.Generator) -> torch.Tensor:
    """`n` random 64 px crops at a random scale (0.6-1.0), a third of them slightly blurred: a pattern
    that only fools the net at one scale and phase does not count."""
    h, w = x.shape[-2:]
    out = []
    for _ in range(n):
        s = float(torch.empty(1).uniform_(0.6, 1.0, generator=gen))
        size = min(int(PATCH / s), h, w)
        y = int(torch.randint(0, h - size + 1, (1,), generator=gen))
        xx = int(torch.randint(0, w - size + 1, (1,), generator=gen))
        c = x[..., y:y + size, xx:xx + size]
        out.append(F.interpolate(c, size=(PATCH, PATCH), mode="bilinear", align_corners=False, antialias=True))
    crops = torch.cat(out)
    blur = torch.rand(n, generator=gen) < 1 / 3
    if blur.any():
        k = torch.tensor([1, 4, 6, 4, 1], dtype=torch.float32)
        k = (k[:, None] * k[None]) / 256
        crops[blur] = F.conv2d(F.pad(crops[blur], (2, 2, 2, 2), mode="reflect"), k[None, None])
    return crops


def gaussian(x: torch.Tensor, sigma: float) -> torch.Tensor:
    r = int(3 * sigma)
    t = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-t * t / (2 * sigma * sigma))
    k = k / k.sum()
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="reflect"), k[None, None, None, :])
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="reflect"), k[None, None, :, None])


def paint_toward(net: PainterNet, target: int, bgr: np.ndarray, steps: int, w_content: float,
                 sigma: float, seed: int) -> np.ndarray:
    """The picture with its grey detail optimised toward `target`; its low-pass (sigma px) is kept."""
    x0 = torch.from_numpy(grey01(bgr))[None, None]
    low0 = gaussian(x0, sigma)
    delta = torch.zeros_like(x0, requires_grad=True)
    opt = torch.optim.Adam([delta], 0.01)
    gen = torch.Generator().manual_seed(seed)
    labels = torch.full((16,), target)
    for _ in range(steps):
        x = (x0 + delta).clamp(0, 1)
        loss = F.cross_entropy(net(_crops(x, 16, gen)), labels) + w_content * (gaussian(x, sigma) - low0).abs().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    d = delta.detach()[0, 0].numpy() * 255
    return np.clip(bgr.astype(np.float32) + d[..., None], 0, 255).round().astype(np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--net-steps", type=int, default=3000)
    ap.add_argument("--steps", type=int, default=150)
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
        net.eval()
        for p in net.parameters():
            p.requires_grad_(False)
    else:
        net, acc = train_painter_net(classes, args.net_steps, args.seed)
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
                cnn = float(np.mean([F.softmax(net(_crops(torch.from_numpy(grey01(o))[None, None], 32,
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
