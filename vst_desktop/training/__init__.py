"""Training a style (docs/training.md): the only package that imports torch.

Importing this package itself imports nothing heavy: `entry.add_arguments` must work without torch.
"""
