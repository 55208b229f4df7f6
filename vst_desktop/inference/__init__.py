"""Running a style network: onnxruntime sessions (`session.StyleSession`), which execution providers to
ask for and which really run (`providers`, `gpu_check`), and the run-time temporal stabiliser
(`temporal`). No Qt, no torch."""
