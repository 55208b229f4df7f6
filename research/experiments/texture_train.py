"""One texture experiment: colour transform + texture-only adversarial training of a generator.

    nice -n 5 .venv/bin/python -m research.experiments.texture_train --name e1 --minutes 10

Writes /tmp/texture_runs/<name>/{log.jsonl, result.json, sheet.jpg, G.pt}.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import time
from pathlib import Path

import cv2
import numpy as np
import torch

from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from research.texture.data import RandomCrops
from research.texture.discriminator import (
    TextureDiscriminator,
    lsgan_d_loss,
    lsgan_g_loss,
    translate_cutout,
)
from research.texture.losses import (
    chroma_detail_l1,
    edge_structure_l1,
    lowfreq_l1,
    temporal_compound,
)
from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels


class RGBPatchD(torch.nn.Module):
    """Baseline: the usual two-scale patch D on RGB (sees colour)."""

    def __init__(self, ch=32):
        super().__init__()
        from research.texture.discriminator import _patch_d
        self.nets = torch.nn.ModuleList([_patch_d(3, ch, 3) for _ in range(2)])

    def forward(self, x):
        return [net(torch.nn.functional.avg_pool2d(x, 2 ** s) if s else x) * 1 for s, net in enumerate(self.nets)]


def build_args(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--style", default="van_gogh")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--max_steps", type=int, default=100000)
    ap.add_argument("--crop", type=int, default=160)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--gen", default="fast", choices=["fast", "quality", "standin", "standin_wide"],
                    help="fast/quality: the training engine's generators; standin*: research/texture/common.py's stand-ins")
    ap.add_argument("--colour", default="mkl", choices=["mkl", "none"])
    ap.add_argument("--colour_strength", type=float, default=1.0)
    ap.add_argument("--d", default="texture", choices=["texture", "rgb"])
    ap.add_argument("--d_ch", type=int, default=16)
    ap.add_argument("--temp_every", type=int, default=2)
    ap.add_argument("--hp_sigma", type=float, default=4.0)
    ap.add_argument("--norm_sigma", type=float, default=8.0, help="<=0: no contrast normalisation")
    ap.add_argument("--eps", type=float, default=0.03)
    ap.add_argument("--w_adv", type=float, default=1.0)
    ap.add_argument("--w_low", type=float, default=10.0)
    ap.add_argument("--low_sigma", type=float, default=4.0)
    ap.add_argument("--w_chroma", type=float, default=2.0)
    ap.add_argument("--w_edge", type=float, default=0.0)
    ap.add_argument("--w_temp", type=float, default=2.0)
    ap.add_argument("--lr_g", type=float, default=2e-4)
    ap.add_argument("--lr_d", type=float, default=4e-4)
    ap.add_argument("--style_long", type=int, default=tc.WORK_LONG)
    ap.add_argument("--photo_long", type=int, default=tc.WORK_LONG)
    ap.add_argument("--ema", type=float, default=0.998)
    ap.add_argument("--init", default="", help="G.pt to start from")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval_only", action="store_true", help="evaluate <name>/G.pt again")
    return ap.parse_args(argv)


def evaluate(G, ct, style, out_dir: Path, label: str) -> dict:
    crit = PaintingCritic()
    crit.load_state_dict(torch.load(tc.RUNS / f"critic_{style}_s0.pt", weights_only=True))
    ref = json.loads((tc.RUNS / f"critic_{style}_s0.json").read_text())
    p_photo, p_held = ref["p_val_photos"], ref["p_heldout_paintings"]
    val = tc.load_val()
    clip = tc.load_clip(40)

    @torch.no_grad()
    def run(im):
        c = ct.apply_torch(tc.to_t(im)) if ct is not None else tc.to_t(im)
        h, w = c.shape[-2:]
        ph, pw = (-h) % 8, (-w) % 8  # the engine's generators need sizes divisible by 4
        y = G(torch.nn.functional.pad(c, (0, pw, 0, ph), mode="replicate"))[..., :h, :w]
        return tc.to_np(y), tc.to_np(c)

    outs = {k: run(v) for k, v in val.items()}
    p_out = crit.score_many([o for o, _ in outs.values()])
    p_col = crit.score_many([c for _, c in outs.values()])
    clip_out = [run(f)[0] for f in clip]
    ratio, eo, ei = tc.ewarp(clip, clip_out)
    essim = float(np.mean([tc.edge_ssim(val[k], outs[k][0]) for k in val]))
    names = tc.SHEET_NAMES
    ins = [val[n] for n in names] + [clip[5], clip[30]]
    col = [outs[n][1] for n in names] + [run(clip[5])[1], run(clip[30])[1]]
    sty = [outs[n][0] for n in names] + [clip_out[5], clip_out[30]]
    tc.sheet(ins, [col, sty], out_dir / f"sheet_{label}.jpg")
    extra = {}
    try:
        from vst_desktop.evaluation.style_critic import train_critic
        from vst_desktop.evaluation.style_score import texture_gain
        ec = train_critic(tc.style_dir(style), tc.DATA / "content" / "train", cache_dir=tc.RUNS / "eval_cache")
        bgr = lambda ims: [im[..., ::-1].copy() for im in ims]  # noqa: E731
        tg = texture_gain(ec, bgr(list(val.values())), bgr([o for o, _ in outs.values()]))
        tgc = texture_gain(ec, bgr(list(val.values())), bgr([c for _, c in outs.values()]))
        extra = {"eval_texture_gain": tg["texture_gain"], "eval_texture_gain_colour_only": tgc["texture_gain"]}
    except ImportError as exc:  # the evaluation package is a colleague's; optional here
        extra = {"eval_texture_gain": f"unavailable: {exc}"}
    return {**extra, "p_out": p_out, "gain": gain(p_out, p_photo, p_held), "p_colour_only": p_col,
            "gain_colour_only": gain(p_col, p_photo, p_held), "ewarp_ratio": ratio, "e_out": eo, "e_in": ei,
            "edge_ssim": essim, "p_photo": p_photo, "p_held": p_held}


def main(argv=None):
    a = build_args(argv)
    torch.set_num_threads(int(os.environ.get('TEXTURE_THREADS', '2')))
    cv2.setNumThreads(1)
    torch.manual_seed(a.seed)
    out_dir = tc.RUNS / a.name
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "config.json").write_text(json.dumps(vars(a), indent=1))
    held = tc.HELD_OUT.get(a.style, ())
    paint_imgs = tc.load_folder(tc.style_dir(a.style), long_side=int(a.style_long * 1.25))
    photo_imgs = tc.load_folder(tc.DATA / "content" / "train", long_side=int(a.photo_long * 1.25))
    # colour: fitted on all paintings except the critic's held-out ones
    paint_fit = [im for im, p in zip(paint_imgs, sorted(tc.style_dir(a.style).iterdir()), strict=True)
                 if p.name not in held]
    ct = None
    if a.colour == "mkl":
        ct = fit_colour_transform(sample_pixels(photo_imgs), sample_pixels(paint_fit), strength=a.colour_strength)
        (out_dir / "colour.json").write_text(json.dumps(ct.to_dict()))
    styles = RandomCrops(paint_imgs, long_side=int(a.style_long * 1.25), scale=(0.8, 1.25), seed=a.seed)
    styles.images = paint_imgs
    photos = RandomCrops(photo_imgs, long_side=int(a.photo_long * 1.25), scale=(0.8, 1.25), seed=a.seed + 1)
    photos.images = photo_imgs
    if a.gen in ("fast", "quality"):
        from vst_desktop.training.models import build_generator
        G = build_generator(a.gen)
    else:
        G = tc.StandInGenerator(32, 4) if a.gen == "standin" else tc.StandInGenerator(64, 6, 24)
    if a.init:
        G.load_state_dict(torch.load(a.init, weights_only=True))
    G_ema = copy.deepcopy(G).eval()
    if a.d == "texture":
        D = TextureDiscriminator(ch=a.d_ch, hp_sigma=a.hp_sigma, norm_sigma=a.norm_sigma if a.norm_sigma > 0 else None,
                                 eps=a.eps)
    else:
        D = RGBPatchD(a.d_ch)
    if a.eval_only:
        G.load_state_dict(torch.load(out_dir / "G.pt", weights_only=True))
        res = evaluate(G.eval(), ct, a.style, out_dir, "final")
        old = json.loads((out_dir / "result.json").read_text()) if (out_dir / "result.json").is_file() else {}
        res = {**old, **res}
        (out_dir / "result.json").write_text(json.dumps(res, indent=1))
        print(json.dumps({k: v for k, v in res.items() if k != "config"}, indent=1), flush=True)
        return
    opt_g = torch.optim.Adam(G.parameters(), lr=a.lr_g, betas=(0.5, 0.99))
    opt_d = torch.optim.Adam(D.parameters(), lr=a.lr_d, betas=(0.5, 0.99))
    print(json.dumps({"event": "start", "G_params": tc.n_params(G), "D_params": tc.n_params(D)}), flush=True)
    log = open(out_dir / "log.jsonl", "w")
    t0 = time.time()
    step = 0
    acc: dict[str, list[float]] = {}
    while step < a.max_steps and time.time() - t0 < a.minutes * 60:
        x = photos.batch(a.batch, a.crop)
        c = ct.apply_torch(x) if ct is not None else x
        y = G(c)
        real = styles.batch(a.batch, a.crop)
        # D step
        d_loss = lsgan_d_loss(D(translate_cutout(real, 4)), D(translate_cutout(y.detach(), 4)))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()
        # G step
        losses = {"adv": lsgan_g_loss(D(translate_cutout(y, 4))),
                  "low": lowfreq_l1(y, c, a.low_sigma), "chroma": chroma_detail_l1(y, c)}
        if a.w_edge > 0:
            losses["edge"] = edge_structure_l1(y, c)
        if a.w_temp > 0 and step % a.temp_every == 0:
            losses["temp"] = temporal_compound(G, c, y)
        w = {"adv": a.w_adv, "low": a.w_low, "chroma": a.w_chroma, "edge": a.w_edge, "temp": a.w_temp * a.temp_every}
        g_loss = sum(w[k] * v for k, v in losses.items())
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        with torch.no_grad():
            for pe, p in zip(G_ema.parameters(), G.parameters(), strict=True):
                pe.lerp_(p, 1 - a.ema if step > 100 else 1.0)
        step += 1
        for k, v in {**{k: float(v.detach()) for k, v in losses.items()}, "d": float(d_loss.detach())}.items():
            acc.setdefault(k, []).append(v)
        if step % 50 == 0:
            rec = {"step": step, "t": round(time.time() - t0, 1), **{k: round(float(np.mean(v)), 4) for k, v in acc.items()}}
            acc = {}
            print(json.dumps(rec), flush=True)
            log.write(json.dumps(rec) + "\n")
            log.flush()
    train_s = time.time() - t0
    torch.save(G_ema.state_dict(), out_dir / "G.pt")
    res = evaluate(G_ema, ct, a.style, out_dir, "final")
    res.update({"name": a.name, "steps": step, "train_s": round(train_s, 1), "s_per_step": round(train_s / max(1, step), 3),
                "G_params": tc.n_params(G), "config": vars(a)})
    (out_dir / "result.json").write_text(json.dumps(res, indent=1))
    print(json.dumps({k: v for k, v in res.items() if k != "config"}, indent=1), flush=True)


if __name__ == "__main__":
    main()
