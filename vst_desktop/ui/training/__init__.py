"""The "Train new style…" dialog: choosing the style images, preset and photos, starting or resuming
`vst-desktop train` as a separate, lower-priority process (process.py), following its progress events and
showing the curves, samples and log; the per-preset time estimate (estimate.py) and the training
self-test (`--self-test training`). The training engine itself is never imported here."""
