"""How much grey detail each style folder's paintings carry, and at which scale, beside the content photos.

Every picture's grey at 512 px on its long side (the teacher's working size) is split into difference-of-
Gaussian bands (sigma 0.5-1, 1-2, 2-4, 4-8, 8-16 px); per folder: each band's share of the detail energy and
the mean energy per image. The analogy teacher lays on the paintings' detail above a sigma-4 low-pass, so
a folder whose detail looks like a photo's in both scale and strength gives the identifier little to tell
its students from photos by.

    python -m research.experiments.mark_scale [--json out.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.media import image_files

BANDS = [(0.5, 1.0), (1.0, 2.0), (2.0, 4.0), (4.0, 8.0), (8.0, 16.0)]
LONG_SIDE = 512


def band_energy(path: Path) -> np.ndarray | None:
    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return None
    k = LONG_SIDE / max(grey.shape)
    g = cv2.resize(grey, None, fx=k, fy=k, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    blur = {s: cv2.GaussianBlur(g, (0, 0), s) for s in {s for band in BANDS for s in band}}
    return np.array([np.mean((blur[a] - blur[b]) ** 2) for a, b in BANDS])


def folder_summary(files: list[Path]) -> dict:
    energies = [e for e in map(band_energy, files) if e is not None]
    total = np.sum(energies, 0)
    return {"images": len(energies), "share": [round(float(x), 3) for x in total / total.sum()],
            "energy_per_image": round(float(total.sum() / len(energies)), 5)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json")
    args = ap.parse_args()
    shared = paths.shared_data_dir()
    sets = {d.name: image_files(d) for d in sorted((shared / "styles").iterdir()) if d.is_dir()}
    sets |= {f"photos_{part}": image_files(shared / "content" / part) for part in ("train", "val")}
    report = {name: folder_summary(files) for name, files in sets.items()}
    print("| set | " + " | ".join(f"{a:g}-{b:g} px" for a, b in BANDS) + " | energy per image |")
    print("|---" * (len(BANDS) + 2) + "|")
    for name, r in report.items():
        print(f"| {name} | " + " | ".join(f"{x:.2f}" for x in r["share"]) + f" | {r['energy_per_image']:.4f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"bands": BANDS, "sets": report}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
