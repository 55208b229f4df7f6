"""Frame sources behind one interface (`base.FrameSource`: open, read_latest, close, info, error): cameras
(a reader thread keeps only the newest frame, unplug and replug), video files, still images and the demo
clip; `factory.open_source` turns a source spec into one. No Qt."""
