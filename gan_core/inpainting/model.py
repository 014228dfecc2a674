"""Generators and discriminators for inpainting and restoration.

Images are tensors in [-1, 1], shape (B, 3, H, W); masks are (B, 1, H, W) with 1 in the hole.

Three ideas make the inpainter fit a 2-core CPU (measured in docs/inpainting-on-the-cpu.md):
1. It starts from a cheap coarse fill (a push-pull pyramid, computed in torch) and learns a correction
   on top of it, with the last layer initialised to zero, so training starts at classical quality.
2. It works at a quarter resolution inside: pixel_unshuffle folds each 4x4 block of pixels into channels
   at the input and pixel_shuffle unfolds them at the output, so the costly layers see 16x fewer positions
   while the output can still carry full-resolution texture.
3. Its bottleneck blocks see the whole image at once through Fast Fourier Convolutions (LaMa, Suvorov
   et al. 2022), or a wide area through dilated convolutions (DeepFill v2, AOT-GAN); `block` chooses.
"""
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from gan_core.core.registry import register


# ----------------------------------------------------------------------------------------------------
# Building blocks


def push_pull_fill(image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Fill the hole smoothly from its surroundings with a push-pull pyramid (Gortler et al. 1996).

    Push: average the known pixels and their weights down a pyramid of halvings. Pull: from the
    coarsest level up, each level keeps what it knows and takes the rest from the level below:
    v_k = c_k + (1 - w_k) * upsample(v_{k+1}), with c_k the mean of known values and w_k the known fraction.
    Cost is a few percent of one convolution; any size works.
    """
    known = 1.0 - mask
    levels = [(image * known, known)]
    while min(levels[-1][1].shape[-2:]) > 1:
        color, weight = levels[-1]
        levels.append((F.avg_pool2d(color, 2, ceil_mode=True), F.avg_pool2d(weight, 2, ceil_mode=True)))
    color, weight = levels[-1]
    filled = color / weight.clamp_min(1e-6)
    for color, weight in reversed(levels[:-1]):
        coarse = F.interpolate(filled, size=color.shape[-2:], mode="bilinear", align_corners=False)
        filled = color + (1.0 - weight) * coarse
    return filled


class FourierUnit(nn.Module):
    """A 1x1 convolution in the frequency domain: every output pixel sees every input pixel (LaMa's FFC)."""

    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(2 * channels, 2 * channels, 1)

    def forward(self, x):
        height, width = x.shape[-2:]
        spectrum = torch.fft.rfft2(x.float(), norm="ortho")                  # (B, C, H, W/2+1) complex
        stacked = torch.cat([spectrum.real, spectrum.imag], dim=1)           # (B, 2C, H, W/2+1)
        stacked = F.relu(self.conv(stacked.to(x.dtype))).float()
        real, imag = stacked.chunk(2, dim=1)
        return torch.fft.irfft2(torch.complex(real, imag), s=(height, width), norm="ortho").to(x.dtype)


class FFCResBlock(nn.Module):
    """Residual block with a local 3x3 branch and a global Fourier branch, half the channels each."""

    def __init__(self, channels: int):
        super().__init__()
        half = channels // 2
        self.local = nn.Conv2d(channels, half, 3, padding=1, padding_mode="reflect")
        self.to_global = nn.Conv2d(channels, half, 1)
        self.fourier = FourierUnit(half)
        self.out = nn.Conv2d(2 * half, channels, 1)
        nn.init.zeros_(self.out.weight)  # each block starts as the identity
        nn.init.zeros_(self.out.bias)

    def forward(self, x):
        glob = F.relu(self.to_global(x))
        h = torch.cat([F.relu(self.local(x)), glob + self.fourier(glob)], dim=1)
        return x + self.out(h)


class DilatedResBlock(nn.Module):
    """Residual block of two 3x3 convolutions, the first dilated to widen the receptive field cheaply."""

    def __init__(self, channels: int, dilation: int):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=dilation, dilation=dilation, padding_mode="reflect")
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect")
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x):
        return x + self.conv2(F.leaky_relu(self.conv1(x), 0.2))


def conv_act(in_channels: int, out_channels: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride, 1, padding_mode="reflect"),
                         nn.LeakyReLU(0.2, inplace=True))


def conv_on_upsampled(x: torch.Tensor, skip: torch.Tensor, conv: nn.Conv2d) -> torch.Tensor:
    """conv(cat(nearest_upsample_2x(x), skip)) for a 3x3, stride-1, reflect-padded conv, without the upsampled
    tensor: the x part is one stride-2 transposed convolution at x's own resolution. Along each axis an even
    output pixel sees x at taps (i-1, i) with weights (w0, w1 + w2) and an odd one (i, i+1) with (w0 + w1, w2),
    which is the 4-tap kernel [w2, w1 + w2, w0 + w1, w0] scattered with stride 2: 16 taps per 4 outputs instead
    of 36, in one library call. Same result to rounding. Reflect padding of the upsampled tensor is replicate
    padding of x."""
    weight_x, weight_skip = conv.weight[:, :x.shape[1]], conv.weight[:, x.shape[1]:]
    out = F.conv2d(F.pad(skip, (1, 1, 1, 1), mode="reflect"), weight_skip, conv.bias)
    taps = lambda w, dim: torch.stack([w.select(dim, 2), w.select(dim, 1) + w.select(dim, 2),
                                       w.select(dim, 0) + w.select(dim, 1), w.select(dim, 0)], dim)
    kernel = taps(taps(weight_x, 2), 3).transpose(0, 1)   # (in, out, 4, 4), as conv_transpose2d takes it
    # padding 3 crops the scatter of the padded x to exactly the 2H x 2W outputs
    return out + F.conv_transpose2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), kernel, stride=2, padding=3)



# ----------------------------------------------------------------------------------------------------
# Inpainting generator


@dataclass
class InpaintConfig:
    fold: int = 4            # pixel_unshuffle factor: the network body runs at 1/fold resolution
    channels: int = 64       # width after the unshuffle; doubled at each downsampling
    n_down: int = 1          # stride-2 convolutions after the unshuffle: bottleneck at 1/(fold * 2^n_down)
    n_blocks: int = 6        # residual blocks in the bottleneck
    block: str = "ffc"       # "ffc" (global, Fourier) or "dilated" (dilations 2, 4, 8, ...)
    coarse_fill: bool = True  # feed a push-pull fill as 3 extra channels and predict a correction to it
    refine: int = 0          # width of a full-resolution 3x3 refinement after the pixel_shuffle (0 = none):
                             # it sees across the fold's 4x4 blocks, so G can keep texture without block seams
    refine_blocks: int = 0   # residual blocks inside the refinement (dilations 2, 4, ...; each starts as the identity):
                             # a wider full-resolution view, for holes that are thin everywhere (cracks)
    refine_known: bool = False  # the refinement sees the image's own pixels around the hole instead of the body's
                             # guess of them (trained on the hole only, the body's guess is 5-10 levels off there,
                             # which is most of what a 5x5 view of a thin crack sees); False: the models before it
    flips: int = 1           # at inference, the mean of the fills of the image and its mirror images (1, 2 or 4),
                             # or of all 8 symmetries of the square (8: the mirrors, each also transposed):
                             # a self-ensemble (EDSR+), N times the work, for models whose users can wait


# (flipped dims, transposed) of the square's 8 symmetries: the first 2 and 4 are the mirror images
SYMMETRIES = [((), False), ((3,), False), ((2,), False), ((2, 3), False),
              ((), True), ((3,), True), ((2,), True), ((2, 3), True)]


@register(InpaintConfig)
class InpaintGenerator(nn.Module):
    """Masked image + mask (+ coarse fill) -> filled image, any height and width.

    Layout (shapes for a 256x256 input, channels=48, n_down=2):
      cat(masked, mask, coarse)        (B, 7, 256, 256)
      pixel_unshuffle(2)               (B, 28, 128, 128)
      stem                             (B, 48, 128, 128)  -> skip 0
      down x2                          (B, 96, 64, 64) -> skip 1, (B, 192, 32, 32)
      n_blocks residual blocks         (B, 192, 32, 32)
      up x2 (nearest + conv, + skip)   (B, 96, 64, 64), (B, 48, 128, 128)
      head + pixel_shuffle(2)          (B, 3, 256, 256)   correction added to the coarse fill
      refine (if config.refine)        (B, 3, 256, 256)   3x3 convs on (fill, mask) at full resolution, residual
                                                          (refine_known: the fill is pasted into the image first;
                                                          refine_blocks: dilated residual blocks between the convs)
    """

    def __init__(self, config: InpaintConfig = InpaintConfig()):
        super().__init__()
        if config.block not in ("ffc", "dilated"):
            raise ValueError(f"block must be 'ffc' or 'dilated', not {config.block!r}")
        if config.flips not in (1, 2, 4, 8):
            raise ValueError(f"flips must be 1, 2, 4 or 8, not {config.flips!r}")
        self.config = config
        c = config.channels
        in_channels = config.fold**2 * (7 if config.coarse_fill else 4)
        self.stem = conv_act(in_channels, c)
        self.downs = nn.ModuleList(conv_act(c * 2**i, c * 2 ** (i + 1), stride=2) for i in range(config.n_down))
        width = c * 2**config.n_down
        if config.block == "ffc":
            blocks = [FFCResBlock(width) for _ in range(config.n_blocks)]
        else:
            blocks = [DilatedResBlock(width, 2 ** (1 + i % 3)) for i in range(config.n_blocks)]
        self.blocks = nn.Sequential(*blocks)
        self.ups = nn.ModuleList(conv_act(c * 2 ** (i + 1) + c * 2**i, c * 2**i) for i in reversed(range(config.n_down)))
        self.head = nn.Conv2d(c, 3 * config.fold**2, 3, padding=1, padding_mode="reflect")
        nn.init.zeros_(self.head.weight)  # start exactly at the coarse fill
        nn.init.zeros_(self.head.bias)
        self.refine = None
        if config.refine:  # zero last layer: a new refinement starts as the identity, so old weights still fill
            self.refine = nn.Sequential(conv_act(4, config.refine),
                                        nn.Conv2d(config.refine, 3, 3, padding=1, padding_mode="reflect"))
            nn.init.zeros_(self.refine[-1].weight)
            nn.init.zeros_(self.refine[-1].bias)
            self.refine_blocks = nn.Sequential(*[DilatedResBlock(config.refine, 2 ** (1 + i))
                                                 for i in range(config.refine_blocks)])

    @property
    def multiple(self) -> int:
        """Height and width are padded to a multiple of this inside forward."""
        return self.config.fold * 2**self.config.n_down

    def forward(self, image: torch.Tensor, mask: torch.Tensor, hole_only: bool = False) -> torch.Tensor:
        """Return the generator's full prediction; callers composite it with the known pixels.

        hole_only: run the full-resolution refinement only over the hole's bounding box, for callers that keep
        only hole pixels (inference). Those pixels come out the same; the rest stay unrefined. At 512 px the
        refinement is about a quarter of the work, and the box is usually a quarter of the crop or less.
        Out of training, with config.flips > 1, the prediction is the mean over the image and its mirror images
        (left-right, then up-down and both; with 8, each of the four also transposed), each turned back.
        """
        if self.training or self.config.flips == 1:
            return self.predict(image, mask, hole_only)
        total = 0
        for dims, transpose in SYMMETRIES[: self.config.flips]:
            turned_image, turned_mask = image.flip(dims), mask.flip(dims)
            if transpose:
                turned_image, turned_mask = turned_image.transpose(2, 3), turned_mask.transpose(2, 3)
            fill = self.predict(turned_image, turned_mask, hole_only)
            if transpose:
                fill = fill.transpose(2, 3)
            total = total + fill.flip(dims)
        return total / self.config.flips

    def predict(self, image: torch.Tensor, mask: torch.Tensor, hole_only: bool = False) -> torch.Tensor:
        """One pass of the network (see forward)."""
        height, width = image.shape[-2:]
        pad_h, pad_w = -height % self.multiple, -width % self.multiple
        masked = image * (1.0 - mask)
        if pad_h or pad_w:  # replicate, so padded pixels look like their neighbours; crop back at the end
            masked = F.pad(masked, (0, pad_w, 0, pad_h), mode="replicate")
            mask = F.pad(mask, (0, pad_w, 0, pad_h), mode="replicate")
        base = push_pull_fill(masked, mask) if self.config.coarse_fill else masked
        x = torch.cat([masked, mask, base], 1) if self.config.coarse_fill else torch.cat([masked, mask], 1)
        x = self.stem(F.pixel_unshuffle(x, self.config.fold))
        skips = [x]
        for down in self.downs:
            x = down(x)
            skips.append(x)
        x = self.blocks(skips.pop())
        for up in self.ups:
            skip = skips.pop()
            if skip.shape[-2:] == tuple(2 * n for n in x.shape[-2:]):
                x = up[1](conv_on_upsampled(x, skip, up[0]))   # the same numbers, without the 2x tensor
            else:
                x = F.interpolate(x, size=skip.shape[-2:], mode="nearest")
                x = up(torch.cat([x, skip], 1))
        out = base + F.pixel_shuffle(self.head(x), self.config.fold)
        if self.refine is not None:
            if self.config.refine_known:
                out = out * mask + masked * (1.0 - mask)
            out = out + self.refinement(out, mask, hole_only)
        return out[..., :height, :width]

    def refine_net(self, x: torch.Tensor) -> torch.Tensor:
        """First convolution, the blocks (if any), last convolution."""
        return self.refine[1](self.refine_blocks(self.refine[0](x)))

    def refinement(self, out: torch.Tensor, mask: torch.Tensor, hole_only: bool) -> torch.Tensor:
        """The refinement's residual; with hole_only, exact inside the hole's bounding box and 0 outside it."""
        if not hole_only:
            return self.refine_net(torch.cat([out, mask], 1))
        residual = torch.zeros_like(out)
        rows = (mask > 0).any(dim=3).any(dim=(0, 1)).nonzero()
        cols = (mask > 0).any(dim=2).any(dim=(0, 1)).nonzero()
        if len(rows) == 0:
            return residual
        top, bottom, left, right = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
        # the box's pixels see inputs up to `reach` px away (2 through the two 3x3 convolutions, more through
        # the blocks): crop that much wider where the image allows (at its edges the reflect padding is the same
        # as on the whole image)
        reach = 2 + sum(block.conv1.dilation[0] + 1 for block in self.refine_blocks)
        y0, x0 = max(0, top - reach), max(0, left - reach)
        y1, x1 = min(out.shape[-2], bottom + reach), min(out.shape[-1], right + reach)
        refined = self.refine_net(torch.cat([out[..., y0:y1, x0:x1], mask[..., y0:y1, x0:x1]], 1))
        residual[..., top:bottom, left:right] = refined[..., top - y0: bottom - y0, left - x0: right - x0]
        return residual


