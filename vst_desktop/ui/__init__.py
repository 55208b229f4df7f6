"""The desktop GUI (PySide6): the only package besides app.py that imports Qt.

* live/: the main window and its parts, the pipeline worker thread that feeds it, the video view, the
  side panel and gallery, live thumbnails and the virtual-camera toggle, and the app's self-test;
* training/: the "Train new style…" dialog, which runs `vst-desktop train` as a separate process and
  follows its progress events, the speed estimate and the training self-test;
* common/: what both share: messages to the person (notify.py), the crash handler, the PySide6
  workarounds, the theme, icons and the About box.
"""
