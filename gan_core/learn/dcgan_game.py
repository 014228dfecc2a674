"""The classic DCGAN's game on Fashion-MNIST (python -m gan_core.training --task dcgan; recipes/dcgan_fashion.py).

Noise in, an image out, judged by D alone. Nothing is reconstructed, and a fake has no matching real image, so
there is no feature matching either. Every sample grid also measures the Fréchet distance and class coverage of
5,000 samples with the shipped classifier (gan_core.learn.measure_generators): the log then holds the curve the
Learn tab draws along training, and export ships that log and the grids beside the weights.
"""
import torch
import torchvision.utils as vutils

from gan_core.learn.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_core.learn.measure_generators import measure_generator
from gan_core.photos.data import fashion_mnist
from gan_core.photos.game import AdversarialGame, Play, TrainConfig

__all__ = ["DCGANGame", "Game", "TrainConfig"]


class DCGANGame(AdversarialGame):
    feature_matching = False
    ships_story = True        # the run's log and sample grids go beside the exported weights
    measured_samples = 5000   # FD and coverage at each sample grid on this many samples (as the Done-when counts)

    def __init__(self, cfg: TrainConfig):
        super().__init__(cfg)
        self.config = DCGANConfig()
        self.fixed_noise = torch.randn(64, self.config.noise_dim, generator=torch.Generator().manual_seed(1234))

    def generator(self) -> DCGANGenerator:
        return DCGANGenerator(self.config)

    def discriminator(self) -> DCGANDiscriminator:
        return DCGANDiscriminator(self.config)

    def dataset(self) -> torch.utils.data.TensorDataset:
        return torch.utils.data.TensorDataset(fashion_mnist("train")[0])

    def data_card(self) -> dict:
        return {"source": "Fashion-MNIST train split (Debian package dataset-fashion-mnist)", "images": 60000}

    def play(self, generator, batch) -> Play:
        (real,) = batch
        noise = torch.randn(real.shape[0], self.config.noise_dim, device=real.device)
        return Play(real, generator(noise), None)

    def judge(self, critic, play: Play):
        """DCGAN's D has batch norm: in a batch of real and fake together it tells them apart by the batch
        statistics, and then misjudges the all-fake batch of step (2). Two batches, as in the PyTorch
        example, so D sees the same kind of batch in (1) and (2)."""
        outputs = [critic(play.real), critic(play.fake.detach())]
        logits = torch.cat([o[0] for o in outputs])
        features = [torch.cat(fs) for fs in zip(*[o[1] for o in outputs])]
        return logits, features

    def reconstruction(self, play: Play) -> tuple[torch.Tensor, dict]:
        return torch.zeros((), device=play.real.device), {}

    @torch.no_grad()
    def sample(self, trainer, step: int) -> dict:
        """The grid of the fixed noise, and the classifier's FD and class coverage on 5,000 samples (without a
        classifier: the grid only)."""
        generator = trainer.generator_ema
        noise = self.fixed_noise.to(trainer.device)
        vutils.save_image(generator(noise), self.grid_path(step), nrow=8, normalize=True, value_range=(-1, 1))
        try:
            return measure_generator(generator, self.measured_samples)
        except FileNotFoundError:    # weights/fashion-classifier is not there (tests, a bare checkout)
            return {}


Game = DCGANGame   # the name the training loop looks for (gan_core.training.train.TRAINERS)
