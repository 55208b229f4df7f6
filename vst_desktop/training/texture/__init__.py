"""Texture recipe for painted styles (issue 7), trained with no pretrained network.

The split that the measurements chose (docs/texture_experiments.md):

- colour: a closed-form global colour transform fitted to the style palette (`colour.fit_colour_transform`),
  applied to the input, so the generator never has to learn (or be blamed for) colour;
- texture: an adversarial discriminator that only sees colour-invariant texture (`views.texture_view`:
  grey, high-pass, contrast-normalised) of generated crops versus painting crops at the painting's stroke
  scale (`data.StyleCrops`), so the only way to fool it is stroke structure;
- content: L1 on the low-frequency image (`losses.lowfreq_l1`) and on chroma detail
  (`losses.chroma_detail_l1`), so that low frequencies and colour stay put and texture is free;
- temporal: compound regularisation under a random smooth warp plus noise (`losses.temporal_compound`).

`critic.PaintingCritic` is the per-folder painting-vs-photo patch critic used to measure the result.
"""

from vst_desktop.training.texture.colour import ColourTransform, fit_colour_transform
from vst_desktop.training.texture.discriminator import TextureDiscriminator, lsgan_d_loss, lsgan_g_loss
from vst_desktop.training.texture.views import gaussian_blur, grey, highpass, texture_view

__all__ = [
    "ColourTransform",
    "TextureDiscriminator",
    "fit_colour_transform",
    "gaussian_blur",
    "grey",
    "highpass",
    "lsgan_d_loss",
    "lsgan_g_loss",
    "texture_view",
]
