"""gan_core: the GAN engine of the studio, pure PyTorch (no UI code).

    import gan_core
    filled = gan_core.inpaint(image, mask)            # PIL image out, same size as the input
    clean = gan_core.restore(image, task="denoise")   # or "sr2" / "sr4"
    wider = gan_core.extend(image, left=200, right=200)  # outpainting: a new border, filled
    slice_ = gan_core.mri_reconstruct(kspace, mask)    # undersampled MRI k-space -> magnitude image
    slice_ = gan_core.ct_reconstruct(sinogram, angles) # sparse-view CT sinogram -> slice
    samples = gan_core.generate("dcgan-fashion", n=64, seed=0)           # uint8 (n, 32, 32)
    shoe = gan_core.sketch_to_shoe(edges)                                # uint8 edges in, uint8 shoe out
    sneakers = gan_core.translate(sandals, direction="a2b")             # CycleGAN, uint8 (n, H, W)

The package is grouped by application over a small core; arrows point one way (core <- training <- photos
<- the applications <- eval), and the applications never import each other:
    core/         tasks, losses, metrics, image modes, upload checks, weights files and cards, paths, the one
                  model registry and cached loader, layers, device (device, bf16, threads)
    training/     the one training loop (python -m gan_core.training), run folders, recipes, games
    photos/       training photos: sources and containers, crops, degradations, classical methods
    inpainting/   the generator, masks, fill (gan_core.inpaint: any method, any image mode), outpaint, batch
    restoration/  the generator, restore (gan_core.restore: any method, any image mode)
    mri/          medical images: k-space, the MRI networks (one U-Net; the unrolled cascade), sparse-view CT,
                  slices and transfer views, the classical peers, DICOM and NIfTI
    learn/        DCGAN and generate, the classifier and its measures, pix2pix, CycleGAN, latent search, toy/
    eval/         measurement, apart from the library: evaluations and benchmarks (python -m gan_core.eval.*)
"""
import importlib

from gan_core.inpainting.fill import inpaint
from gan_core.inpainting.outpaint import extend
from gan_core.restoration.restore import restore

# imported when first used, so `python -m gan_core.learn.pix2pix` (or .mri) does not import its own module twice
_LAZY = {"generate": "learn.sampling", "sketch_to_shoe": "learn.pix2pix", "translate": "learn.cyclegan",
         "mri_reconstruct": "mri.recon", "ct_reconstruct": "mri.ct"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'gan_core' has no attribute {name!r}")


__all__ = ["inpaint", "restore", "extend", "mri_reconstruct", "ct_reconstruct", "generate", "sketch_to_shoe", "translate"]
