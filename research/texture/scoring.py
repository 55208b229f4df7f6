"""The scoring setup of the van Gogh texture checks (`texture_teacher_sweep`, `texture_sharpen_check`).

Both score a teacher's outputs on the validation photos with the two critics: the torch critic that
`texture_critic` saved (seed 0, with its reference scores) and the engine's style critic.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import cv2
import numpy as np
import torch

from research.texture import common as tc
from research.texture.critic import PaintingCritic, gain
from vst_desktop.evaluation.style_critic import StyleCritic, train_critic
from vst_desktop.evaluation.style_score import texture_gain
from vst_desktop.training.texture.colour import ColourTransform, fit_colour_transform, sample_pixels

STYLE = "van_gogh"


@dataclass
class Scoring:
    colour: ColourTransform  # the training photos' colours moved to the style's (held-out paintings excluded)
    critic: PaintingCritic
    reference: dict  # the critic's scores of the validation photos and the held-out paintings
    style_critic: StyleCritic  # the engine's

    def scores(self, photos: list[np.ndarray], outputs: list[np.ndarray]) -> dict:
        """Both critics on RGB `outputs` painted from `photos`: the torch critic's gain (0 photos, 1 held-out
        paintings) and the engine's texture gain."""
        p = self.critic.score_many(outputs)
        return {"gain": round(gain(p, self.reference["p_val_photos"], self.reference["p_heldout_paintings"]), 3),
                "eval_texture_gain": texture_gain(self.style_critic, _bgr(photos), _bgr(outputs))["texture_gain"]}


def _bgr(images: list[np.ndarray]) -> list[np.ndarray]:
    return [im[..., ::-1].copy() for im in images]  # the engine's critic reads OpenCV's order


def setup() -> Scoring:
    """One thread for OpenCV and torch (the 2 cores are shared), then the colour transform and both critics."""
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    held = tc.HELD_OUT[STYLE]
    colour = fit_colour_transform(sample_pixels(tc.load_folder(tc.DATA / "content" / "train", 256)),
                                  sample_pixels(tc.load_folder(tc.style_dir(STYLE), 256, exclude=held)))
    critic = PaintingCritic()
    critic.load_state_dict(torch.load(tc.RUNS / f"critic_{STYLE}_s0.pt", weights_only=True))
    reference = json.loads((tc.RUNS / f"critic_{STYLE}_s0.json").read_text())
    style_critic = train_critic(tc.style_dir(STYLE), tc.DATA / "content" / "train", cache_dir=tc.RUNS / "eval_cache")
    return Scoring(colour, critic, reference, style_critic)
