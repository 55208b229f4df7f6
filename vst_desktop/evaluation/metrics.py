"""Temporal stability, content preservation and speed of a stylizer (docs/evaluation.md)."""

from __future__ import annotations

import statistics
import time

import cv2
import numpy as np

from vst_desktop.evaluation.stylizers import Stylizer


def _flow(a_grey: np.ndarray, b_grey: np.ndarray) -> np.ndarray:
    """Dense flow from a to b (for each pixel of a, where it went in b). DIS, medium preset."""
    dis = cv2.DISOpticalFlow_create(cv2.DISOPTICAL_FLOW_PRESET_MEDIUM)
    return dis.calc(a_grey, b_grey, None)


def _sample(img: np.ndarray, flow: np.ndarray) -> np.ndarray:
    h, w = flow.shape[:2]
    xs, ys = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    return cv2.remap(img, xs + flow[..., 0], ys + flow[..., 1], cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def warp_pairs(frames: list[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each consecutive pair (t, t+1): the flow from t+1 back to t and the mask of pixels of t+1
    that are visible in t (forward-backward consistency, Sundaram et al. 2010; also off-image pixels)."""
    greys = [cv2.cvtColor(f, cv2.COLOR_BGR2GRAY) for f in frames]
    out = []
    for a, b in zip(greys[:-1], greys[1:], strict=True):
        back = _flow(b, a)  # t+1 -> t
        fwd = _flow(a, b)  # t -> t+1
        fwd_at = _sample(fwd, back)  # forward flow at the point each t+1 pixel came from
        loop = back + fwd_at
        mag = (back**2).sum(-1) + (fwd_at**2).sum(-1)
        ok = (loop**2).sum(-1) < 0.01 * mag + 0.5
        h, w = b.shape
        xs, ys = np.meshgrid(np.arange(w), np.arange(h))
        tx, ty = xs + back[..., 0], ys + back[..., 1]
        ok &= (tx >= 0) & (tx <= w - 1) & (ty >= 0) & (ty <= h - 1)
        out.append((back, ok))
    return out


def warping_error(frames: list[np.ndarray], pairs: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """Mean squared difference (0..1 scale) between frame t+1 and frame t warped onto it, visible pixels."""
    num, den = 0.0, 0
    for (back, ok), prev, cur in zip(pairs, frames[:-1], frames[1:], strict=True):
        warped = _sample(prev.astype(np.float32), back)
        diff = ((cur.astype(np.float32) - warped) / 255.0) ** 2
        num += float(diff.mean(-1)[ok].sum())
        den += int(ok.sum())
    return num / max(den, 1)


def ewarp_ratio(frames_in: list[np.ndarray], stylize: Stylizer,
                pairs: list[tuple[np.ndarray, np.ndarray]] | None = None) -> dict:
    """Warping error of the stylized clip over the input clip's own (1.0 = as stable as the source).
    The flow always comes from the input frames: the stylized ones may not be trackable at all."""
    pairs = pairs if pairs is not None else warp_pairs(frames_in)
    out = [_fit(stylize(f), f) for f in frames_in]
    e_in = warping_error(frames_in, pairs)
    e_out = warping_error(out, pairs)
    return {"ewarp_ratio": round(e_out / max(e_in, 1e-12), 4), "ewarp_input": e_in, "ewarp_stylized": e_out,
            "ewarp_floor": round(ewarp_floor(frames_in, out, pairs, e_in), 4),
            "visible_fraction": round(float(np.mean([ok.mean() for _, ok in pairs])), 3)}


def fine_detail(frames: list[np.ndarray]) -> float:
    """Mean squared difference between the grey picture and its 1 px Gaussian blur: its finest detail."""
    total = 0.0
    for f in frames:
        g = cv2.cvtColor(f, cv2.COLOR_BGR2GRAY).astype(np.float32) if f.ndim == 3 else f.astype(np.float32)
        total += float(((g - cv2.GaussianBlur(g, (0, 0), 1.0)) ** 2).mean())
    return total / max(len(frames), 1)


def _detail_matched(frame: np.ndarray, amount: float) -> np.ndarray:
    """The frame with `amount` x its own fine detail added (an unsharp mask; -1 is the 1 px blur)."""
    f = frame.astype(np.float32)
    return np.clip(np.rint(f + amount * (f - cv2.GaussianBlur(f, (0, 0), 1.0))), 0, 255).astype(np.uint8)


def ewarp_floor(frames_in: list[np.ndarray], frames_out: list[np.ndarray],
                pairs: list[tuple[np.ndarray, np.ndarray]], e_in: float | None = None) -> float:
    """The ewarp_ratio of a clip exactly as steady as the input but with as much fine detail as `frames_out`.

    The warping error moves the previous frame by an estimated flow with bilinear interpolation; both err most
    on fine detail, so a sharper picture scores more "flicker" even when nothing in it flickers. The reference
    is the input passed through one unsharp mask (the same filter on every frame, so it moves exactly as the
    input does), its amount chosen so that its fine detail matches the output's. A style near its floor is as
    steady as its sharpness allows on this ruler (docs/research/flicker_ruler.md)."""
    probe = frames_in[:: max(1, len(frames_in) // 4)][:4]
    want = fine_detail([_fit(o, i) for o, i in zip(frames_out[:: max(1, len(frames_out) // 4)][:4], probe,
                                                   strict=False)])
    lo, hi = -1.0, 16.0  # the detail grows with the amount: bisect
    if fine_detail([_detail_matched(f, lo) for f in probe]) >= want:
        hi = lo
    for _ in range(20):
        if hi - lo < 0.01:
            break
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if fine_detail([_detail_matched(f, mid) for f in probe]) < want else (lo, mid)
    e_in = warping_error(frames_in, pairs) if e_in is None else e_in
    reference = [_detail_matched(f, hi) for f in frames_in]
    return warping_error(reference, pairs) / max(e_in, 1e-12)


def _fit(out: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Bring an output to its input's size (a style may round sizes to multiples of 8)."""
    if out.shape[:2] != ref.shape[:2]:
        out = cv2.resize(out, (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA)
    return out


def edge_map(img: np.ndarray) -> np.ndarray:
    """The normalised edge map that `content_edge_ssim` compares (0..1, 1 = the image's strongest edges)."""
    g = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    g = cv2.GaussianBlur(g, (0, 0), 1.0)  # edges of structure, not of pixel noise or fine texture
    mag = np.hypot(cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3))
    mag = cv2.GaussianBlur(mag, (0, 0), 1.0)
    # normalise by a high percentile, so a global contrast change is not a structure change
    return np.clip(mag / (np.percentile(mag, 99) + 1e-6), 0.0, 1.0)


def ssim(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> float:
    """Mean SSIM (Wang et al. 2004), Gaussian window sigma 1.5, single channel float images."""
    return float(ssim_map(a, b, data_range).mean())


def ssim_map(a: np.ndarray, b: np.ndarray, data_range: float = 1.0) -> np.ndarray:
    """The per-pixel SSIM whose mean is `ssim`, to see where structure is lost."""
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    blur = lambda x: cv2.GaussianBlur(x, (11, 11), 1.5)  # noqa: E731
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    return ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b + c2))


def content_edge_ssim(inp: np.ndarray, out: np.ndarray) -> float:
    """SSIM of the normalised edge maps: 1 = the same outlines, about 0 = unrelated structure."""
    return float(content_edge_ssim_map(inp, out).mean())


def content_edge_ssim_map(inp: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Per pixel SSIM of the edge maps, whose mean is `content_edge_ssim`: e.g. to tell a plain wall, where
    any visible mark scores about 0, from the person."""
    return ssim_map(edge_map(inp), edge_map(_fit(out, inp)))


def lowfreq_psnr(inp: np.ndarray, out: np.ndarray) -> float:
    """PSNR (dB) of heavily blurred luminance: is the overall light and shade of the input kept?"""
    out = _fit(out, inp)
    sigma = max(inp.shape[:2]) / 64.0

    def low(x: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(cv2.cvtColor(x, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0), sigma)

    mse = float(np.mean((low(inp) - low(out)) ** 2))
    return 99.0 if mse < 1e-10 else 10.0 * np.log10(255.0**2 / mse)


def ms_per_frame(stylize: Stylizer, frame: np.ndarray, sizes=((640, 360), (1280, 720)), runs: int = 5,
                 warmup: int = 2) -> dict[str, float]:
    """Median wall time per call at each size, after warm-up (first calls pay for allocation)."""
    out = {}
    for w, h in sizes:
        img = cv2.resize(frame, (w, h), interpolation=cv2.INTER_AREA)
        for _ in range(warmup):
            stylize(img)
        times = []
        for _ in range(runs):
            t0 = time.perf_counter()
            stylize(img)
            times.append((time.perf_counter() - t0) * 1000.0)
        out[f"{w}x{h}"] = round(statistics.median(times), 2)
    return out
