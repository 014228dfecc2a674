"""gan_core: the GAN engine of the studio, pure PyTorch (no UI code).

    import gan_core
    filled = gan_core.inpaint(image, mask)            # PIL image out, same size as the input
    clean = gan_core.restore(image, task="denoise")   # or "sr2" / "sr4"
    slice_ = gan_core.mri_reconstruct(kspace, mask)    # undersampled MRI k-space -> magnitude image

Modules, one idea each: models (generators, discriminator), dcgan, losses, masks, data, train,
inference, weights, classical (OpenCV baselines), evaluate, bench, toy (2D playground), batch,
mri (+ mri_data, mri_train: compressed-sensing MRI), medical_io (DICOM and NIfTI).
"""
from .inference import inpaint, restore

__all__ = ["inpaint", "restore", "mri_reconstruct"]


def __getattr__(name):
    """gan_core.mri_reconstruct, imported on first use: `python -m gan_core.mri` must not find it imported."""
    if name == "mri_reconstruct":
        from .mri import mri_reconstruct
        return mri_reconstruct
    raise AttributeError(f"module 'gan_core' has no attribute {name!r}")
