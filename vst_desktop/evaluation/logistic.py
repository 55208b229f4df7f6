"""A small L2-regularised logistic regression (numpy, Newton steps): the critic's classifier.

Features are standardised and expanded with their pairwise products, so the critic can use
interactions such as "fine-scale energy is high AND it lines up with the coarser scale" (a stroke)
versus "fine-scale energy is high but unaligned" (noise), while staying a convex, deterministic fit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _expand(z: np.ndarray) -> np.ndarray:
    iu = np.triu_indices(z.shape[1])
    quad = (z[:, :, None] * z[:, None, :])[:, iu[0], iu[1]] / np.sqrt(2.0)
    return np.concatenate([z, quad], axis=1)


@dataclass
class LogisticModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # over the expanded features
    bias: float

    def decision(self, x: np.ndarray) -> np.ndarray:
        z = np.clip((x - self.mean) / self.scale, -6.0, 6.0)  # far-out inputs must not explode the quadratics
        return _expand(z) @ self.weights + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.decision(x), -30, 30)))

    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}mean": self.mean, f"{prefix}scale": self.scale, f"{prefix}weights": self.weights,
                f"{prefix}bias": np.array([self.bias])}

    @classmethod
    def from_arrays(cls, arrays, prefix: str) -> LogisticModel:
        return cls(arrays[f"{prefix}mean"], arrays[f"{prefix}scale"], arrays[f"{prefix}weights"],
                   float(arrays[f"{prefix}bias"][0]))


def fit_logistic(pos: np.ndarray, neg: np.ndarray, l2: float = 1e-3, max_iter: int = 30) -> LogisticModel:
    """Fit P(positive | x), the two classes weighted equally whatever their patch counts."""
    x = np.concatenate([pos, neg]).astype(np.float64)
    y = np.concatenate([np.ones(len(pos)), np.zeros(len(neg))])
    w_sample = np.where(y == 1, 0.5 / len(pos), 0.5 / len(neg))
    mean = x.mean(0)
    scale = x.std(0) + 1e-6
    f = _expand(np.clip((x - mean) / scale, -6.0, 6.0))
    n_feat = f.shape[1]
    # Newton's method (iteratively reweighted least squares): the problem is convex and small
    # (a few hundred features), so about ten exact steps beat hundreds of first-order ones.
    theta = np.zeros(n_feat + 1)
    fb = np.concatenate([f, np.ones((len(f), 1))], axis=1)
    reg = np.full(n_feat + 1, l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(max_iter):
        s = fb @ theta
        p = 1.0 / (1.0 + np.exp(-np.clip(s, -30, 30)))
        grad = fb.T @ (w_sample * (p - y)) + reg * theta
        hess = (fb * (w_sample * p * (1 - p))[:, None]).T @ fb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-6:
            break
    return LogisticModel(mean, scale, theta[:-1], float(theta[-1]))
