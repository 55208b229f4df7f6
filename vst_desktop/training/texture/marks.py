"""Which marks the stroke teacher paints, chosen per style folder by the style critic (`marks="auto"`).

Paintings are not all made of the same marks: van Gogh and Hokusai draw strokes along the edges, Monet's
water scenes are horizontal dabs over every textured area, Picabia's Udnie is flat colour planes. One
teacher for all of them left Monet and Udnie below a photo's style score. Before
step 0, the painted recipe paints a few content photos with each family, scores them with the folder's
painting-vs-photo critic (the evaluation metric, trained on content photos only), and keeps the family
that looks most like the folder's paintings while the content stays readable (the default strokes unless
another family is clearly better, by SWITCH_MARGIN). The choice is written into
the run's config, so a resumed run keeps it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vst_desktop.training.texture.colour import fit_colour_transform, sample_pixels
from vst_desktop.training.texture.strokes import paint_float
from vst_desktop.trainspec.config import TrainConfig

log = logging.getLogger(__name__)

FAMILIES = ("strokes", "dabs", "planes", "analogy")
# "auto" chooses among the hand-written families. The analogy family (marks copied from the paintings) is
# asked for by name: its students are named as their painter more often but look blotchy and shimmer on
# still clips (docs/research/analogy_marks.md), so the critic's choice would favour a worse style.
AUTO_FAMILIES = ("strokes", "dabs", "planes")
DEFAULT_AMP = 0.35  # the presets' stroke_amp: "brush strength" is relative to it in the dabs family
MIN_EDGE_SSIM = 0.5  # a family that loses more of the photo's structure is not chosen (acceptance: 0.45)
SCORE_PHOTOS = 10
SCORE_LONG_SIDE = 384
# The planes family's Kuwahara teacher: radius 2, 3 passes, because at radius 4 faces on soft webcam frames
# lose their eyes and mouth to square blocks, although the style score is a little higher.
PLANES_RADIUS, PLANES_PASSES = 2, 3
# Another family replaces the default strokes only when it scores this much higher: a one-image folder's
# quadrant critic is noisy, and a lead of a few hundredths picked a family whose student scored far lower.
SWITCH_MARGIN = 0.1


def generator_stages(cfg: TrainConfig) -> dict:
    """`build_generator` keyword arguments for the config's mark family. The planes family builds its
    flattening into the generator: the residual network alone does not learn it."""
    if cfg.recipe != "painted" or cfg.paired:
        return {}
    if cfg.marks == "planes":
        # The teacher's planes at half resolution (radius 1 there is radius 2 here; 8-10 ms at 640x360, about
        # 38 ms more at full resolution); the network's residual learns the sharper plane borders.
        return dict(flatten_radius=1, flatten_passes=PLANES_PASSES, flatten_scale=2)
    stages: dict = {}
    if cfg.marks != "analogy":
        return stages
    if cfg.analogy_canvas > 0:
        # the canvas the teacher's flat-area marks follow (and, with its gain, the head's full-resolution copy)
        gain = cfg.analogy_canvas_gain or ("pixel" if cfg.analogy_canvas_wall else "")  # the wall needs a gain
        stages.update(canvas=cfg.analogy_canvas_form, canvas_gain=gain, canvas_wall=cfg.analogy_canvas_wall,
                      canvas_period=cfg.analogy_canvas_period)
    if cfg.analogy_flatten > 0:
        # the planes the teacher paints on (PaintedRecipe.teach), built in as the planes family's are
        stages.update(flatten_radius=cfg.analogy_flatten, flatten_passes=cfg.analogy_flatten_passes, flatten_scale=2,
                      flatten_sigma=cfg.analogy_flatten_sigma)
    if cfg.analogy_lead > 0:
        stages.update(lead_darkness=cfg.analogy_lead)  # the teacher's lines, drawn by the same fixed stage
    return stages


def analogy_settings(cfg: TrainConfig) -> dict:
    """`AnalogyTeacher` keyword arguments (the paintings come separately)."""
    return dict(patch=cfg.analogy_patch, stride=cfg.analogy_patch // 2,
                low_sigma=cfg.analogy_low_sigma or cfg.analogy_patch / 4.0, keep=cfg.analogy_keep,
                canvas=cfg.analogy_canvas, canvas_form=cfg.analogy_canvas_form, canvas_period=cfg.analogy_canvas_period,
                canvas_block=cfg.analogy_canvas_block, canvas_exemplar=cfg.analogy_canvas_exemplar,
                detail=cfg.analogy_detail, canvas_flat=cfg.analogy_canvas_flat,
                canvas_wall=cfg.analogy_canvas_wall, wall_gain=cfg.analogy_wall_gain,
                flat_window=cfg.analogy_flat_window, seed=cfg.seed)


def teacher_settings(cfg: TrainConfig) -> dict:
    """`paint_float` keyword arguments for the config's mark family."""
    if cfg.marks == "dabs":  # short horizontal dabs at a unit local contrast, no outlines (Monet)
        return dict(r=cfg.stroke_radius, amp=0.1 * cfg.stroke_amp / DEFAULT_AMP, length=cfg.stroke_length,
                    lines=0.0, width=1.25, direction=0.0, contrast_floor=0.03, passes=1)
    if cfg.marks == "planes":  # Kuwahara, repeated: flat colour planes, no strokes, no outlines (Udnie)
        return dict(r=PLANES_RADIUS, amp=0.0, length=cfg.stroke_length, lines=0.0, width=1.0, passes=PLANES_PASSES)
    # "strokes" (and "auto" before it is resolved): the config's own values, strokes along the edges
    return dict(r=cfg.stroke_radius, amp=cfg.stroke_amp, length=cfg.stroke_length, lines=cfg.stroke_lines,
                width=cfg.stroke_width, direction=cfg.stroke_direction, contrast_floor=cfg.stroke_contrast_floor,
                passes=cfg.stroke_passes)


@dataclass
class MarksChoice:
    family: str
    scores: dict[str, dict[str, float]]  # family -> texture_gain, content_edge_ssim
    why: str


def choose_marks(cfg: TrainConfig, style_images: list[np.ndarray], content_images: list[np.ndarray]) -> MarksChoice:
    """The family whose teacher paintings of content photos the folder's critic rates most like its
    paintings, among those with content_edge_ssim >= MIN_EDGE_SSIM; strokes unless another beats it by
    SWITCH_MARGIN. Images: uint8 RGB."""
    from vst_desktop.core.errors import VstError
    from vst_desktop.evaluation import metrics
    from vst_desktop.evaluation.media import resize_long_side
    from vst_desktop.evaluation.run import critic_for
    from vst_desktop.evaluation.style_score import texture_gain

    try:
        critic = critic_for(Path(cfg.styles_dir))
    except (VstError, OSError, ValueError) as e:  # no photos for the critic, images too small...
        return MarksChoice("strokes", {}, f"the style critic could not be trained ({e}); default strokes")
    step = max(1, len(content_images) // SCORE_PHOTOS)
    photos = [resize_long_side(img, min(SCORE_LONG_SIDE, max(img.shape[:2])))  # never upscaled
              for img in content_images[::step][:SCORE_PHOTOS]]
    ct = fit_colour_transform(sample_pixels(content_images, seed=cfg.seed), sample_pixels(style_images, seed=cfg.seed),
                              cfg.colour_strength)
    base = [ct.apply_np(p.astype(np.float32) / 255.0) for p in photos]
    photos_bgr = [np.ascontiguousarray(p[..., ::-1]) for p in photos]
    scores = {}
    for family in AUTO_FAMILIES:
        kwargs = teacher_settings(cfg.replace(marks=family))
        outs = [np.ascontiguousarray((paint_float(b, **kwargs)[..., ::-1] * 255.0).round().astype(np.uint8))
                for b in base]
        tg = texture_gain(critic, photos_bgr, outs)["texture_gain"]
        ssim = float(np.mean([metrics.content_edge_ssim(p, o) for p, o in zip(photos_bgr, outs, strict=True)]))
        scores[family] = {"texture_gain": round(float(tg), 3), "content_edge_ssim": round(ssim, 3)}
    return pick_family(scores)


def pick_family(scores: dict[str, dict[str, float]]) -> MarksChoice:
    """The decision of `choose_marks` from its per-family scores (texture_gain, content_edge_ssim)."""
    usable = [f for f in AUTO_FAMILIES if scores[f]["content_edge_ssim"] >= MIN_EDGE_SSIM
              and np.isfinite(scores[f]["texture_gain"])]
    if not usable:
        return MarksChoice("strokes", scores, "no family kept the content readable; default strokes")
    best = max(usable, key=lambda f: scores[f]["texture_gain"])
    if best != "strokes" and "strokes" in usable and \
            scores[best]["texture_gain"] < scores["strokes"]["texture_gain"] + SWITCH_MARGIN:
        return MarksChoice("strokes", scores, f"no family beats the default strokes by {SWITCH_MARGIN} or more")
    return MarksChoice(best, scores, f"highest style score among {', '.join(usable)}")
