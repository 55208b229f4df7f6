"""The synchronous live path: frame in, stylized frame and timings out. No threads, no Qt."""
