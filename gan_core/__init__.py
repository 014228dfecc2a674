"""gan_core: the GAN engine of the studio, pure PyTorch (no UI code).

    import gan_core
    filled = gan_core.inpaint(image, mask)            # PIL image out, same size as the input
    clean = gan_core.restore(image, task="denoise")   # or "sr2" / "sr4"
    wider = gan_core.extend(image, left=200, right=200)  # outpainting: a new border, filled

Modules, one idea each: models (generators, discriminator), dcgan, losses, masks, data, train,
inference, image_modes (any photo mode in and out), outpaint, weights, classical (OpenCV baselines), evaluate, bench, toy (2D playground), batch.
"""
from .inference import inpaint, restore
from .outpaint import extend

__all__ = ["inpaint", "restore", "extend"]
