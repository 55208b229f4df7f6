"""Texture modules used only by the experiments: the painting-vs-photo torch critic (`critic`), crops at a
reference scale (`data`), the colour-blind texture discriminator (`discriminator`), content and temporal
terms that leave texture free (`losses`), noise-driven strokes and their advection (`noise_strokes`), and
the experiments' shared helpers (`common`: data paths, stand-in generator, warping error, contact sheets).
"""
