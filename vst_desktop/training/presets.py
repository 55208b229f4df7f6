"""The presets are vst_desktop.trainspec.presets (torch-free, shared with the GUI). This name stays only for
the research scripts that import make_config from here; import trainspec."""

from vst_desktop.trainspec.presets import PRESETS, make_config

__all__ = ["PRESETS", "make_config"]
