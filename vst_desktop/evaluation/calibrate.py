"""Calibration of the style scores on known cases, for docs/evaluation.md and for doubting the metric.

    python -m vst_desktop.evaluation.calibrate van_gogh ukiyo_e ink_sketch

prints, per style folder, texture_gain and colour_gain of: photos, colour-only changes, a painterly
rendering, pixel noise, and the folder's held-out paintings (1.0 by construction, with raw P beside it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from vst_desktop.core import paths
from vst_desktop.evaluation import known_cases
from vst_desktop.evaluation.media import image_files, read_image
from vst_desktop.evaluation.run import default_photos_dir, default_train_photos_dir, load_photos
from vst_desktop.evaluation.style_critic import StyleCritic, train_critic, working_image
from vst_desktop.evaluation.style_score import colour_gain, texture_gain


def known_case_stylizers(style_images, photos) -> dict:
    return {
        "photo (identity)": known_cases.identity(),
        "tone curve (gamma 0.6, warm)": known_cases.tone_curve(),
        "colour matrix (sepia)": known_cases.colour_matrix(),
        "histogram curve toward style": known_cases.histogram_curve(style_images, photos),
        "palette transfer toward style": known_cases.palette_transfer(style_images),
        "painterly rendering": known_cases.painterly(),
        "pixel noise sigma 20": known_cases.pixel_noise(20.0),
    }


def calibrate_folder(style_folder: Path, photos, critic: StyleCritic) -> dict:
    style_images = [working_image(read_image(p)) for p in image_files(style_folder)]
    rows = {}
    for name, stylize in known_case_stylizers(style_images, photos).items():
        outs = [stylize(p) for p in photos]
        t = texture_gain(critic, photos, outs)
        rows[name] = {"texture_gain": t["texture_gain"], "p": t["p_stylized"],
                      "colour_gain": colour_gain(style_images, photos, outs)["colour_gain"]}
    rows["held-out paintings"] = {"texture_gain": 1.0, "p": critic.heldout_mean, "colour_gain": None}
    return {"rows": rows, "p_photo": t["p_photo"], "ceiling_separation": t["ceiling_separation"],
            "method": critic.method, "heldout_per_piece": t["heldout_per_piece"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+", help="style folder names under ../shared/data/styles, or paths")
    parser.add_argument("--photos", default=None)
    args = parser.parse_args(argv)
    photos = load_photos(args.photos or default_photos_dir())
    out = {}
    for f in args.folders:
        folder = Path(f) if Path(f).is_dir() else paths.shared_data_dir() / "styles" / f
        critic = train_critic(folder, default_train_photos_dir(), cache_dir=paths.data_dir() / "cache")
        out[folder.name] = calibrate_folder(folder, photos, critic)
        print(json.dumps({folder.name: out[folder.name]}, indent=1), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
