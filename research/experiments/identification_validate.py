"""Validation of the style-identification metric (vst_desktop/evaluation/identify.py).

`--choose`: leave-one-image-out on the shared paintings for each grey feature set (grey mode): the
ceiling table and how many folders' held-out paintings are named top-1. The default was chosen this way.

Without it, for the default configuration in grey and colour mode: the held-out ceiling per folder,
colour-only maps (val photos recoloured toward each folder: Reinhard Lab transfer and per-channel
histogram matching; the folder's paintings blurred into a flat colour map), pixel noise on the photos,
and today's installed styles on the detailed validation photos and on the webcam set.

    nice -n 19 env OMP_NUM_THREADS=1 .venv/bin/python -m research.experiments.identification_validate [--choose] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import cv2
import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.identify import PHOTO, IdentifyConfig, train_identifier
from vst_desktop.evaluation.identify_features import GREY_SETS
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import model_sized
from vst_desktop.evaluation.style_critic import working_image
from vst_desktop.evaluation.stylizers import open_session
from vst_desktop.evaluation.webcam import split_photos, webcam_set

SHARED = paths.shared_data_dir()
STYLES = SHARED / "styles"
TRAIN = SHARED / "content" / "train"
VAL = SHARED / "content" / "val"
CACHE = paths.data_dir() / "cache"


def folders() -> list[Path]:
    return sorted(p for p in STYLES.iterdir() if p.is_dir())


def ceilings(ident) -> dict:
    return {f: ident.ceiling(f) for f in ident.classes if f != PHOTO}


def print_ceilings(title: str, table: dict) -> int:
    print(f"\n{title}\n| folder | method | p_own | top-1 | pieces named top-1 |\n|---|---|---|---|---|")
    for f, c in table.items():
        n1 = sum(v["top1"] == f for v in c["per_piece"].values())
        print(f"| {f} | {c['method'].split(' ')[0]} | {c['p_own']:.2f} | {c['top1']} | {n1}/{len(c['per_piece'])} |")
    ok = sum(c["top1_is_own"] for c in table.values())
    pieces = sum(v["top1"] == f for f, c in table.items() for v in c["per_piece"].values())
    total = sum(len(c["per_piece"]) for c in table.values())
    print(f"folders named top-1: {ok} of {len(table)}; pieces: {pieces} of {total}; "
          f"mean p_own {np.mean([c['p_own'] for c in table.values()]):.3f}")
    return ok


def lab_stats(imgs: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lab = np.concatenate([cv2.cvtColor(i, cv2.COLOR_BGR2LAB).reshape(-1, 3).astype(np.float32) for i in imgs])
    return lab.mean(0), lab.std(0) + 1e-3


def reinhard(photo: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    lab = cv2.cvtColor(photo, cv2.COLOR_BGR2LAB).astype(np.float32)
    pm, ps = lab.reshape(-1, 3).mean(0), lab.reshape(-1, 3).std(0) + 1e-3
    out = (lab - pm) / ps * std + mean
    return cv2.cvtColor(np.clip(out, 0, 255).astype(np.uint8), cv2.COLOR_LAB2BGR)


def hist_match(photo: np.ndarray, paintings: list[np.ndarray]) -> np.ndarray:
    out = np.empty_like(photo)
    for c in range(3):
        ref = np.sort(np.concatenate([p[..., c].ravel() for p in paintings]))
        src = photo[..., c].ravel()
        ranks = np.argsort(np.argsort(src, kind="stable"), kind="stable") / max(1, len(src) - 1)
        out[..., c] = ref[(ranks * (len(ref) - 1)).astype(int)].reshape(photo.shape[:2])
    return out


def colour_only_maps(ident, photos: list[np.ndarray]) -> dict:
    res = {}
    for f in folders():
        paints = [working_image(read_image(p)) for p in image_files(f)]
        mean, std = lab_stats(paints)
        cases = {"reinhard": [reinhard(p, mean, std) for p in photos],
                 "histogram": [hist_match(p, paints) for p in photos],
                 "blurred_painting": [cv2.GaussianBlur(p, (0, 0), 12) for p in paints]}
        res[f.name] = {k: {kk: v[kk] for kk in ("top1", "p_own")} for k, v in
                       ((k, ident.score(ims, f.name)) for k, ims in cases.items())}
    return res


def styles_outputs(detailed: list[np.ndarray], webcam: list[np.ndarray]) -> dict:
    from vst_desktop.styles.library import StyleLibrary

    out = {}
    for p in StyleLibrary().list():
        cfg = ((p.meta.training or {}).get("config") or {}) if p.meta.kind == "gan" else {}
        if not cfg.get("styles_dir"):
            continue
        sess = open_session(p.onnx_path, prefer_gpu=False)
        run = lambda x, s=sess: s.run(x, 1.0)  # noqa: E731
        out[p.id] = {"folder": Path(cfg["styles_dir"]).name, "photos": [run(x) for x in detailed],
                     "webcam": [run(x) for x in webcam]}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--choose", action="store_true")
    ap.add_argument("--json")
    args = ap.parse_args()
    report: dict = {}
    t0 = time.time()
    if args.choose:
        for gs in GREY_SETS:
            ident = train_identifier(folders(), TRAIN, IdentifyConfig(mode="grey", grey_set=gs), CACHE)
            table = ceilings(ident)
            print_ceilings(f"grey mode, feature set {gs!r} ({time.time() - t0:.0f} s)", table)
            report[gs] = table
    else:
        det_files, _ = split_photos(VAL)
        detailed = [model_sized(read_image(p)) for p in det_files]
        webcam, wsrc = webcam_set(VAL)
        print(f"detailed photos {len(detailed)}; webcam set {wsrc}")
        outs = styles_outputs(detailed, webcam)
        noisy = [np.clip(p + np.random.default_rng(0).normal(0, 20, p.shape), 0, 255).astype(np.uint8)
                 for p in detailed]
        for mode in ("grey", "colour"):
            ident = train_identifier(folders(), TRAIN, IdentifyConfig(mode=mode), CACHE)
            table = ceilings(ident)
            print_ceilings(f"{mode} mode: held-out paintings ({time.time() - t0:.0f} s)", table)
            r = {"ceiling": table, "photos": ident.score(detailed), "noise": ident.score(noisy),
                 "webcam_inputs": ident.score(webcam), "colour_only": colour_only_maps(ident, detailed[:8])}
            print(f"photos: top1 {r['photos']['top1']} p_photo {r['photos']['proba'][PHOTO]}; noise sigma 20: "
                  f"top1 {r['noise']['top1']} {r['noise']['proba']}; webcam inputs: top1 {r['webcam_inputs']['top1']}")
            print("colour-only maps (top1 / p_own):")
            for f, cases in r["colour_only"].items():
                print(f"  {f:22s} " + "  ".join(f"{k} {v['top1']} {v['p_own']:.2f}" for k, v in cases.items()))
            r["styles"] = {}
            print("| style | folder | ceiling p_own | photos top-1 | photos p_own | webcam top-1 | webcam p_own |")
            print("|---|---|---|---|---|---|---|")
            for sid, o in outs.items():
                sp, sw = ident.score(o["photos"], o["folder"]), ident.score(o["webcam"], o["folder"])
                r["styles"][sid] = {"folder": o["folder"], "photos": sp, "webcam": sw}
                print(f"| {sid} | {o['folder']} | {table[o['folder']]['p_own']:.2f} | {sp['top1']} | {sp['p_own']:.2f} "
                      f"| {sw['top1']} | {sw['p_own']:.2f} |")
            report[mode] = r
    print(f"total {time.time() - t0:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
