"""Distil the deterministic painterly teacher into a small generator.

The teacher (texture_teacher.paint) is local: colour transform, Kuwahara flat regions, line-integral
convolution of a source texture along the edge tangent. With `--source noise` the generator receives the
same fixed noise map as a 4th input channel (crop-aligned with the teacher's), so the target is a
deterministic, local function of its input and pixel losses do not average the texture away.

    nice -n 5 .venv/bin/python -m research.experiments.texture_distill --name e2 --source noise --minutes 10
"""

from __future__ import annotations

import argparse
import json
import os
import time

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from research.experiments.texture_teacher import paint
from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from research.texture.data import RandomCrops
from research.texture.losses import temporal_compound
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.views import gaussian_blur, grey


class NoiseFedGenerator(nn.Module):
    """Stand-in fast generator with an extra noise input channel; residual on the colour-transformed input."""

    def __init__(self, ch: int = 32, blocks: int = 4, full_ch: int = 16, noise: bool = True):
        super().__init__()
        self.noise = noise
        cin = 4 if noise else 3
        h = ch // 2
        self.e1 = nn.Sequential(nn.Conv2d(cin, h, 3, 2, 1), nn.LeakyReLU(0.2, True))
        self.e2 = nn.Sequential(nn.Conv2d(h, ch, 3, 2, 1), nn.LeakyReLU(0.2, True))
        self.blocks = nn.Sequential(*[tc.InvRes(ch) for _ in range(blocks)])
        self.d1 = nn.Sequential(nn.Conv2d(ch + h, h, 3, 1, 1), nn.LeakyReLU(0.2, True))
        self.d2 = nn.Sequential(nn.Conv2d(h + cin, full_ch, 3, 1, 1), nn.LeakyReLU(0.2, True))
        self.out = nn.Conv2d(full_ch, 3, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, c, n=None):
        z = c * 2 - 1
        if self.noise:
            z = torch.cat([z, n], 1)
        a = self.e1(z)
        b = self.blocks(self.e2(a))
        u = F.interpolate(b, size=a.shape[-2:], mode="bilinear", align_corners=False)
        d = self.d1(torch.cat([u, a], 1))
        u2 = F.interpolate(d, size=c.shape[-2:], mode="bilinear", align_corners=False)
        return c + self.out(self.d2(torch.cat([u2, z], 1)))


def noise_map(h: int, w: int, seed: int = 1234) -> np.ndarray:
    """The fixed noise map shared by teacher and student (screen space), blurred like the teacher's."""
    rng = np.random.default_rng(seed)
    return cv2.GaussianBlur(rng.standard_normal((h, w)).astype(np.float32), (0, 0), 1.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--style", default="van_gogh")
    ap.add_argument("--source", default="noise", choices=["noise", "input"])
    ap.add_argument("--amp", type=float, default=0.12)
    ap.add_argument("--r", type=int, default=4)
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--w_hp", type=float, default=2.0, help="extra L1 on the grey high-pass (the strokes)")
    ap.add_argument("--ch", type=int, default=32)
    ap.add_argument("--w_temp", type=float, default=0.0, help="temporal compound term (input source only)")
    a = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("TEXTURE_THREADS", "2")))
    cv2.setNumThreads(1)
    torch.manual_seed(0)
    out_dir = tc.RUNS / a.name
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(vars(a), indent=1))
    held = tc.HELD_OUT.get(a.style, ())
    photo_imgs = tc.load_folder(tc.DATA / "content" / "train", long_side=int(tc.WORK_LONG * 1.25))
    ct = fit_colour_transform(sample_pixels(photo_imgs),
                              sample_pixels(tc.load_folder(tc.style_dir(a.style), 256, exclude=held)))
    photos = RandomCrops(photo_imgs, long_side=int(tc.WORK_LONG * 1.25), scale=(0.8, 1.25), seed=1)
    photos.images = photo_imgs
    N = noise_map(1024, 1024)
    rng = np.random.default_rng(0)
    use_noise = a.source == "noise"
    G = NoiseFedGenerator(a.ch, noise=use_noise)
    opt = torch.optim.Adam(G.parameters(), lr=a.lr, betas=(0.9, 0.99))
    t0, step, acc = time.time(), 0, []
    log = open(out_dir / "log.jsonl", "w")
    while time.time() - t0 < a.minutes * 60:
        xs, ns, ts = [], [], []
        for _ in range(a.batch):
            x = photos.crop(a.crop)
            y0, x0 = rng.integers(0, 1024 - a.crop, 2)
            n = N[y0:y0 + a.crop, x0:x0 + a.crop]
            ts.append(paint(x, ct, source=a.source, amp=a.amp, r=a.r, noise_map=n))
            xs.append(x)
            ns.append(n)
        x = torch.from_numpy(np.stack(xs)).float().div(255).permute(0, 3, 1, 2)
        tgt = torch.from_numpy(np.stack(ts)).float().div(255).permute(0, 3, 1, 2)
        n = torch.from_numpy(np.stack(ns))[:, None]
        c = ct.apply_torch(x)
        y = G(c, n)
        hp = lambda z: grey(z) - gaussian_blur(grey(z), 3.0)  # noqa: E731
        loss = F.l1_loss(y, tgt) + a.w_hp * F.l1_loss(hp(y), hp(tgt))
        if a.w_temp > 0 and not use_noise:
            loss = loss + a.w_temp * temporal_compound(lambda z: G(z, None), c, y, noise=0.01)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        acc.append(float(loss.detach()))
        if step % 25 == 0:
            rec = {"step": step, "t": round(time.time() - t0, 1), "loss": round(float(np.mean(acc)), 4)}
            acc = []
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
    train_s = time.time() - t0
    torch.save(G.state_dict(), out_dir / "G.pt")
    # evaluation: both critics, flicker on the clip, sheet (teacher row + student row)
    G.eval()
    val = tc.load_val()
    clip = tc.load_clip(24)
    Nbig = noise_map(1024, 1024)

    @torch.no_grad()
    def run(im):
        h, w = im.shape[:2]
        c = ct.apply_torch(tc.to_t(im))
        n = torch.from_numpy(Nbig[:h, :w].copy())[None, None]
        return tc.to_np(G(c, n))

    outs = {k: run(v) for k, v in val.items()}
    teach = {k: paint(val[k], ct, source=a.source, amp=a.amp, r=a.r, noise_map=Nbig[:val[k].shape[0], :val[k].shape[1]])
             for k in tc.SHEET_NAMES}
    crit = PaintingCritic()
    crit.load_state_dict(torch.load(tc.RUNS / f"critic_{a.style}_s0.pt", weights_only=True))
    ref = json.loads((tc.RUNS / f"critic_{a.style}_s0.json").read_text())
    p = crit.score_many(list(outs.values()))
    from vst_desktop.evaluation.style_critic import train_critic
    from vst_desktop.evaluation.style_score import texture_gain
    ec = train_critic(tc.style_dir(a.style), tc.DATA / "content" / "train", cache_dir=tc.RUNS / "eval_cache")
    bgr = lambda ims: [im[..., ::-1].copy() for im in ims]  # noqa: E731
    tg = texture_gain(ec, bgr(list(val.values())), bgr(list(outs.values())))["texture_gain"]
    clip_out = [run(f) for f in clip]
    ratio = tc.ewarp(clip, clip_out)[0]
    essim = float(np.mean([tc.edge_ssim(val[k], outs[k]) for k in val]))
    names = tc.SHEET_NAMES
    tc.sheet([val[k] for k in names] + [clip[3], clip[20]],
             [[teach[k] for k in names] + [paint(clip[3], ct, source=a.source, amp=a.amp, r=a.r,
                                                 noise_map=Nbig[:clip[3].shape[0], :clip[3].shape[1]]),
                                           paint(clip[20], ct, source=a.source, amp=a.amp, r=a.r,
                                                 noise_map=Nbig[:clip[20].shape[0], :clip[20].shape[1]])],
              [outs[k] for k in names] + [clip_out[3], clip_out[20]]], out_dir / "sheet_final.jpg")
    res = {"name": a.name, "steps": step, "train_s": round(train_s, 1), "s_per_step": round(train_s / step, 3),
           "p_out": p, "gain": gain(p, ref["p_val_photos"], ref["p_heldout_paintings"]),
           "eval_texture_gain": tg, "ewarp_ratio": ratio, "edge_ssim": essim, "G_params": tc.n_params(G),
           "config": vars(a)}
    (out_dir / "result.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1), flush=True)


if __name__ == "__main__":
    main()
