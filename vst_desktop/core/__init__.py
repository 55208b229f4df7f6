"""Shared foundations with no Qt and no torch: errors, frames, paths, settings, logging, stats."""
