"""GAN and reconstruction losses, all computed from logits for numerical stability.

Notation: D(x) = sigmoid(d_real) is the critic's probability that x is real, d_real / d_fake are its
raw logits on real and generated samples. The original game (Goodfellow et al. 2014) is

    min_G max_D V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))]

and every loss below is a function of the logits, written so that minimising it is what the player wants.
log(sigmoid(t)) = -softplus(-t) and log(1 - sigmoid(t)) = -softplus(t), which never overflow.
"""
import math

import torch
import torch.nn.functional as F

GAN_LOSSES = ("minimax", "nonsaturating", "hinge", "lsgan", "wgan")


def d_loss_minimax(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """D maximises V: loss = -(E[log D(x)] + E[log(1 - D(G(z)))]) (binary cross-entropy)."""
    return F.softplus(-d_real).mean() + F.softplus(d_fake).mean()


def g_loss_minimax(d_fake: torch.Tensor) -> torch.Tensor:
    """G minimises V as written: loss = E[log(1 - D(G(z)))]; its gradient vanishes when D wins."""
    return -F.softplus(d_fake).mean()


def g_loss_nonsaturating(d_fake: torch.Tensor) -> torch.Tensor:
    """G maximises log D(G(z)) instead: loss = -E[log D(G(z))]; strong gradients early in training."""
    return F.softplus(-d_fake).mean()


def d_loss_hinge(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Hinge critic: loss = E[relu(1 - D(x))] + E[relu(1 + D(G(z)))] on logits (Lim & Ye 2017)."""
    return F.relu(1.0 - d_real).mean() + F.relu(1.0 + d_fake).mean()


def g_loss_hinge(d_fake: torch.Tensor) -> torch.Tensor:
    """Generator side of the hinge game: loss = -E[D(G(z))] on logits."""
    return -d_fake.mean()


def d_loss_lsgan(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Least squares (Mao et al. 2017): loss = E[(D(x) - 1)^2] + E[D(G(z))^2] on raw outputs."""
    return ((d_real - 1.0) ** 2).mean() + (d_fake**2).mean()


def g_loss_lsgan(d_fake: torch.Tensor) -> torch.Tensor:
    """Least squares generator: loss = E[(D(G(z)) - 1)^2]."""
    return ((d_fake - 1.0) ** 2).mean()


def d_loss_wgan(d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """Wasserstein critic (Arjovsky et al. 2017): loss = E[D(G(z))] - E[D(x)]; pair with a gradient penalty."""
    return d_fake.mean() - d_real.mean()


def g_loss_wgan(d_fake: torch.Tensor) -> torch.Tensor:
    """Wasserstein generator: loss = -E[D(G(z))]."""
    return -d_fake.mean()


_D_LOSSES = {"minimax": d_loss_minimax, "nonsaturating": d_loss_minimax, "hinge": d_loss_hinge,
             "lsgan": d_loss_lsgan, "wgan": d_loss_wgan}
_G_LOSSES = {"minimax": g_loss_minimax, "nonsaturating": g_loss_nonsaturating, "hinge": g_loss_hinge,
             "lsgan": g_loss_lsgan, "wgan": g_loss_wgan}


def d_loss(kind: str, d_real: torch.Tensor, d_fake: torch.Tensor) -> torch.Tensor:
    """The critic's loss for a named game (one of GAN_LOSSES)."""
    if kind not in _D_LOSSES:
        raise ValueError(f"unknown GAN loss {kind!r}; choose one of {GAN_LOSSES}")
    return _D_LOSSES[kind](d_real, d_fake)


def g_loss(kind: str, d_fake: torch.Tensor) -> torch.Tensor:
    """The generator's loss for a named game (one of GAN_LOSSES)."""
    if kind not in _G_LOSSES:
        raise ValueError(f"unknown GAN loss {kind!r}; choose one of {GAN_LOSSES}")
    return _G_LOSSES[kind](d_fake)


def masked_l1(fake: torch.Tensor, real: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """loss = sum(mask * |G(z) - x|) / (sum(mask) * channels): the mean absolute error over the hole's pixels
    and channels, so its weight means the same for small and large holes. Without a mask: over every pixel."""
    diff = (fake - real).abs()
    if mask is None:
        return diff.mean()
    return (diff * mask).sum() / (mask.sum() * real.shape[1]).clamp_min(1)


def ssim_loss(fake: torch.Tensor, real: torch.Tensor, mask: torch.Tensor | None = None,
              window: int = 7) -> torch.Tensor:
    """loss = 1 - mean SSIM (7x7 windows, as the evaluation), over every window that sees a masked pixel.

    Unlike L1 it pays for matching local contrast where the structure is known (sharp edges) and charges
    for texture that does not line up with the photo, so it steers the adversarial term's detail. Windows
    centred up to 3 pixels outside the hole count too: they straddle the seam, where the fill must continue
    the photo, and the evaluation's whole-image SSIM counts them (that is where the GAN lost most to NS).
    """
    from torchmetrics.functional.image import structural_similarity_index_measure  # here: importing takes ~3 s
    _, ssim_map = structural_similarity_index_measure(fake, real, gaussian_kernel=False, kernel_size=window,
                                                      data_range=2.0, reduction="none", return_full_image=True)
    if mask is None:
        return 1.0 - ssim_map.mean()
    seen = F.max_pool2d(mask, window, stride=1, padding=window // 2)  # windows holding at least one hole pixel
    weight = seen.expand_as(ssim_map)
    return 1.0 - (ssim_map * weight).sum() / weight.sum().clamp_min(1)


# RGB in [-1, 1] -> Y, Cr, Cb in 8-bit levels (BT.601, as OpenCV's RGB2YCrCb that metrics.grain uses)
YCRCB = torch.tensor([[0.299, 0.587, 0.114], [0.5, -0.4187, -0.0813], [-0.1687, -0.3313, 0.5]]) * 127.5


def fine_energy(image: torch.Tensor, sigma: float = 1.5, channels: int = 3) -> torch.Tensor:
    """(B, 3, H, W) RGB in [-1, 1] -> (B, 1, H, W): sum over Y, Cr, Cb (the first `channels` of them) of
    |channel - its Gaussian blur|, in levels."""
    ycrcb = torch.einsum("ck,bkhw->bchw", YCRCB[:channels].to(image), image)
    return (ycrcb - gaussian_blur(ycrcb, sigma)).abs().sum(1, keepdim=True)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """torchvision's Gaussian blur with a kernel of 2 * ceil(3 sigma) + 1 taps (reflect padding)."""
    import torchvision.transforms.functional as TF
    size = 2 * math.ceil(3 * sigma) + 1
    return TF.gaussian_blur(x, [size, size], [sigma, sigma])


def grain_loss(fake: torch.Tensor, real: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """loss = mean over the calmer half of each hole of max(0, fine energy of the fill - the photo's), in levels.

    The training form of metrics.grain: the adversarial term rewards texture everywhere, and on a wall, the
    sky or skin that texture is dots and mottling. This charges only for fine energy the photo does not have,
    and only where the photo is calm (its fine energy, blurred with sigma 3, below the hole's median), so
    texture that belongs to grass or bark is left to the adversarial term.
    """
    photo, fill = fine_energy(real), fine_energy(fake)
    weight = hole_half(photo, mask, calm=True)
    excess = (fill - photo.detach()).clamp_min(0)
    return (excess * weight).sum() / weight.sum().clamp_min(1)


def detail_loss(fake: torch.Tensor, real: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """loss = mean over the busier half of each hole of max(0, the photo's local fine luminance energy - the
    fill's), in levels.

    grain_loss's twin: where the photo has texture (grass, bark, hair) a fill without it is a smear. The
    energies are averaged locally (Gaussian, sigma 3), so the texture must be there but need not line up pixel
    for pixel, which is all that L1 and SSIM can reward; what it looks like is left to the adversarial term.
    """
    photo, fill = fine_energy(real, channels=1), fine_energy(fake, channels=1)
    weight = hole_half(fine_energy(real), mask, calm=False)
    deficit = (gaussian_blur(photo, 3.0).detach() - gaussian_blur(fill, 3.0)).clamp_min(0)
    return (deficit * weight).sum() / weight.sum().clamp_min(1)


def hole_half(photo_energy: torch.Tensor, mask: torch.Tensor, calm: bool) -> torch.Tensor:
    """(B, 1, H, W) 0/1: the calmer (or the busier) half of each image's hole, by the photo's fine energy
    blurred with sigma 3. The median is per image: what is calm depends on the photo."""
    calmness = gaussian_blur(photo_energy, 3.0)
    hole = mask > 0.5
    halves = []
    for calm_b, hole_b in zip(calmness, hole):
        values = calm_b[hole_b]
        threshold = values.median() if values.numel() else calm_b.new_tensor(0.0)
        halves.append((hole_b & ((calm_b <= threshold) if calm else (calm_b > threshold))).float())
    return torch.stack(halves)


def feature_matching(fake_features: list[torch.Tensor], real_features: list[torch.Tensor]) -> torch.Tensor:
    """loss = mean over layers l of |D_l(G(z)) - D_l(x)|_1, real features detached (Salimans 2016, pix2pixHD)."""
    if not fake_features:
        raise ValueError("feature matching needs at least one layer of features")
    losses = [F.l1_loss(f, r.detach()) for f, r in zip(fake_features, real_features)]
    return torch.stack(losses).mean()


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN-GP (Gulrajani et al. 2017): loss = E[(|grad D(x_hat)|_2 - 1)^2], x_hat on lines real-fake."""
    alpha = torch.rand(real.shape[0], *([1] * (real.dim() - 1)), device=real.device)
    x_hat = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    (grad,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
    return (grad.flatten(1).norm(dim=1) - 1.0).pow(2).mean()
