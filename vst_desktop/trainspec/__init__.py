"""What a training run is, shared by the GUI and the engine, with neither torch nor Qt: the config and its
checks (config.py), the presets (presets.py), the progress events (events.py), the run folder's files
(layout.py) and the GUI's view of run folders: launching, following, resuming (runs.py).

The GUI never imports the engine (training/ needs torch); both import this package instead, so a default
or a file name lives in one place.
"""
