"""Code that writes style packages: the built-in film filters and the Johnson reference network, as
ONNX graphs built with `onnx.helper` and numpy (no torch), plus their thumbnails."""
