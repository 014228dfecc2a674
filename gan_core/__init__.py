"""gan_core: the GAN engine of the studio, pure PyTorch (no UI code).

    import gan_core
    filled = gan_core.inpaint(image, mask)            # PIL image out, same size as the input
    clean = gan_core.restore(image, task="denoise")   # or "sr2" / "sr4"
    wider = gan_core.extend(image, left=200, right=200)  # outpainting: a new border, filled
    slice_ = gan_core.mri_reconstruct(kspace, mask)    # undersampled MRI k-space -> magnitude image
    samples = gan_core.generate("dcgan-fashion", n=64, seed=0)           # uint8 (n, 32, 32)
    shoe = gan_core.sketch_to_shoe(edges)                                # uint8 edges in, uint8 shoe out
    sneakers = gan_core.translate(sandals, direction="a2b")             # CycleGAN, uint8 (n, H, W)

Modules, one idea each:
    tasks          the one registry: each task's scale, generator, game and classical methods
    models, dcgan  the generators and discriminators
    losses         the GAN games' losses, masked L1, SSIM, feature matching
    masks, data    training masks and user-mask clean-up; photo crops, degradations, Fashion-MNIST
    games          what each kind of model brings to training: batches, real and fake, reconstruction
    train          the one training loop (python -m gan_core.training)
    recipes        shipped models' training stages, replayed by python -m gan_core.training --recipe NAME
    weights        safetensors weights and their model cards
    inference      gan_core.inpaint and gan_core.restore on photos of any size
    image_modes    any photo mode in and out: unmasked values bit-exact in every channel
    outpaint       gan_core.extend: a new border around the photo, filled
    classical      the OpenCV and Pillow methods the GANs are measured against
    metrics        PSNR, SSIM, masked L1, the detail ratio, grain and speckle
    containers     readers for the bundles some Debian packages keep photos in (.rcc, .edj, .pk3, EXR)
    batch          folder-to-folder inpainting
    mri, mri_data, mri_train   compressed-sensing MRI: k-space, the reconstruction GAN, its slices, its training
    medical_io     DICOM and NIfTI volumes in, 16-bit slices out
    io_checks      upload checks
    latent_search  inpainting by searching the DCGAN's latent space
    toy, toy_targets, toy_render   the 2D GAN playground: the game, its targets and divergences, its picture
    classifier     a Fashion-MNIST classifier of our own: Frechet distance and class coverage of generators
    sampling       gan_core.generate: seeded samples of the DCGAN
    pix2pix        paired conditional GAN: edges of a shoe -> the shoe
    cyclegan       unpaired translation sandals <-> sneakers; toy_cycle: the cycle loss in 2D
    runs, measure_generators   run directories of the small trainers; FD and coverage along a run
    eval/          measurement, apart from the library: evaluations and benchmarks (python -m gan_core.eval.*)
"""
import importlib

from gan_core.inpainting.inference import inpaint, restore
from gan_core.inpainting.outpaint import extend

# imported when first used, so `python -m gan_core.learn.pix2pix` (or .mri) does not import its own module twice
_LAZY = {"generate": "learn.sampling", "sketch_to_shoe": "learn.pix2pix", "translate": "learn.cyclegan",
         "mri_reconstruct": "mri.recon"}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'gan_core' has no attribute {name!r}")


__all__ = ["inpaint", "restore", "extend", "mri_reconstruct", "generate", "sketch_to_shoe", "translate"]
