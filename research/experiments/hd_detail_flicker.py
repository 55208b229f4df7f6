"""How much of the frame's detail the HD enlargement may add before it flickers: chosen on TRAIN photos.

`hd_fast_path` reports on the validation photos; this sweep only looks at content/train photos. For each
detail weight and gain cap of `pipeline/upsample.GuidedUpsampler`, on 720p clips of train photos under a
known pan and zoom (the same generator as `hd_fast_path.motion_clip`), stabilised:
- `ratio360`: the fast path's frames brought down to 360p against the network at 360p (1.0 = as steady as
  the 360p picture; the issue's bar is "no worse than at 360p");
- `ratio720`: the fast path at 720p against the 360p network's picture enlarged to 720p;
- `ratio360_f`, `ratio720_f`: the same, each side first divided by its own `ewarp_floor` (the ruler counts
  fine detail as flicker: docs/research/flicker_ruler.md), so a sharper picture that moves exactly with the
  input scores 1;
- `ssim`: content edge SSIM of the fast path over the full network at 720p on the clips' first frames (the
  enlargement's reason to exist: the face and contours at full sharpness).

`--network-height 720` measures the full network itself on the same rulers (its ssim is 1 by definition),
540 the network at 540p enlarged; `--band blur` takes the detail band as the 720p luma minus its Gaussian
blur (sigma 1 px) instead of minus the network input enlarged (a band not tied to the 2x sampling grid).

    python -m research.experiments.hd_detail_flicker [--styles a,b] [--network-height 360] [--band lowres]
        [--photos val]  # the same clips from validation photos: report only
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

import cv2
import numpy as np

from research.experiments.hd_fast_path import HD, OUT, SD, motion_clip, pipeline_stylizer, to_hd
from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import default_photos_dir, default_train_photos_dir
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline import upsample
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height
from vst_desktop.pipeline.upsample import GuidedUpsampler
from vst_desktop.styles.library import StyleLibrary

DETAIL = (0.0, 0.5, 1.0, 1.5, 2.0)
MAX_GAIN = (1.0, 1.5)


def tune_clips(folder: Path) -> dict[str, list[np.ndarray]]:
    """Pan and zoom on the two largest photos of `folder` (the most fine detail) and pan on one portrait: the
    train photos to choose on, the validation photos (no choice looked at them) to report on."""
    files = image_files(folder)
    sized = sorted(files, key=lambda f: -np.prod(read_image(f).shape[:2]))
    big = [f for f in sized if not f.name.startswith("faces_")][:2]
    face = [f for f in sized if f.name.startswith("faces_")][:1]
    clips = {}
    for f in big:
        img = to_hd(read_image(f))
        clips[f"pan {f.name}"], clips[f"zoom {f.name}"] = motion_clip(img, "pan"), motion_clip(img, "zoom")
    for f in face:
        clips[f"pan {f.name}"] = motion_clip(to_hd(read_image(f)), "pan")
    return clips


class BlurBandUpsampler(GuidedUpsampler):
    """The product's enlargement with another detail band: the 720p luma minus its own blur."""

    def __call__(self, frame_full, frame_low, styled_low):
        h, w = frame_full.shape[:2]
        gain = upsample.detail_gain(cv2.cvtColor(frame_low, cv2.COLOR_BGR2GRAY),
                                    cv2.cvtColor(styled_low, cv2.COLOR_BGR2GRAY), self.radius, self.eps)
        base = cv2.resize(styled_low, (w, h), interpolation=cv2.INTER_LINEAR)
        luma = cv2.cvtColor(frame_full, cv2.COLOR_BGR2GRAY)
        detail = cv2.subtract(luma, cv2.GaussianBlur(luma, (0, 0), 1.0), dtype=cv2.CV_16S)
        g = cv2.resize(gain, (w, h), interpolation=cv2.INTER_LINEAR) * np.float32(self.detail)
        detail = cv2.multiply(detail, g, dtype=cv2.CV_16S)
        return cv2.add(base, cv2.merge([detail, detail, detail]), dtype=cv2.CV_8U)


NETWORK_HEIGHT, BAND = 360, "lowres"  # set from the command line


def fast_stylizer(session, detail: float, stabilize: bool):
    pipe = Pipeline(session, inference_size=fit_height(HD, NETWORK_HEIGHT), output_size=HD, stabilize=stabilize)
    up = BlurBandUpsampler if BAND == "blur" else GuidedUpsampler
    pipe._upsampler = up(detail=detail)  # noqa: SLF001 - the variant under test
    return lambda img: pipe.step(Frame(img, 0.0, 0)).pixels


def _over_floor(r: dict) -> float:
    return r["ewarp_ratio"] / max(r["ewarp_floor"], 1e-9)


def measure(session, clips: dict[str, list[np.ndarray]], detail: float) -> dict:
    """Each flicker ratio twice: as the ruler reads it, and over the floor (`_f`: each side's ewarp_ratio
    divided by its ewarp_floor, the score of a clip as steady as the input and as sharp as that output)."""
    r360, r720, r360f, r720f, ssim = [], [], [], [], []
    for frames in clips.values():
        small = [cv2.resize(f, SD, interpolation=cv2.INTER_AREA) for f in frames]
        pairs_hd, pairs_sd = metrics.warp_pairs(frames), metrics.warp_pairs(small)
        fast = fast_stylizer(session, detail, True)
        outs = {id(f): fast(f) for f in frames}
        net = metrics.ewarp_ratio(small, pipeline_stylizer(session, SD, 360, False, True), pairs_sd)
        down = {id(s): cv2.resize(outs[id(f)], SD, interpolation=cv2.INTER_AREA)
                for s, f in zip(small, frames, strict=True)}
        at360 = metrics.ewarp_ratio(small, lambda f, o=down: o[id(f)], pairs_sd)
        r360.append(at360["ewarp_ratio"] / net["ewarp_ratio"])
        r360f.append(_over_floor(at360) / _over_floor(net))
        plain = metrics.ewarp_ratio(frames, pipeline_stylizer(session, HD, 360, False, True), pairs_hd)
        at720 = metrics.ewarp_ratio(frames, lambda f, o=outs: o[id(f)], pairs_hd)
        r720.append(at720["ewarp_ratio"] / plain["ewarp_ratio"])
        r720f.append(_over_floor(at720) / _over_floor(plain))
        first = frames[0]
        ssim.append(metrics.content_edge_ssim(first, fast_stylizer(session, detail, False)(first))
                    / metrics.content_edge_ssim(first, session.run(first)))
    mean = lambda v: round(float(np.mean(v)), 3)  # noqa: E731
    return {"ratio360": mean(r360), "ratio360_max": round(float(np.max(r360)), 3), "ratio720": mean(r720),
            "ratio360_f": mean(r360f), "ratio360_f_max": round(float(np.max(r360f)), 3), "ratio720_f": mean(r720f),
            "ssim": mean(ssim)}


def photo_ssim(session, files: list, detail: float) -> dict:
    """Content edge SSIM of the fast path and of the full network at 720p over every photo of a part, the
    portraits (faces_*, the webcam-like case) apart from the rest, as `hd_fast_path` reports it."""
    fast = fast_stylizer(session, detail, False)
    groups: dict[str, tuple[list, list]] = {"webcam": ([], []), "detailed": ([], [])}
    for f in files:
        img = to_hd(read_image(f))
        full, quick = groups["webcam" if f.name.startswith("faces_") else "detailed"]
        full.append(metrics.content_edge_ssim(img, session.run(img)))
        quick.append(metrics.content_edge_ssim(img, fast(img)))
    return {g: {"full": round(float(np.mean(a)), 3), "fast": round(float(np.mean(b)), 3),
                "ratio": round(float(np.mean(b) / np.mean(a)), 3), "photos": len(a)} for g, (a, b) in groups.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--styles", default="monet,van-gogh,ukiyo-e")
    ap.add_argument("--detail", default=",".join(map(str, DETAIL)))
    ap.add_argument("--cap", default=",".join(map(str, MAX_GAIN)))
    ap.add_argument("--network-height", type=int, default=360, choices=(360, 540, 720))
    ap.add_argument("--band", default="lowres", choices=("lowres", "blur"))
    ap.add_argument("--photos", default="train", choices=("train", "val"),
                    help="val: the same clips from the validation photos (report only, never choose on them)")
    ap.add_argument("--ssim-all", action="store_true",
                    help="no clips: edge SSIM of fast path and full network over every photo of --photos")
    ap.add_argument("--log", help="JSON lines file to append to (default docs/research/hd_detail_flicker.jsonl)")
    args = ap.parse_args()
    global NETWORK_HEIGHT, BAND
    NETWORK_HEIGHT, BAND = args.network_height, args.band
    details, caps = [float(x) for x in args.detail.split(",")], [float(x) for x in args.cap.split(",")]
    folder = default_photos_dir() if args.photos == "val" else default_train_photos_dir()
    clips = {} if args.ssim_all else tune_clips(folder)
    print("tune clips:", ", ".join(clips), flush=True)
    lib = StyleLibrary()
    # one row per style and variant, appended as measured
    log = Path(args.log) if args.log else OUT / "hd_detail_flicker.jsonl"
    OUT.mkdir(parents=True, exist_ok=True)
    saved = upsample.MAX_GAIN
    try:
        for sid in args.styles.split(","):
            session = StyleSession(lib.get(sid).onnx_path, prefer_gpu=False)
            for detail, cap in itertools.product(details, caps):
                if detail == 0.0 and cap != caps[0]:
                    continue  # no detail added: the cap does nothing
                upsample.MAX_GAIN = cap  # read by detail_gain at every call
                if args.ssim_all:
                    row = photo_ssim(session, image_files(folder), detail)
                else:
                    row = measure(session, clips, detail)
                with log.open("a") as f:
                    f.write(json.dumps({"style": sid, "detail": detail, "cap": cap, "network_height": NETWORK_HEIGHT,
                                        "band": BAND, "photos": args.photos, "ssim_all": args.ssim_all, **row}) + "\n")
                print(sid, detail, cap, json.dumps(row), flush=True)
    finally:
        upsample.MAX_GAIN = saved


if __name__ == "__main__":
    main()
