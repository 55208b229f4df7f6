"""Training a style (DESIGN.md section 6; docs/training.md): the only package that imports torch.

Importing this package itself imports nothing heavy: `entry.add_arguments` must work without torch.
"""
