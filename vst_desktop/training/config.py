"""The training config is vst_desktop.trainspec.config (torch-free, shared with the GUI). This name stays
only for texture/marks.py and the research scripts that import TrainConfig from here; import trainspec."""

from vst_desktop.trainspec.config import TrainConfig

__all__ = ["TrainConfig"]
