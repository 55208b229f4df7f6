"""Shared helpers for the texture experiments: data, a stand-in generator, metrics, sheets.

Run from the repository root with ../shared/data beside it. CPU friendly: 2 threads, small images.
"""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from research.texture.data import list_images, read_rgb, resize_long

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("VST_SHARED_DATA", ROOT.parent / "shared" / "data"))
RUNS = Path(os.environ.get("TEXTURE_RUNS", "/tmp/texture_runs"))
WORK_LONG = 512  # working scale: photos, frames and paintings are held at this long side
HELD_OUT = {
    "van_gogh": ("van_gogh_self_portrait_straw_hat_1887.jpg", "van_gogh_wheat_field_cypresses_1889.jpg"),
    "ukiyo_e": ("hokusai_under_mannen_bridge_c1831.png", "kuniyoshi_bijin_print.jpeg"),
    "monet": ("monet_water_lilies_1919.jpg",),
    "ink_sketch": ("vallotton_camille_mauclair.jpg",),
}
SHEET_NAMES = ["faces_cc0_004.jpg", "faces_cc0_042.jpg", "kodak_kodim14.png", "skimage_coffee.png"]
CLIP = "head-pose-face-detection-male.gif"


def style_dir(style: str) -> Path:
    return DATA / "styles" / style


def load_folder(folder: Path, long_side: int = WORK_LONG, exclude=()) -> list[np.ndarray]:
    return [resize_long(read_rgb(p), long_side) for p in list_images(folder) if p.name not in exclude]


def load_val(long_side: int = WORK_LONG) -> dict[str, np.ndarray]:
    return {p.name: resize_long(read_rgb(p), long_side) for p in list_images(DATA / "content" / "val")}


def load_clip(n: int = 40, width: int = WORK_LONG) -> list[np.ndarray]:
    cap = cv2.VideoCapture(str(DATA / "video" / CLIP))
    frames = []
    while len(frames) < n:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(resize_long(f, width), cv2.COLOR_BGR2RGB))
    return frames


def to_t(im: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(im)).float().div(255).permute(2, 0, 1)[None]


def to_np(t: torch.Tensor) -> np.ndarray:
    return (t[0].clamp(0, 1).permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)


# ---------------------------------------------------------------- stand-in generator (before the engine had one)
class InvRes(nn.Module):
    def __init__(self, ch: int, expand: int = 2):
        super().__init__()
        e = ch * expand
        self.body = nn.Sequential(nn.Conv2d(ch, e, 1), nn.LeakyReLU(0.2, True),
                                  nn.Conv2d(e, e, 3, 1, 1, groups=e), nn.LeakyReLU(0.2, True),
                                  nn.Conv2d(e, ch, 1))

    def forward(self, x):
        return x + self.body(x)


class StandInGenerator(nn.Module):
    """output = input + strength * residual; stride-2 encoder, inverted-residual blocks at 1/4,
    resize-then-conv decoder with skips, zero-initialised last layer, no normalisation.
    `fast`: ch=32, 4 blocks (~60k params); `wide`: ch=64, 6 blocks."""

    def __init__(self, ch: int = 32, blocks: int = 4, full_ch: int = 16):
        super().__init__()
        h = ch // 2
        self.e1 = nn.Sequential(nn.Conv2d(3, h, 3, 2, 1), nn.LeakyReLU(0.2, True))          # 1/2
        self.e2 = nn.Sequential(nn.Conv2d(h, ch, 3, 2, 1), nn.LeakyReLU(0.2, True))         # 1/4
        self.blocks = nn.Sequential(*[InvRes(ch) for _ in range(blocks)])
        self.d1 = nn.Sequential(nn.Conv2d(ch + h, h, 3, 1, 1), nn.LeakyReLU(0.2, True))     # 1/2
        self.d2 = nn.Sequential(nn.Conv2d(h + 3, full_ch, 3, 1, 1), nn.LeakyReLU(0.2, True))  # 1
        self.out = nn.Conv2d(full_ch, 3, 3, 1, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x, strength: float = 1.0):
        z = x * 2 - 1
        a = self.e1(z)
        b = self.blocks(self.e2(a))
        u = F.interpolate(b, size=a.shape[-2:], mode="bilinear", align_corners=False)
        c = self.d1(torch.cat([u, a], 1))
        u2 = F.interpolate(c, size=x.shape[-2:], mode="bilinear", align_corners=False)
        r = self.out(self.d2(torch.cat([u2, z], 1)))
        return x + strength * r


def n_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


# ---------------------------------------------------------------- metrics
def ewarp(frames_in: list[np.ndarray], frames_out: list[np.ndarray]) -> tuple[float, float, float]:
    """Warping error of the output over the input's own (DIS flow on the input, fwd-bwd occlusion mask).
    Returns (ratio, e_out, e_in); mean abs difference on 0-255 RGB of non-occluded pixels."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    e_in, e_out = [], []
    for t in range(1, len(frames_in)):
        g0 = cv2.cvtColor(frames_in[t - 1], cv2.COLOR_RGB2GRAY)
        g1 = cv2.cvtColor(frames_in[t], cv2.COLOR_RGB2GRAY)
        fb = dis.calc(g1, g0, None)  # for each pixel of t: where it was in t-1
        ff = dis.calc(g0, g1, None)
        h, w = g0.shape
        gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
        mx, my = gx + fb[..., 0], gy + fb[..., 1]
        back = cv2.remap(ff, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        occ = np.linalg.norm(fb + back, axis=2) < 0.5 + 0.05 * (np.linalg.norm(fb, axis=2) + np.linalg.norm(back, axis=2))
        inside = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
        m = (occ & inside)[..., None]
        for src, acc in ((frames_in, e_in), (frames_out, e_out)):
            wp = cv2.remap(src[t - 1].astype(np.float32), mx, my, cv2.INTER_LINEAR)
            acc.append(float((np.abs(wp - src[t].astype(np.float32)) * m).sum() / (m.sum() * 3 + 1e-6)))
    ei, eo = float(np.mean(e_in)), float(np.mean(e_out))
    return eo / ei, eo, ei


def edge_ssim(a: np.ndarray, b: np.ndarray) -> float:
    """SSIM between Sobel gradient magnitudes of the grey images (structure kept)."""
    def gm(x):
        g = cv2.GaussianBlur(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).astype(np.float32), (0, 0), 1.0)
        return np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0), cv2.Sobel(g, cv2.CV_32F, 0, 1))
    x, y = gm(a), gm(b)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_x, mu_y = cv2.GaussianBlur(x, (0, 0), 1.5), cv2.GaussianBlur(y, (0, 0), 1.5)
    sxx = cv2.GaussianBlur(x * x, (0, 0), 1.5) - mu_x ** 2
    syy = cv2.GaussianBlur(y * y, (0, 0), 1.5) - mu_y ** 2
    sxy = cv2.GaussianBlur(x * y, (0, 0), 1.5) - mu_x * mu_y
    s = ((2 * mu_x * mu_y + c1) * (2 * sxy + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (sxx + syy + c2))
    return float(s.mean())


def sheet(inputs: list[np.ndarray], rows: list[list[np.ndarray]], path: Path, tile: int = 256,
          quality: int = 85) -> None:
    """Input row, then one row per output list: centre crops of `tile` px at native resolution."""
    def cc(im):
        h, w = im.shape[:2]
        if min(h, w) < tile:
            im = resize_long(im, int(tile * max(h, w) / min(h, w)) + 1)
            h, w = im.shape[:2]
        y, x = (h - tile) // 2, (w - tile) // 2
        return im[y:y + tile, x:x + tile]
    grid = np.concatenate([np.concatenate([cc(im) for im in r], 1) for r in [inputs, *rows]], 0)
    path.parent.mkdir(parents=True, exist_ok=True)
    bgr = cv2.cvtColor(grid, cv2.COLOR_RGB2BGR)
    if path.suffix.lower() in (".jpg", ".jpeg"):
        cv2.imwrite(str(path), bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    else:
        cv2.imwrite(str(path), bgr)
