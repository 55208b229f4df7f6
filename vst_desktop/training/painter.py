"""A painter classifier as a loss: the `painter` term pulls the output's marks toward its own folder.

A small CNN is trained from scratch (no pretrained weights) to tell grey 64 px patches of several painters'
folders from each other and from photos; it is then frozen, and the generator is charged the cross-entropy
of its output's patches against its own folder. Unlike the discriminator (own folder against this
generator's output), the classifier knows the other painters, so it charges for marks that are painted but
not this painter's. Patches are normalised to zero mean and unit contrast, so the term judges marks, not
tone or colour (the colour stage owns those).

The per-pixel probe that motivated it (docs/research/painter_guide.md): optimising a photo's grey detail
against this classifier alone gets it named by the independent identifier for 3 of 8 folders on photos.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from vst_desktop.training.texture.views import grey

log = logging.getLogger(__name__)

PATCH = 64
PAINTING_SCALES = (1.0, 0.8, 0.6)
PHOTO_SCALES = (1.0, 0.7)
FORMAT = 1  # bump when the net or its training changes: old cached nets are then retrained


def normalise(patches: torch.Tensor) -> torch.Tensor:
    """Each patch minus its mean over its contrast: marks, not brightness or contrast."""
    mean = patches.mean(dim=(2, 3), keepdim=True)
    std = patches.std(dim=(2, 3), keepdim=True)
    return (patches - mean) / (std + 0.02)


class PainterNet(nn.Module):
    """Small on purpose: it trains in minutes on one CPU core and its gradient is cheap in a student's step."""

    def __init__(self, classes: int, width: int = 16) -> None:
        super().__init__()
        w = width
        layers: list[nn.Module] = []
        cin = 1
        for cout, k, stride in ((w, 5, 2), (2 * w, 3, 2), (4 * w, 3, 2), (4 * w, 3, 1)):
            layers += [nn.Conv2d(cin, cout, k, stride, k // 2), nn.GroupNorm(8, cout), nn.LeakyReLU(0.2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.head = nn.Linear(cin, classes)

    def forward(self, grey_patches: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(normalise(grey_patches)).mean(dim=(2, 3)))


def grey_views(images: list[np.ndarray], scales: tuple[float, ...]) -> list[np.ndarray]:
    """Grey float [0, 1] copies of RGB (or grey) uint8 images at each scale large enough for a patch."""
    out = []
    for img in images:
        g = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY) if img.ndim == 3 else img
        g = g.astype(np.float32) / 255.0
        for s in scales:
            v = g if s == 1.0 else cv2.resize(g, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)
            if min(v.shape) >= PATCH:
                out.append(v)
    return out


def sample_patches(views: list[np.ndarray], n: int, rng: np.random.Generator, augment: bool) -> np.ndarray:
    """`n` random patches; `augment`: a random rotation or flip, and a slight blur or sensor noise on two
    thirds of them, so that sharpness and noise do not decide (as the identifier's nuisance views)."""
    out = np.empty((n, PATCH, PATCH), np.float32)
    for i in range(n):
        v = views[int(rng.integers(len(views)))]
        y, x = int(rng.integers(v.shape[0] - PATCH + 1)), int(rng.integers(v.shape[1] - PATCH + 1))
        p = v[y:y + PATCH, x:x + PATCH]
        if augment:
            p = np.rot90(p, int(rng.integers(4))) if rng.random() < 0.5 else p[:, ::-1]
            r = rng.random()
            if r < 1 / 3:
                p = cv2.GaussianBlur(np.ascontiguousarray(p), (0, 0), rng.uniform(0.5, 1.5))
            elif r < 2 / 3:
                p = p + rng.normal(0, rng.uniform(3, 20) / 255, p.shape).astype(np.float32)
        out[i] = p
    return out


def train_painter_net(class_views: list[list[np.ndarray]], steps: int, seed: int,
                      per_class: int = 8) -> PainterNet:
    """A frozen classifier over the classes' views (balanced batches)."""
    rng = np.random.default_rng(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        net = PainterNet(len(class_views))
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    labels = torch.from_numpy(np.repeat(np.arange(len(class_views)), per_class))
    for step in range(steps):
        x = np.concatenate([sample_patches(v, per_class, rng, True) for v in class_views])
        loss = F.cross_entropy(net(torch.from_numpy(x)[:, None]), labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 500 == 0:
            log.info("painter classifier step %d: loss %.3f", step, loss.item())
    return freeze(net)


def freeze(net: PainterNet) -> PainterNet:
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def cache_key(files: list[list[Path]], steps: int, seed: int) -> str:
    h = hashlib.sha256(f"{FORMAT}|{steps}|{seed}".encode())
    for group in files:
        for f in sorted(group):
            st = f.stat()
            h.update(f"{f.name}|{st.st_size}|{int(st.st_mtime)};".encode())
        h.update(b"#")
    return h.hexdigest()[:16]


def random_crops(pictures: torch.Tensor, n: int, gen: torch.Generator | None = None) -> torch.Tensor:
    """`n` random 64 px crops of N1HW grey pictures, each at a random scale (0.6-1.0), a third of them slightly
    blurred: a pattern that fools the classifier at one scale and phase only is not rewarded."""
    b, _, h, w = pictures.shape
    out = []
    for _ in range(n):
        s = float(torch.empty(1).uniform_(0.6, 1.0, generator=gen))
        size = min(int(PATCH / s), h, w)
        i = int(torch.randint(0, b, (1,), generator=gen))
        y = int(torch.randint(0, h - size + 1, (1,), generator=gen))
        x = int(torch.randint(0, w - size + 1, (1,), generator=gen))
        c = pictures[i:i + 1, :, y:y + size, x:x + size]
        out.append(F.interpolate(c, size=(PATCH, PATCH), mode="bilinear", align_corners=False, antialias=True))
    crops = torch.cat(out)
    blur = torch.rand(n, generator=gen) < 1 / 3
    if blur.any():
        k = torch.tensor([1.0, 4.0, 6.0, 4.0, 1.0], device=pictures.device)
        k = (k[:, None] * k[None]) / 256.0
        blurred = F.conv2d(F.pad(crops, (2, 2, 2, 2), mode="reflect"), k[None, None])
        crops = torch.where(blur.to(pictures.device)[:, None, None, None], blurred, crops)
    return crops


class PainterGuide:
    """The classifiers and the index of the run's own folder among their classes.

    With several classifiers (the same classes, other seeds) the loss is their mean cross-entropy on the same
    crops: a pattern must then excite the own class in every one. A lone net of 0.1 M weights is excited by a
    glyph repeated over a wall, which the independent identifier does not call a painting
    (docs/research/painter_guide.md).
    """

    def __init__(self, nets: list[PainterNet], own: int, crops: int = 16,
                 views: list[list[np.ndarray]] | None = None) -> None:
        self.nets, self.own, self.crops = nets, own, crops
        self.views = views  # each class's grey views: what learning during the run draws its real patches from
        self.opt: torch.optim.Optimizer | None = None
        self.seed, self.updates = 0, 0  # where the real patches' stream is: a resumed run draws the same ones

    def to(self, device: torch.device) -> PainterGuide:
        for net in self.nets:
            net.to(device)
        return self

    def loss(self, rgb: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of random crops of NCHW RGB [0, 1] pictures against the own folder."""
        crops = random_crops(grey(rgb), self.crops)
        target = torch.full((crops.shape[0],), self.own, device=rgb.device)
        return torch.stack([F.cross_entropy(net(crops), target) for net in self.nets]).mean()

    def learn_during_run(self, lr: float, seed: int) -> None:
        """From here on the classifiers keep learning, with one class more: this run's own output. A mark that
        excites the own class only because no painting taught the net otherwise (a glyph stamped over a wall)
        then moves to that class, and the run has to find the marks its paintings have: a discriminator that
        knows the other painters. The new class's row starts at zero: no feature leans to it until it is learned."""
        if self.views is None:
            raise ValueError("learning during the run needs the classes' views")
        for net in self.nets:
            old = net.head
            net.head = nn.Linear(old.in_features, old.out_features + 1).to(old.weight.device)
            with torch.no_grad():
                net.head.weight.zero_()
                net.head.bias.zero_()
                net.head.weight[:-1] = old.weight
                net.head.bias[:-1] = old.bias
            net.head.requires_grad_(False)
        self.opt = torch.optim.Adam([p for net in self.nets for p in net.parameters()], lr)
        self.seed = seed

    def update(self, fake: torch.Tensor, per_class: int = 4) -> float:
        """One step of the classifiers on real patches of every class and crops of this run's output (detached).
        Under torchrun each rank's gradient is averaged, so every rank keeps the same classifiers."""
        if self.opt is None or self.views is None:
            raise RuntimeError("update() needs learn_during_run() first")
        device = fake.device
        rng = np.random.default_rng([self.seed, 7, self.updates])
        self.updates += 1
        real = np.concatenate([sample_patches(v, per_class, rng, True) for v in self.views])
        x = torch.cat([torch.from_numpy(real)[:, None].to(device), random_crops(grey(fake.detach()), per_class)])
        labels = torch.arange(len(self.views) + 1, device=device).repeat_interleave(per_class)
        params = [p for net in self.nets for p in net.parameters()]
        for p in params:
            p.requires_grad_(True)
        loss = torch.stack([F.cross_entropy(net(x), labels) for net in self.nets]).mean()
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if torch.distributed.is_available() and torch.distributed.is_initialized():
            for p in params:
                torch.distributed.all_reduce(p.grad)
                p.grad /= torch.distributed.get_world_size()
        self.opt.step()
        for p in params:
            p.requires_grad_(False)
        return float(loss.detach())

    def state_dict(self) -> dict:
        """What a resumed run needs of classifiers that learn during the run (frozen ones are rebuilt)."""
        if self.opt is None:
            return {}
        return {"nets": [net.state_dict() for net in self.nets], "opt": self.opt.state_dict(),
                "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        if self.opt is None or not state:
            return
        for net, saved in zip(self.nets, state["nets"], strict=True):
            net.load_state_dict(saved)
        self.opt.load_state_dict(state["opt"])
        self.updates = int(state.get("updates", 0))


def build_guide(own_images: list[np.ndarray], other_folders: list[list[np.ndarray]],
                photos: list[np.ndarray], key: str, cache_dir: Path | None, steps: int, seed: int,
                nets: int = 1) -> PainterGuide:
    """Class 0 is the run's own folder, then the other painters, then photos; `nets` classifiers with seeds
    `seed`, `seed + 1`, ... Each net is cached by `key` (the files, steps and seed) and its seed: every style
    built against the same folders trains it once."""
    others = [v for v in (grey_views(imgs, PAINTING_SCALES) for imgs in other_folders) if v]
    classes = [grey_views(own_images, PAINTING_SCALES), *others, grey_views(photos, PHOTO_SCALES)]
    if not classes[0] or not classes[-1]:
        raise ValueError(f"the paintings and the photos need a side of at least {PATCH} px")
    return PainterGuide([_cached_net(classes, key if k == 0 else f"{key}_s{seed + k}", cache_dir, steps, seed + k)
                         for k in range(nets)], 0, views=classes)


def _cached_net(classes: list[list[np.ndarray]], key: str, cache_dir: Path | None, steps: int,
                seed: int) -> PainterNet:
    path = cache_dir / f"painter_{key}.pt" if cache_dir else None
    if path is not None and path.exists():
        try:
            net = PainterNet(len(classes))
            net.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
            return freeze(net)
        except (RuntimeError, OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:  # a stale or damaged cache is retrained
            log.warning("painter classifier cache %s not used: %s", path, exc)
    net = train_painter_net(classes, steps, seed)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        torch.save(net.state_dict(), tmp)
        tmp.replace(path)
    return net
