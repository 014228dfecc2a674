"""The inpainter's game: fill a hole in a photo (python -m gan_core.training --task inpaint).

Only the hole is generated: the known pixels are pasted back before D looks, and D is told where the hole is
(it sees the mask as a fourth channel) and is charged only for the patches that see the hole (LaMa's masked
loss). The settings are the photo games' (gan_core.photos.game.TrainConfig); masks names the hole mix.
"""
import torch
import torch.nn.functional as F

from gan_core.core.images import to_tensor
from gan_core.core.weights import load_state
from gan_core.inpainting.masks import TRAINING_MASKS
from gan_core.inpainting.model import InpaintConfig, InpaintGenerator
from gan_core.photos.game import PhotoGame, Play, TrainConfig, psnr

__all__ = ["Game", "InpaintingGame", "TrainConfig", "WithHole"]


class WithHole:
    """A crop and a training hole of the run's mix: (image (3, H, W) in [-1, 1], mask (1, H, W), 1 in the hole).
    The hole is drawn from the crop's own random generator, after the crop."""

    def __init__(self, masks: str):
        if masks not in TRAINING_MASKS:
            raise ValueError(f"unknown training masks {masks!r}; choose one of: {', '.join(TRAINING_MASKS)}")
        self.masks = masks

    def __call__(self, crop, rng) -> tuple[torch.Tensor, torch.Tensor]:
        mask = TRAINING_MASKS[self.masks](*crop.shape[:2], rng)
        return to_tensor(crop).permute(2, 0, 1), torch.from_numpy(mask)[None]


class InpaintingGame(PhotoGame):
    d_in_channels = 4   # the image and the hole mask

    def pair(self) -> WithHole:
        return WithHole(self.cfg.masks)

    def generator(self) -> InpaintGenerator:
        cfg = self.cfg
        config = InpaintConfig(block=cfg.g_block, refine=cfg.g_refine, refine_known=cfg.g_refine_known,
                               refine_blocks=cfg.g_refine_blocks, flips=cfg.g_flips or 1)
        return InpaintGenerator(self.sized(config, "n_blocks"))

    def play(self, generator, batch) -> Play:
        real, hole = batch
        prediction = generator(real, hole)
        fake = prediction * hole + real * (1 - hole)  # known pixels are given, only the hole is generated
        return Play(real, fake, prediction, condition=hole, hole=hole)

    def fake_logits(self, logits: torch.Tensor, play: Play) -> torch.Tensor:
        """Only D's patches that see a hole pixel are fakes; the rest are real photo (LaMa's masked loss)."""
        return logits[F.adaptive_max_pool2d(play.hole, logits.shape[-2:]) > 0]

    def shown(self, play: Play, batch):
        result = play.prediction.float().clamp(-1, 1) * play.hole + play.real * (1 - play.hole)
        error = ((result - play.real) ** 2 * play.hole).sum() / (play.hole.sum() * 3)
        return play.real * (1 - play.hole) + play.hole, result, {"val_psnr_hole": psnr(error.item())}

    def start_from(self, trainer, path: str):
        """Start from shipped weights (G's EMA copy becomes G, EMA and the starting point).

        Weights without a refinement (or its blocks), or with fewer bottleneck blocks, may start a generator
        that has them: the new parts begin as the identity, so training starts from what the weights already do."""
        generator_state, discriminator_state, _ = load_state(path)
        blocks_given = {key.split(".")[1] for key in generator_state if key.startswith("blocks.")}
        grown = lambda key: key.startswith(("refine.", "refine_blocks.")) or (key.startswith("blocks.")  # noqa: E731
                                                          and key.split(".")[1] not in blocks_given)
        for module in (trainer.generator, trainer.generator_ema):
            try:
                missing, unexpected = module.load_state_dict(generator_state, strict=False)
            except RuntimeError as error:  # a tensor of another shape
                raise ValueError(f"{path} does not fit this generator: {error}") from None
            if unexpected or not all(map(grown, missing)):
                raise ValueError(f"{path} does not fit this generator: missing {missing}, unexpected {unexpected}")
        if discriminator_state:
            trainer.discriminator.load_state_dict(discriminator_state)


Game = InpaintingGame   # the name the training loop looks for (gan_core.training.train.TRAINERS)
