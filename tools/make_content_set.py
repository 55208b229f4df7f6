"""Build `resources/content/`: the small default content-photo set that training uses when no folder is given.

Source: `../shared/data/content/train`. Files whose licence is marked UNVERIFIED in
`../shared/data/README.md` are left out. Photos are downsized to about 384 px on the short side and saved
as JPEG quality 85; `LICENSES.md` lists each file's origin and licence, copied from that README.

    python tools/make_content_set.py [--data ../shared/data] [--out resources/content]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import cv2

ROOT = Path(__file__).resolve().parents[1]
SHORT_SIDE = 384
JPEG_QUALITY = 85
MAX_TOTAL_BYTES = 10 * 1024 * 1024
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| (?P<what>[^|]*) \| (?P<source>[^|]*) \| (?P<licence>[^|]*) \|")


def read_manifest(readme: Path) -> dict[str, dict[str, str]]:
    """Rows of the README's per-file table, keyed by path relative to the data folder."""
    rows = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            rows[m["file"]] = {k: m[k].strip() for k in ("what", "source", "licence")}
    return rows


def downsize(img, short_side: int):
    h, w = img.shape[:2]
    scale = short_side / min(h, w)
    if scale >= 1.0:
        return img
    return cv2.resize(img, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def build(data: Path, out: Path) -> list[tuple[str, dict[str, str]]]:
    manifest = read_manifest(data / "README.md")
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.jpg"):
        old.unlink()
    kept = []
    for src in sorted((data / "content" / "train").iterdir()):
        rel = f"content/train/{src.name}"
        row = manifest.get(rel)
        if row is None:
            print(f"skip {src.name}: not listed in the data README", file=sys.stderr)
            continue
        if "UNVERIFIED" in row["licence"]:
            print(f"skip {src.name}: licence UNVERIFIED", file=sys.stderr)
            continue
        img = cv2.imread(str(src), cv2.IMREAD_COLOR)
        if img is None:
            print(f"skip {src.name}: unreadable", file=sys.stderr)
            continue
        name = src.stem + ".jpg"
        cv2.imwrite(str(out / name), downsize(img, SHORT_SIDE), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
        kept.append((name, row))
    total = sum((out / n).stat().st_size for n, _ in kept)
    if total > MAX_TOTAL_BYTES:
        raise SystemExit(f"content set is {total / 1e6:.1f} MB, over the 10 MB budget")
    write_licenses(out / "LICENSES.md", kept, total)
    return kept


def write_licenses(path: Path, kept: list[tuple[str, dict[str, str]]], total: int) -> None:
    lines = [
        "# Default content photos for training",
        "",
        f"{len(kept)} photos, {total / 1e6:.2f} MB, built by `tools/make_content_set.py` from "
        "`../shared/data/content/train` (files with an UNVERIFIED licence left out), downsized to "
        f"{SHORT_SIDE} px on the short side, JPEG quality {JPEG_QUALITY}.",
        "",
        "Intel frames: Sample videos (c) Intel Corporation, CC BY 4.0, github.com/intel-iot-devkit/sample-videos.",
        "",
        "| file | what | source | licence |",
        "|---|---|---|---|",
    ]
    for name, row in kept:
        lines.append(f"| `{name}` | {row['what']} | {row['source']} | {row['licence']} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "content")
    args = parser.parse_args(argv)
    kept = build(args.data, args.out)
    print(f"wrote {len(kept)} photos to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
