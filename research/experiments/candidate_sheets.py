"""The sheets issue 16 asks a person to judge, for a set of built styles (a `build_styles --candidate` build
or the shipped ones), on material none of them trained or was tuned on (the held-out part):

- `webcam_all.jpg`: every style on the same held-out webcam frame (head-pose clip), the input first; then
  the same for the shipped styles, or for another build (`--against`);
- `per_style.jpg`: per style, two of its own paintings, then two held-out detailed photos and a held-out
  plain-background portrait in that style;
- `anchors.jpg`: the anchors sheet's five inputs (../shared/research/anchors, its first row only: the
  published networks' rows are not ours to copy), then the shipped and the candidate Udnie and Ukiyo-e.

    python -m research.experiments.candidate_sheets --build build/styles_painter --out DIR
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from research.experiments.anchor_edge_ssim import SHEET, cells
from vst_desktop.core import paths
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.stylizers import open_session
from vst_desktop.evaluation.webcam import clip_frames, sized, split_photos

SHARED = paths.shared_data_dir()
VAL = SHARED / "content" / "val"
HEAD_POSE = SHARED / "video" / "head-pose-face-detection-male.gif"
ROOT = Path(__file__).resolve().parents[2]


def fit_height(img: np.ndarray, h: int) -> np.ndarray:
    return cv2.resize(img, (max(1, round(img.shape[1] * h / img.shape[0])), h), interpolation=cv2.INTER_AREA)


def labelled(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.rectangle(out, (0, 0), (min(out.shape[1], 10 + 9 * len(text)), 20), (0, 0, 0), -1)
    cv2.putText(out, text, (4, 15), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def row(images: list[np.ndarray], h: int, gap: int = 4) -> np.ndarray:
    parts = []
    for img in images:
        parts += [fit_height(img, h), np.zeros((h, gap, 3), np.uint8)]
    return np.concatenate(parts[:-1], 1)


def stack(rows: list[np.ndarray], gap: int = 4) -> np.ndarray:
    width = max(r.shape[1] for r in rows)
    padded = []
    for r in rows:
        padded += [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))), np.zeros((gap, width, 3), np.uint8)]
    return np.concatenate(padded[:-1], 0)


def grid(images: list[np.ndarray], per_row: int, h: int) -> np.ndarray:
    return stack([row(images[i:i + per_row], h) for i in range(0, len(images), per_row)])


def styles_of(build: Path) -> list[tuple[str, str, Path]]:
    """(folder, name, onnx) of each built style in a build_styles folder, in build order."""
    out = []
    for onnx in sorted(build.glob("*/run/package/*.onnx")):
        meta = json.loads(onnx.with_suffix(".json").read_text(encoding="utf-8"))
        out.append((onnx.parents[2].name, meta["name"], onnx))
    return out


def shipped() -> dict[str, Path]:
    """Shipped GAN style onnx by style folder (from each package's training config)."""
    out = {}
    for meta_path in sorted((ROOT / "resources" / "styles").glob("*.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        sdir = Path(((meta.get("training") or {}).get("config") or {}).get("styles_dir", ""))
        if meta.get("kind") == "gan" and sdir.name:
            out[sdir.parent.name if sdir.name == "images" else sdir.name] = meta_path.with_suffix(".onnx")
    return out


def paintings(folder: str, n: int = 2) -> list[np.ndarray]:
    return [read_image(p) for p in image_files(SHARED / "styles" / folder)[:n]]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True, help="a build_styles folder (build/styles_painter)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--frame", type=int, default=3, help="which of 6 evenly spread head-pose frames")
    ap.add_argument("--against", help="another build to set beside this one (default: the shipped styles)")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    built = styles_of(Path(args.build))
    old = {f: o for f, _, o in styles_of(Path(args.against))} if args.against else shipped()
    old_tag = Path(args.against).name if args.against else "shipped"
    detailed, portraits = split_photos(VAL)
    photos = [sized(read_image(p)) for p in detailed[:2]] + [sized(read_image(portraits[0]))]
    frame = sized(clip_frames(HEAD_POSE, 6)[args.frame])
    sessions = {onnx: open_session(onnx, prefer_gpu=False) for _, _, onnx in built}
    sessions.update({onnx: open_session(onnx, prefer_gpu=False) for onnx in old.values()})

    def styled(onnx: Path, img: np.ndarray) -> np.ndarray:
        return sessions[onnx].run(img, 1.0)

    cells_new = [labelled(frame, "input")] + [labelled(styled(o, frame), name) for _, name, o in built]
    cells_old = [labelled(frame, "input")] + [labelled(styled(old[f], frame), f"{name} ({old_tag})")
                                              for f, name, _ in built if f in old]
    cv2.imwrite(str(out / "webcam_all.jpg"), stack([grid(cells_new, 5, 180), grid(cells_old, 5, 180)], 12),
                [cv2.IMWRITE_JPEG_QUALITY, 88])
    rows = []
    for folder, name, onnx in built:
        rows.append(row([labelled(p, f"{name}: painting") for p in paintings(folder)]
                        + [labelled(styled(onnx, p), name) for p in photos], 170))
    cv2.imwrite(str(out / "per_style.jpg"), stack(rows), [cv2.IMWRITE_JPEG_QUALITY, 88])
    if SHEET.is_file():
        inputs = [sized(x) for x in cells(cv2.imread(str(SHEET)))[0]]  # sides multiples of 8
        anchor_rows = [row([labelled(x, "input") for x in inputs], 160)]
        for folder in ("picabia_udnie", "ukiyo_e"):
            for tag, onnx in ((old_tag, old.get(folder)), ("rebuilt", dict((f, o) for f, _, o in built).get(folder))):
                if onnx is not None:
                    anchor_rows.append(row([labelled(styled(onnx, x), f"{folder} {tag}") for x in inputs], 160))
        cv2.imwrite(str(out / "anchors.jpg"), stack(anchor_rows), [cv2.IMWRITE_JPEG_QUALITY, 88])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
