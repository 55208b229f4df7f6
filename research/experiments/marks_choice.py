"""What `marks="auto"` chooses for each style folder, with the scores it chose from.

    .venv/bin/python -m research.experiments.marks_choice build/styles/*/images
"""

from __future__ import annotations

import json
import sys
import time

from vst_desktop.training.data import load_training_data
from vst_desktop.training.texture.marks import choose_marks
from vst_desktop.trainspec.presets import make_config


def main() -> None:
    for folder in sys.argv[1:]:
        cfg = make_config("quick", styles_dir=folder)
        data = load_training_data(cfg.styles_dir, cfg.content_dir, False, cfg.crop_size, tuple(cfg.scale_jitter),
                                  cfg.max_image_side, 2, content_pixel_scale=True)
        t0 = time.time()
        choice = choose_marks(cfg, data.style.images, data.content.images)
        print(json.dumps({"folder": folder, "chosen": choice.family, "seconds": round(time.time() - t0, 1),
                          "scores": choice.scores, "why": choice.why}), flush=True)


if __name__ == "__main__":
    main()
