"""What every window of the app shares: one way to tell the person something (notify.py), the crash
handler (crash.py), the PySide6 workarounds installed once at start (qt_workarounds.py), and the theme,
icons, About box and small Qt helpers."""
