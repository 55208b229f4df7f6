"""HD on a CPU: the full network at 720p against the fast path (network at 360p, guided enlargement).

For every built-in GAN style, on the shared validation photos brought to 720p (portraits, the webcam-like
case, reported apart from the other photos): content edge SSIM and the texture critic's gain of
- `full`: the network run at 720p,
- `fast`: the pipeline's HD path (network at 360p, `pipeline/upsample.GuidedUpsampler`),
- `plain`: the network at 360p and a bilinear resize (what the app did before).
Then flicker (stabilised and raw ewarp ratio) on 720p clips made from still validation photos with known
smooth motion (pan, zoom), fast path at 720p against the network at 360p on the same clips at 360p.
Writes JSON and a sheet of 100% crops to docs/research/.

    python -m research.experiments.hd_fast_path [--styles a,b] [--photos N]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_clip, read_image
from vst_desktop.evaluation.run import critic_for, default_photos_dir, identifiers_for
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height
from vst_desktop.styles.library import StyleLibrary

OUT = Path("docs/research")
HD, SD = (1280, 720), (640, 360)


def shared_clip(name: str) -> Path:
    return paths.shared_data_dir() / "video" / name


def to_hd(img: np.ndarray) -> np.ndarray:
    """Centre crop to 16:9, then 1280x720: what a 720p camera delivers."""
    h, w = img.shape[:2]
    if w / h > 16 / 9:
        cw = int(h * 16 / 9)
        img = img[:, (w - cw) // 2:(w - cw) // 2 + cw]
    else:
        ch = int(w * 9 / 16)
        img = img[(h - ch) // 2:(h - ch) // 2 + ch]
    return cv2.resize(img, HD, interpolation=cv2.INTER_AREA if img.shape[1] > HD[0] else cv2.INTER_CUBIC)


def motion_clip(img: np.ndarray, kind: str, n: int = 12) -> list[np.ndarray]:
    """A 720p clip of a still photo under a known smooth motion: `pan` (2 px/frame) or `zoom` (0.6%/frame)."""
    big = cv2.resize(img, (int(img.shape[1] * 1.25), int(img.shape[0] * 1.25)), interpolation=cv2.INTER_CUBIC)
    frames = []
    for t in range(n):
        if kind == "pan":
            m = np.float32([[1, 0, -40 - 2.0 * t], [0, 1, -30 - 0.7 * t]])
        else:
            s = 1.0 + 0.006 * t
            cx, cy = big.shape[1] / 2, big.shape[0] / 2
            m = np.float32([[s, 0, HD[0] / 2 - s * cx], [0, s, HD[1] / 2 - s * cy]])
        frames.append(cv2.warpAffine(big, m, HD, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT))
    return frames


def pipeline_stylizer(session, out_size, inf_height: int, guided: bool, stabilize: bool):
    pipe = Pipeline(session, inference_size=fit_height(out_size, inf_height), output_size=out_size,
                    stabilize=stabilize, guided_upsampling=guided)
    return lambda img: pipe.step(Frame(img, 0.0, 0)).pixels


def photo_metrics(session, photos: list[np.ndarray], critic, identifiers=None,
                  own: str = "") -> tuple[dict, dict[str, list[np.ndarray]]]:
    outs = {
        "full": [session.run(p) for p in photos],
        "fast": [pipeline_stylizer(session, HD, 360, True, False)(p) for p in photos],
        "plain": [pipeline_stylizer(session, HD, 360, False, False)(p) for p in photos],
    }
    row = {}
    for name, o in outs.items():
        row[name] = {
            "edge_ssim": round(float(np.mean([metrics.content_edge_ssim(p, x) for p, x in zip(photos, o, strict=True)])), 4),
            "texture_gain": texture_gain(critic, photos, o)["texture_gain"] if critic else None,
        }
        for mode, ident in (identifiers or {}).items():  # p_own: how much the outputs look like the painter
            r = ident.score(o, own)
            row[name][f"p_own_{mode}"], row[name][f"top1_{mode}"] = round(float(r["p_own"]), 4), r["top1"]
    return row, outs


def flicker(session, clips: dict[str, list[np.ndarray]]) -> dict:
    """ewarp ratio, stabilised and raw. On the 720p ruler: the fast path against the network at 360p simply
    resized to 720p (360p on the same screen). On the 360p ruler: the fast path's frames brought down to
    360p against the network at 360p on the clip brought down to 360p."""
    res = {}
    for name, frames in clips.items():
        small = [cv2.resize(f, SD, interpolation=cv2.INTER_AREA) for f in frames]
        pairs_hd, pairs_sd = metrics.warp_pairs(frames), metrics.warp_pairs(small)
        row = {}
        for stab in (True, False):
            tag = "stab" if stab else "raw"
            fast = pipeline_stylizer(session, HD, 360, True, stab)
            fast_out = {id(f): fast(f) for f in frames}
            row[f"fast720_{tag}"] = metrics.ewarp_ratio(frames, lambda f, o=fast_out: o[id(f)], pairs_hd)["ewarp_ratio"]
            plain = pipeline_stylizer(session, HD, 360, False, stab)
            row[f"plain720_{tag}"] = metrics.ewarp_ratio(frames, plain, pairs_hd)["ewarp_ratio"]
            down = {id(s_): cv2.resize(fast_out[id(f)], SD, interpolation=cv2.INTER_AREA)
                    for s_, f in zip(small, frames, strict=True)}
            row[f"fast720_at360_{tag}"] = metrics.ewarp_ratio(small, lambda f, o=down: o[id(f)],
                                                              pairs_sd)["ewarp_ratio"]
            net = pipeline_stylizer(session, SD, 360, False, stab)
            row[f"net360_{tag}"] = metrics.ewarp_ratio(small, net, pairs_sd)["ewarp_ratio"]
        res[name] = row
    return res


def detailed_corner(photo: np.ndarray, w: int = 320, h: int = 240) -> tuple[int, int]:
    """Top-left of the w x h window with the most fine detail (where a soft enlargement shows first)."""
    grey = cv2.cvtColor(photo, cv2.COLOR_BGR2GRAY).astype(np.float32)
    energy = cv2.boxFilter(np.abs(cv2.Laplacian(grey, cv2.CV_32F)), -1, (w, h), normalize=True)
    margin_y, margin_x = h // 2, w // 2
    inner = energy[margin_y:photo.shape[0] - margin_y, margin_x:photo.shape[1] - margin_x]
    y, x = np.unravel_index(int(np.argmax(inner)), inner.shape)
    return int(y), int(x)  # the box filter is centred: its centre minus half the window is the corner


def crops_sheet(style_outs: dict[str, dict], photo: np.ndarray, path: Path) -> None:
    """Rows: styles; columns: input, full, fast, plain; each a 320x240 crop at 100% where the photo has the
    most fine detail."""
    y0, x0 = detailed_corner(photo)

    def crop(img):
        return img[y0:y0 + 240, x0:x0 + 320].copy()

    rows = []
    head = np.full((30, 4 * 320, 3), 255, np.uint8)
    for i, t in enumerate(("input", "full network 720p", "fast path 720p", "360p + resize")):
        cv2.putText(head, t, (i * 320 + 8, 21), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1, cv2.LINE_AA)
    rows.append(head)
    for sid, outs in style_outs.items():
        row = np.hstack([crop(photo)] + [crop(outs[k]) for k in ("full", "fast", "plain")])
        cv2.putText(row, sid, (8, 232), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2, cv2.LINE_AA)
        rows.append(row)
    cv2.imwrite(str(path), np.vstack(rows), [cv2.IMWRITE_JPEG_QUALITY, 88])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--styles", default="")
    ap.add_argument("--photos", type=int, default=0, help="at most this many validation photos (0: all)")
    ap.add_argument("--sheet-only", action="store_true", help="only the sheet of crops (no metrics)")
    args = ap.parse_args()
    files = image_files(default_photos_dir())
    files = files[:args.photos] if args.photos else files
    files = sorted(set(files) | {f for f in image_files(default_photos_dir()) if f.name.startswith(("white", "skim"))})
    photos = {f.name: to_hd(read_image(f)) for f in files}
    webcam = [p for n, p in photos.items() if n.startswith("faces_")]
    detailed = [p for n, p in photos.items() if not n.startswith("faces_")]
    # Motion on the sharpest validation photos (the largest two), and a real clip of a person turning.
    clips = {"pan": motion_clip(photos["whitehouse_obama_biden_blue_room.jpg"], "pan"),
             "zoom": motion_clip(photos["skimage_coffee.png"], "zoom"),
             "head_turn": [cv2.resize(f, HD, interpolation=cv2.INTER_CUBIC) for f in
                           read_clip(shared_clip("head-pose-face-detection-male.gif"), max_frames=12)]}
    lib = StyleLibrary()
    pkgs = [lib.get(s) for s in args.styles.split(",")] if args.styles else [p for p in lib.list()
                                                                            if p.meta.kind == "gan"]
    report: dict[str, dict] = {}
    # Sheets: the sharpest detailed photo, and the portrait with the most pixels of its own (least enlarged).
    face_name = max((n for n in photos if n.startswith("faces_")),
                    key=lambda n: np.prod(read_image(default_photos_dir() / n).shape[:2]))
    sheets = {"hd_fast_path_crops.jpg": photos["whitehouse_obama_biden_blue_room.jpg"],
              "hd_fast_path_crops_webcam.jpg": photos[face_name]}
    sheet_outs: dict[str, dict] = {name: {} for name in sheets}
    for pkg in pkgs:
        t0 = time.time()
        session = StyleSession(pkg.onnx_path, prefer_gpu=False)
        for name, photo in sheets.items():
            _, outs = photo_metrics(session, [photo], None)
            sheet_outs[name][pkg.id] = {k: v[0] for k, v in outs.items()}
        if args.sheet_only:
            continue
        folder = ((pkg.meta.training or {}).get("config") or {}).get("styles_dir")
        critic = critic_for(folder) if folder and Path(folder).is_dir() else None
        idents = identifiers_for(folder) if folder and Path(folder).is_dir() else None
        row = {}
        for case, imgs in (("webcam", webcam), ("detailed", detailed)):
            if imgs:
                row[case], _ = photo_metrics(session, imgs, critic, idents, Path(folder or "").name)
        row["time_s"] = round(time.time() - t0)
        row["flicker"] = flicker(session, clips)
        report[pkg.id] = row
        print(pkg.id, json.dumps(row), f"({time.time() - t0:.0f} s)", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    if not args.sheet_only:
        (OUT / "hd_fast_path.json").write_text(json.dumps(report, indent=1))
    for name, photo in sheets.items():
        crops_sheet(sheet_outs[name], photo, OUT / name)


if __name__ == "__main__":
    main()
