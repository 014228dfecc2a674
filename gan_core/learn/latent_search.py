"""Inpainting by searching a trained DCGAN's latent space (Yeh et al. 2017, "Semantic Image Inpainting with
Deep Generative Models"), on Fashion-MNIST.

The generator G was never trained to inpaint: it only maps noise z to a whole image. To fill a hole we look
for the z whose G(z) agrees with the known pixels, and take the hole from that G(z):

    z* = argmin_z  L_context(z) + lambda * L_prior(z)
    L_context(z) = sum_i W_i |G(z)_i - x_i| / sum_i W_i        (known pixels only, W = Yeh's importance weights)
    L_prior(z)   = log(1 - D(G(z)))                            (G's loss under D: keep G(z) looking real)

then fill = x outside the hole and G(z*) inside, blended so the seam does not show. z starts from several
random points (restarts, searched together as one batch), Adam moves each, and after every step each z is
put back on the sphere |z| = sqrt(noise_dim), where almost all of G's training noise N(0, I) lies (Yeh
clipped z to [-1, 1] instead because their noise was uniform). The restart with the lowest context loss wins.

Why the studio's conditional inpainter is the better tool, and this one is in the Learn tab: a conditional
inpainter is trained to fill holes directly, so it fills one in a single forward pass and sees the known
pixels at full resolution. Latent search costs hundreds of forward and backward passes of G and D per image
(steps x restarts), and it can only return images G can produce: if the picture is not in G's range (a
garment G never learnt, a detail finer than G renders), no z matches the context and the fill is the
nearest thing G knows, not the missing part. It is the point of the demo: a GAN's latent space holds
plausible images, and searching it is slow.
"""
import contextlib
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from gan_core.photos import data as data_lib
from gan_core.core import losses
from gan_core.learn.dcgan import project_to_sphere

BLENDS = ("poisson", "paste")


@dataclass
class LatentSearchConfig:
    steps: int = 200              # Adam steps on z; the context loss has mostly settled by 100
    lr: float = 0.1               # Adam's learning rate on z (each z has norm sqrt(100) = 10)
    restarts: int = 8             # random starting z per image, searched together; the best one is kept
    prior_weight: float = 0.003   # lambda; Yeh et al. used 0.003. 0 = context only, no discriminator needed
    prior_loss: str = "minimax"   # G's loss under D (losses.GAN_LOSSES); "minimax" = log(1 - D(G(z))) as in Yeh
    window: int = 7               # side of the window for the importance weights (Yeh: 7); 0 = all known pixels alike
    blend: str = "poisson"        # "poisson": match G's hole to the seam (Yeh); "paste": copy it in as it is
    callback_every: int = 10      # call the callback every this many steps (and after the last)
    seed: int = 0                 # for the starting z, so a search can be repeated

    def __post_init__(self):
        problems = []
        if not (isinstance(self.steps, int) and self.steps >= 1):
            problems.append(f"steps must be an integer >= 1, got {self.steps!r}")
        if not self.lr > 0:
            problems.append(f"lr must be > 0, got {self.lr!r}")
        if not (isinstance(self.restarts, int) and self.restarts >= 1):
            problems.append(f"restarts must be an integer >= 1, got {self.restarts!r}")
        if not self.prior_weight >= 0:
            problems.append(f"prior_weight must be >= 0, got {self.prior_weight!r}")
        if self.prior_loss not in losses.GAN_LOSSES:
            problems.append(f"prior_loss must be one of {losses.GAN_LOSSES}, got {self.prior_loss!r}")
        if not (isinstance(self.window, int) and self.window >= 0 and (self.window == 0 or self.window % 2 == 1)):
            problems.append(f"window must be 0 or an odd integer >= 1 (the window is centred on a pixel), got {self.window!r}")
        if self.blend not in BLENDS:
            problems.append(f"blend must be one of {BLENDS}, got {self.blend!r}")
        if not (isinstance(self.callback_every, int) and self.callback_every >= 1):
            problems.append(f"callback_every must be an integer >= 1, got {self.callback_every!r}")
        if problems:
            raise ValueError("invalid LatentSearchConfig: " + "; ".join(problems))


@dataclass
class LatentResult:
    filled: torch.Tensor          # (C, H, W) in [-1, 1]: known pixels of the image, the hole from G(z)
    generated: torch.Tensor       # (C, H, W): G(z) of the best restart, the whole image as G made it
    z: torch.Tensor               # (noise_dim,): the best restart's latent vector
    history: list[dict] = field(default_factory=list)  # per step: best context loss, its prior loss


# ----------------------------------------------------------------------------------------------------
# The pieces of the objective


def importance_weights(mask: torch.Tensor, window: int) -> torch.Tensor:
    """Yeh's W: a known pixel weighs the fraction of hole pixels in the window around it; hole pixels 0.

    Known pixels next to the hole say most about what belongs in it; ones far away (W = 0) are ignored,
    so a z is not chosen for matching a far corner. window=0 gives every known pixel weight 1.
    mask: (B, 1, H, W), 1 = hole.
    """
    known = 1.0 - mask
    if window == 0:
        return known
    hole_share = F.avg_pool2d(mask, window, stride=1, padding=window // 2, count_include_pad=False)
    return known * hole_share


def context_loss(generated: torch.Tensor, image: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """Weighted mean L1 over the known pixels, one number per image: (B, C, H, W) -> (B,)."""
    weighted = (weights * (generated - image).abs()).flatten(1).sum(1)
    return weighted / (weights.flatten(1).sum(1) * image.shape[1])


def prior_loss(discriminator, generated: torch.Tensor, kind: str) -> torch.Tensor:
    """G's adversarial loss under D, one number per image: (B, C, H, W) -> (B,).

    losses.g_loss averages over its batch; vmap applies it to each logit on its own.
    """
    logits, _ = discriminator(generated)  # (B,)
    return torch.vmap(lambda logit: losses.g_loss(kind, logit))(logits[:, None])


# ----------------------------------------------------------------------------------------------------
# Blending the generated hole into the image


def paste(image: torch.Tensor, generated: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Known pixels from the image, hole pixels from G(z)."""
    return image * (1 - mask) + generated * mask


def poisson_blend(image: torch.Tensor, generated: torch.Tensor, mask: torch.Tensor, iterations: int = 300) -> torch.Tensor:
    """Poisson blending (Perez et al. 2003) with G(z)'s gradients as the guide, as Yeh et al. did.

    The result inside the hole is G(z) + h, where h is the smooth (harmonic) correction that equals the
    image minus G(z) on the known pixels: G's texture is kept and its brightness is bent to meet the seam.
    h is found by Jacobi iterations (each hole pixel becomes the mean of its 4 neighbours), cheap at 32x32.
    Known pixels are returned exactly as they were. Shapes (B, C, H, W), mask (B, 1, H, W).
    """
    kernel = torch.tensor([[0.0, 0.25, 0.0], [0.25, 0.0, 0.25], [0.0, 0.25, 0.0]], device=image.device)
    kernel = kernel.expand(image.shape[1], 1, 3, 3)
    difference = image - generated  # the correction h must take on the known pixels
    h = difference * (1 - mask)
    for _ in range(iterations):  # replicate padding: no change across the image border (Neumann boundary)
        neighbours = F.conv2d(F.pad(h, (1, 1, 1, 1), mode="replicate"), kernel, groups=image.shape[1])
        h = torch.where(mask > 0, neighbours, difference)
    return paste(image, (generated + h).clamp(-1, 1), mask)


def blend(image: torch.Tensor, generated: torch.Tensor, mask: torch.Tensor, kind: str) -> torch.Tensor:
    return poisson_blend(image, generated, mask) if kind == "poisson" else paste(image, generated, mask)


def mean_image_fill(image: torch.Tensor, mask: torch.Tensor, mean_image: torch.Tensor) -> torch.Tensor:
    """The baseline: fill the hole with the mean training image (a grey ghost of all garments)."""
    return paste(image, mean_image.to(image), mask)


# ----------------------------------------------------------------------------------------------------
# The search


@contextlib.contextmanager
def frozen(*modules):
    """Eval mode (batch norm uses its running statistics, so restarts do not affect each other) and no
    parameter gradients, for the duration of a search; the modules' previous state is restored after."""
    modules = [m for m in modules if m is not None]
    states = [(m.training, [p.requires_grad for p in m.parameters()]) for m in modules]
    for m in modules:
        m.eval().requires_grad_(False)
    try:
        yield
    finally:
        for m, (training, flags) in zip(modules, states):
            m.train(training)
            for p, flag in zip(m.parameters(), flags):
                p.requires_grad_(flag)


def check_inputs(images: torch.Tensor, masks: torch.Tensor, generator) -> None:
    if images.dim() != 4 or masks.dim() != 4 or masks.shape[1] != 1:
        raise ValueError(f"expected images (B, C, H, W) and masks (B, 1, H, W), got {tuple(images.shape)} "
                         f"and {tuple(masks.shape)}")
    if images.shape[0] != masks.shape[0] or images.shape[-2:] != masks.shape[-2:]:
        raise ValueError(f"images {tuple(images.shape)} and masks {tuple(masks.shape)} do not match")
    with torch.no_grad():
        out_shape = generator(torch.zeros(1, generator.config.noise_dim, device=images.device)).shape[1:]
    if tuple(images.shape[1:]) != tuple(out_shape):
        raise ValueError(f"images are {tuple(images.shape[1:])} but the generator makes {tuple(out_shape)}")
    holes = masks.flatten(1).sum(1)
    if (holes == 0).any():
        raise ValueError("a mask has no hole pixels: there is nothing to fill")
    if (holes == masks[0].numel()).any():
        raise ValueError("a mask covers the whole image: no known pixels to match")


def search(generator, discriminator, images: torch.Tensor, masks: torch.Tensor, config: LatentSearchConfig,
           callback: Callable | None = None):
    """Latent search for a batch of images at once: images (B, C, H, W) in [-1, 1], masks (B, 1, H, W).

    Every image gets config.restarts starting z, so G and D run on B * restarts samples per step; the
    objective is a sum over them, so each z gets the gradient of its own loss only.
    Returns (filled, generated, z, history) for the best restart of each image: (B, C, H, W) x 2, (B, nz).
    callback(step, best filled image of the first item (C, H, W), its context loss) runs every
    config.callback_every steps.
    """
    if config.prior_weight > 0 and discriminator is None:
        raise ValueError("prior_weight > 0 needs the discriminator; pass it, or set prior_weight=0")
    device = images.device
    masks = (masks > 0.5).float()  # 1 = hole
    with frozen(generator):
        check_inputs(images, masks, generator)
    batch, restarts, noise_dim = images.shape[0], config.restarts, generator.config.noise_dim
    # every image repeated once per restart: row b * restarts + r is restart r of image b
    image_r = images.repeat_interleave(restarts, 0)                    # (B*R, C, H, W)
    mask_r = masks.repeat_interleave(restarts, 0)                      # (B*R, 1, H, W)
    weights = importance_weights(mask_r, config.window)                # (B*R, 1, H, W)

    seed = torch.Generator().manual_seed(config.seed)
    z = project_to_sphere(torch.randn(batch * restarts, noise_dim, generator=seed)).to(device).requires_grad_(True)
    optimiser = torch.optim.Adam([z], lr=config.lr)
    history = []

    def best_of(context):  # index into the B*R rows of each image's best restart
        return context.view(batch, restarts).argmin(1) + torch.arange(batch, device=device) * restarts

    with frozen(generator, discriminator):
        for step in range(1, config.steps + 1):
            generated = generator(z)                                   # (B*R, C, H, W)
            context = context_loss(generated, image_r, weights)        # (B*R,)
            objective = context
            prior = torch.zeros_like(context)
            if config.prior_weight > 0:
                prior = prior_loss(discriminator, generated, config.prior_loss)
                objective = context + config.prior_weight * prior
            optimiser.zero_grad(set_to_none=True)
            objective.sum().backward()  # a sum, not a mean: each z's step must not shrink with the batch
            optimiser.step()
            with torch.no_grad():
                z.copy_(project_to_sphere(z))
            # the losses of the z before this step, which is what `generated` shows
            best = best_of(context.detach())
            history.append({"step": step, "context": context.detach()[best].mean().item(),
                            "prior": prior.detach()[best].mean().item()})
            if callback is not None and (step % config.callback_every == 0 or step == config.steps):
                with torch.no_grad():
                    shown = blend(images[:1], generated[best[:1]].detach(), masks[:1], config.blend)
                callback(step, shown[0].cpu(), context[best[0]].item())

        with torch.no_grad():  # the z after the last step, judged once more
            generated = generator(z)
            best = best_of(context_loss(generated, image_r, weights))
            generated = generated[best].clamp(-1, 1)
            filled = blend(images, generated, masks, config.blend)
    return filled, generated, z.detach()[best], history


def latent_inpaint(generator, discriminator, image: torch.Tensor, mask: torch.Tensor,
                   config: LatentSearchConfig = LatentSearchConfig(), callback: Callable | None = None) -> LatentResult:
    """Fill the hole of one image by latent search.

    image: (C, H, W) in [-1, 1] (1 x 32 x 32 for the Fashion-MNIST DCGAN); mask: (1, H, W) or (H, W),
    1 = hole. discriminator may be None when config.prior_weight == 0.
    callback(step, best_so_far (C, H, W) filled image, its context loss) runs every config.callback_every
    steps, so a UI can show the search as it goes.
    """
    if image.dim() != 3:
        raise ValueError(f"expected one image (C, H, W), got shape {tuple(image.shape)}")
    if mask.dim() == 2:
        mask = mask[None]
    device = next(generator.parameters()).device
    filled, generated, z, history = search(generator, discriminator, image[None].float().to(device),
                                           mask[None].float().to(device), config, callback)
    return LatentResult(filled[0].cpu(), generated[0].cpu(), z[0].cpu(), history)


# ----------------------------------------------------------------------------------------------------
# Holes, the error over them, and the Fashion-MNIST items to fill


def square_holes(n: int, side: int, rng: np.random.Generator, min_hole: int = 10, max_hole: int = 16,
                 border: int = 2) -> torch.Tensor:
    """(n, 1, side, side) masks, each one square of min_hole..max_hole px inside the garment area.

    The 2 px border that pads Fashion-MNIST's 28 px to 32 is always black, so a hole there would be free.
    """
    masks = torch.zeros(n, 1, side, side)
    for i in range(n):
        hole = int(rng.integers(min_hole, max_hole + 1))
        top, left = rng.integers(border, side - border - hole + 1, size=2)
        masks[i, :, top:top + hole, left:left + hole] = 1.0
    return masks


def hole_l1(result: torch.Tensor, original: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Mean |result - original| over each item's hole pixels, on the 0-1 scale: (B,)."""
    error = ((result - original).abs() * masks).flatten(1).sum(1) / (masks.flatten(1).sum(1) * original.shape[1])
    return error / 2.0  # images are in [-1, 1]


_fashion_cache: dict = {}


def latent_data() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(test images (N, 1, 32, 32), their labels (N,), mean training image (1, 32, 32)), read once."""
    if not _fashion_cache:
        test_images, labels = data_lib.fashion_mnist("test")
        train_images, _ = data_lib.fashion_mnist("train")
        _fashion_cache.update(images=test_images, labels=labels, mean=train_images.mean(0))
    return _fashion_cache["images"], _fashion_cache["labels"], _fashion_cache["mean"]


def latent_mask(seed: int | None = None, painted: np.ndarray | None = None, side: int = 32) -> torch.Tensor:
    """(1, side, side) hole, 1 = fill: the seeded square of square_holes, or a painted HxW mask of any size.

    A painted mask is shrunk by area, so any pixel a stroke touched is in the hole.
    """
    if painted is None:
        return square_holes(1, side, np.random.default_rng(seed))[0]
    small = Image.fromarray(np.asarray(painted, bool).astype(np.uint8) * 255).resize((side, side), Image.BOX)
    hole = np.asarray(small) > 0
    if not hole.any():
        raise ValueError("the painted hole is empty: paint over part of the garment first")
    return torch.from_numpy(hole.astype(np.float32))[None]
