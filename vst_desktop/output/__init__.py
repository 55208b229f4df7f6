"""Outputs other programs read live: the virtual camera (pyvirtualcam). Qt-free, like the engine packages."""
