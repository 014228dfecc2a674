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
import importlib

from .inference import inpaint, restore

# imported when first used, so `python -m gan_core.pix2pix` does not import its own module twice
_LAZY = {"generate": "sampling", "sketch_to_shoe": "pix2pix", "translate": "cyclegan"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'gan_core' has no attribute {name!r}")


__all__ = ["inpaint", "restore", "generate", "sketch_to_shoe", "translate"]
