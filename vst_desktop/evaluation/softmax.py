"""A small L2-regularised multinomial (softmax) logistic regression in numpy, for style identification.

Features are standardised and expanded with their pairwise products, as the critic's binary model does
(`logistic.py`), so interactions such as "fine energy high AND aligned across scales" are available
while the fit stays convex and deterministic. Classes are weighted equally whatever their patch counts:
a folder of one painting counts as much as one of eight. The fit is L-BFGS with a backtracking line
search: a full Newton step would need a (features x classes)^2 Hessian, thousands squared.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vst_desktop.evaluation.logistic import _expand

CLIP_Z = 6.0  # far-out inputs must not explode the quadratic terms


@dataclass
class SoftmaxModel:
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (expanded features, classes)
    bias: np.ndarray  # (classes,)

    def logits(self, x: np.ndarray) -> np.ndarray:
        z = np.clip((x - self.mean) / self.scale, -CLIP_Z, CLIP_Z)
        return _expand(z) @ self.weights + self.bias

    def proba(self, x: np.ndarray) -> np.ndarray:
        return _softmax(self.logits(x))

    def to_arrays(self, prefix: str = "") -> dict[str, np.ndarray]:
        return {f"{prefix}mean": self.mean, f"{prefix}scale": self.scale, f"{prefix}weights": self.weights,
                f"{prefix}bias": self.bias}

    @classmethod
    def from_arrays(cls, arrays, prefix: str = "") -> SoftmaxModel:
        return cls(arrays[f"{prefix}mean"], arrays[f"{prefix}scale"], arrays[f"{prefix}weights"],
                   arrays[f"{prefix}bias"])


def _softmax(s: np.ndarray) -> np.ndarray:
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, l2: float = 1e-3,
                max_iter: int = 300, tol: float = 1e-6) -> SoftmaxModel:
    """Fit P(class | x) for integer labels `y` in 0..n_classes-1, every class weighted equally."""
    x = x.astype(np.float64)
    mean = x.mean(0)
    scale = x.std(0) + 1e-6
    f = _expand(np.clip((x - mean) / scale, -CLIP_Z, CLIP_Z))
    f = np.concatenate([f, np.ones((len(f), 1))], axis=1)  # last column: the bias
    counts = np.bincount(y, minlength=n_classes).astype(np.float64)
    w_sample = (1.0 / (n_classes * np.maximum(counts, 1)))[y]
    onehot = np.eye(n_classes)[y]
    reg = np.full((f.shape[1], 1), l2)
    reg[-1] = 0.0  # the bias is not shrunk

    def loss_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        t = theta.reshape(f.shape[1], n_classes)
        s = f @ t
        s -= s.max(axis=1, keepdims=True)
        logz = np.log(np.exp(s).sum(axis=1))
        loss = float(w_sample @ (logz - (s * onehot).sum(1))) + 0.5 * float((reg * t * t).sum())
        p = np.exp(s - logz[:, None])
        g = f.T @ (w_sample[:, None] * (p - onehot)) + reg * t
        return loss, g.ravel()

    theta = _lbfgs(loss_grad, np.zeros(f.shape[1] * n_classes), max_iter, tol)
    t = theta.reshape(f.shape[1], n_classes)
    return SoftmaxModel(mean, scale, t[:-1], t[-1].copy())


def _lbfgs(fun, x0: np.ndarray, max_iter: int, tol: float, memory: int = 10) -> np.ndarray:
    """Minimise a smooth convex function given (value, gradient); deterministic."""
    x = x0
    fx, g = fun(x)
    s_hist: list[np.ndarray] = []
    y_hist: list[np.ndarray] = []
    for _ in range(max_iter):
        # two-loop recursion: the quasi-Newton direction from the last `memory` steps
        q = g.copy()
        alphas = []
        for s, yv in reversed(list(zip(s_hist, y_hist, strict=True))):
            a = (s @ q) / (yv @ s)
            alphas.append(a)
            q -= a * yv
        if s_hist:
            q *= (s_hist[-1] @ y_hist[-1]) / (y_hist[-1] @ y_hist[-1])
        for (s, yv), a in zip(zip(s_hist, y_hist, strict=True), reversed(alphas), strict=True):
            q += s * (a - (yv @ q) / (yv @ s))
        d = -q
        if g @ d >= 0:  # not a descent direction (numerical trouble): restart from steepest descent
            d, s_hist, y_hist = -g, [], []
        step = 1.0 if s_hist else 1.0 / max(1.0, float(np.abs(g).max()))
        while True:  # backtracking (Armijo)
            x_new = x + step * d
            f_new, g_new = fun(x_new)
            if f_new <= fx + 1e-4 * step * (g @ d) or step < 1e-10:
                break
            step *= 0.5
        s, yv = x_new - x, g_new - g
        if s @ yv > 1e-12:
            s_hist.append(s)
            y_hist.append(yv)
            if len(s_hist) > memory:
                s_hist.pop(0)
                y_hist.pop(0)
        done = abs(fx - f_new) <= tol * max(1.0, abs(fx))
        x, fx, g = x_new, f_new, g_new
        if done:
            break
    return x
