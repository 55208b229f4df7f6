"""The live window: MainWindow (main_window.py) and its parts (sources, recording, style actions), the
Engine and its PipelineWorker thread (capture -> Pipeline -> LatestSlot), the video view, side panel,
gallery, live thumbnails, the virtual-camera toggle, and the app's self-test (`--self-test`)."""
