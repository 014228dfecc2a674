"""gan_core: the GAN engine of the studio, pure PyTorch (no UI code).

    import gan_core
    filled = gan_core.inpaint(image, mask)            # PIL image out, same size as the input
    clean = gan_core.restore(image, task="denoise")   # or "sr2" / "sr4"
    samples = gan_core.generate("dcgan-fashion", n=64, seed=0)           # uint8 (n, 32, 32)
    shoe = gan_core.sketch_to_shoe(edges)                                # uint8 edges in, uint8 shoe out
    sneakers = gan_core.translate(sandals, direction="a2b")             # CycleGAN, uint8 (n, H, W)

Modules, one idea each: models (generators, discriminator), dcgan, losses, masks, data, train,
inference, weights, classical (OpenCV baselines), evaluate, bench, toy (2D playground), batch,
classifier (Fashion-MNIST: Fréchet distance, class coverage), sampling, pix2pix, cyclegan,
toy_cycle (the cycle in 2D), runs (run directories of the small trainers).
"""
from .cyclegan import translate
from .inference import inpaint, restore
from .pix2pix import sketch_to_shoe
from .sampling import generate

__all__ = ["inpaint", "restore", "generate", "sketch_to_shoe", "translate"]
