"""The two parts of the shared content that style choices and reports keep apart.

- The tune part: what a choice (a recipe, a setting, a training draw) may look at. Detailed train photos,
  and a webcam-like set: frames of the bundled demo clip and train portraits before a plain background.
- The held-out part: what reports are made on, never looked at by a choice. The detailed validation photos,
  and the webcam set: frames of the shared face clip and the validation portraits before a plain background.

Both come in the sizes the evaluation runs a style at (photos at most 512 px on their long side).
"""

from __future__ import annotations

import numpy as np

from vst_desktop.core import paths
from vst_desktop.evaluation.media import read_image
from vst_desktop.evaluation.run import model_sized
from vst_desktop.evaluation.webcam import clip_frames, sized, split_photos

TUNE_DETAILED = ("kodak_kodim01.png", "kodak_kodim02.png", "kodak_kodim03.png", "kodak_kodim05.png",
                 "kodak_kodim07.png", "kodak_kodim09.png", "kodak_kodim13.png", "kodak_kodim21.png",
                 "skimage_chelsea.png", "tuebingen_neckarfront.jpg")
TUNE_PORTRAITS = ("faces_cc0_001.jpg", "faces_cc0_011.jpg", "faces_cc0_021.jpg", "faces_cc0_031.jpg",
                  "faces_cc0_041.jpg", "faces_cc0_051.jpg")
HELDOUT_CLIP = "head-pose-face-detection-male.gif"
FRAMES = 6


def tune_sets() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(detailed photos, webcam-like frames) of the tune part."""
    train = paths.shared_data_dir() / "content" / "train"
    detailed = [model_sized(read_image(train / n)) for n in TUNE_DETAILED]
    webcam = tune_wall_frames() + [sized(read_image(train / n)) for n in TUNE_PORTRAITS]
    return detailed, webcam


def tune_wall_frames() -> list[np.ndarray]:
    """The tune part's frames of a person before a plain wall (the demo clip's), where a canvas style's
    repeats show."""
    return clip_frames(paths.demo_clip(), FRAMES)


def heldout_sets() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(detailed photos, webcam-like frames) of the held-out part."""
    shared = paths.shared_data_dir()
    detailed_files, portraits = split_photos(shared / "content" / "val")
    detailed = [model_sized(read_image(p)) for p in detailed_files]
    webcam = clip_frames(shared / "video" / HELDOUT_CLIP, FRAMES) + [sized(read_image(p)) for p in portraits]
    return detailed, webcam
