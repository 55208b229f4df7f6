"""Style packages (`<id>.onnx`, `<id>.json`, `<id>.png`): the contract and its validation, the library of
built-in and user styles with atomic install, `.vststyle` import and export, thumbnails, and the code that
builds the built-in filters and the reference network (`builders/`)."""
