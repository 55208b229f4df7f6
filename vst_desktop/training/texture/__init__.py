"""The painted recipe's fixed parts: what the training loop uses besides the generator and its losses.

- `colour`: the closed-form colour map from the content photos' palette to the style's
  (`fit_colour_transform`), fitted once before step 0 and exported as the generator's `ColourStage`;
- `strokes`: the deterministic stroke teacher (`StrokeTeacher`, `paint_float`) that paints each
  colour-mapped crop; its painting is the generator's paired target;
- `analogy`: the analogy teacher (`AnalogyTeacher`), whose marks are copied from the folder's own
  paintings, and the canvas it shares with the generator (`canvas_tile`);
- `marks`: the mark families (`strokes`, `dabs`, `planes`, `analogy`), the teacher and generator settings
  of each, and `choose_marks`, which lets the folder's style critic pick a hand-written one before step 0;
- `views`: torch image helpers (`grey`, `gaussian_blur`, `highpass`) for the high-pass loss term.

The research modules that led here (texture discriminator, patch critic, noise-driven strokes) live in
`research/texture/`, outside the package.
"""

from vst_desktop.training.texture.colour import ColourTransform, fit_colour_transform
from vst_desktop.training.texture.views import gaussian_blur, grey, highpass

__all__ = [
    "ColourTransform",
    "fit_colour_transform",
    "gaussian_blur",
    "grey",
    "highpass",
]
