"""Choose the guided enlargement's window and regularisation on the content *training* photos.

The validation photos stay out of this choice; `hd_fast_path` reports on them. Score: content edge SSIM of
the fast path relative to the full network at 720p (the issue's 5% bar), mean over styles and photos, on
webcam-like portraits and detailed photos separately.

    python -m research.experiments.hd_upsampler_sweep
"""

from __future__ import annotations

import itertools
import json

import numpy as np

from research.experiments.hd_fast_path import HD, OUT, to_hd
from vst_desktop.core.frame import Frame
from vst_desktop.evaluation import metrics
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import default_train_photos_dir
from vst_desktop.inference.session import StyleSession
from vst_desktop.pipeline.pipeline import Pipeline
from vst_desktop.pipeline.sizing import fit_height
from vst_desktop.pipeline.upsample import GuidedUpsampler
from vst_desktop.styles.library import StyleLibrary

STYLES = ("van-gogh", "ukiyo-e", "ink-sketch", "udnie")
RADII = (2, 4, 8)
EPS = (0.01, 0.03)
DETAIL = (1.0, 1.5, 2.0, 3.0)


def main() -> None:
    files = image_files(default_train_photos_dir())
    faces = [f for f in files if f.name.startswith("faces_")][::17][:4]
    other = [f for f in files if not f.name.startswith("faces_")][::5][:4]
    cases = {"webcam": [to_hd(read_image(f)) for f in faces], "detailed": [to_hd(read_image(f)) for f in other]}
    lib = StyleLibrary()
    scores: dict[str, list[float]] = {}
    for sid in STYLES:
        session = StyleSession(lib.get(sid).onnx_path, prefer_gpu=False)
        pipe = Pipeline(session, inference_size=fit_height(HD, 360), output_size=HD, stabilize=False)
        for case, photos in cases.items():
            full = [metrics.content_edge_ssim(p, session.run(p)) for p in photos]
            variants = [("plain", None)] + [(f"r{r}_e{e}_d{d}", GuidedUpsampler(r, e * e, d))
                                            for r, e, d in itertools.product(RADII, EPS, DETAIL)]
            for name, up in variants:
                pipe._upsampler = up
                fast = [metrics.content_edge_ssim(p, pipe.step(Frame(p, 0.0, 0)).pixels) for p in photos]
                scores.setdefault(f"{case} {name}", []).append(float(np.mean(fast) / np.mean(full)))
        print(sid, flush=True)
    table = {k: round(float(np.mean(v)), 4) for k, v in scores.items()}
    print(json.dumps(table, indent=1))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "hd_upsampler_sweep.json").write_text(json.dumps(table, indent=1))


if __name__ == "__main__":
    main()
