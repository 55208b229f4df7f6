"""Write the built-in film filter styles into resources/styles/: <id>.onnx, <id>.json and <id>.png.

    .venv/bin/python tools/build_builtin_styles.py [--out resources/styles] [--photo PATH]

The thumbnails show each style on a fixed reference photo from ../shared/data (the outputs are
committed, so building them needs the shared data only when the filters change).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import cv2
import onnx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vst_desktop.core import paths  # noqa: E402
from vst_desktop.styles.builders.filters import FILTERS  # noqa: E402
from vst_desktop.styles.builders.thumbnail import render_thumbnail, synthetic_photo  # noqa: E402
from vst_desktop.styles.package import StyleMeta  # noqa: E402
from vst_desktop.styles.validate import validate_onnx  # noqa: E402

PHOTO_NAME = "skimage_coffee.png"


def reference_photo(explicit: Path | None) -> tuple:
    """(BGR image, description) of the thumbnail photo: --photo, else the coffee cup, else any val photo."""
    candidates = [explicit] if explicit else []
    shared = paths.shared_data_dir()
    if shared:
        val = shared / "content" / "val"
        candidates.append(val / PHOTO_NAME)
        candidates += sorted(p for p in val.glob("*") if p.suffix.lower() in (".png", ".jpg", ".jpeg"))
    for p in candidates:
        img = cv2.imread(str(p), cv2.IMREAD_COLOR) if p and p.is_file() else None
        if img is not None:
            return img, p.name
    print("warning: no reference photo found; thumbnails use a synthetic test card", file=sys.stderr)
    return synthetic_photo(), "synthetic test card"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "styles")
    ap.add_argument("--photo", type=Path, default=None)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    photo, photo_name = reference_photo(args.photo)
    for style_id, spec in FILTERS.items():
        onnx_path = args.out / f"{style_id}.onnx"
        onnx.save(spec["build"](), str(onnx_path))
        validate_onnx(onnx_path)
        render_thumbnail(onnx_path, photo, args.out / f"{style_id}.png")
        meta = StyleMeta(
            id=style_id, name=spec["name"], description=spec["description"], kind="filter",
            license="MIT (own work)", sources=[],
            training={"config": {"builder": "vst_desktop.styles.builders.filters"}, "iterations": 0,
                      "seconds": 0, "device": "none", "thumbnail_photo": photo_name},
            metrics={}, inference_size=None)
        meta.save(args.out / f"{style_id}.json")
        print(f"wrote {style_id}: {onnx_path.stat().st_size} bytes of ONNX")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
