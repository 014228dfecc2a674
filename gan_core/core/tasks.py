"""The one list of what the studio does: each task, its scale, its generator and the classical methods it is
measured against, with the one name and the one label of each method.

Training, inference, evaluation, the benchmarks and the UI all read this table, so a task or a method is
added here once. Names are what code, command lines and the API take; labels are what a person reads.
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    name: str    # the name code, command lines and the API use: "telea", "ns", "nlmeans", ...
    label: str   # the name a person reads: "Telea", "Navier-Stokes", "Non-local means", ...
    min_side: int = 1   # the smallest photo side, in pixels, the method can work on


GAN = Method("gan", "GAN", min_side=32)     # the generator's convolutions need this much image
TELEA = Method("telea", "Telea")
NAVIER_STOKES = Method("ns", "Navier-Stokes")
FSR = Method("fsr", "FSR")                  # frequency-selective reconstruction, OpenCV contrib: seconds
PATCHMATCH = Method("patchmatch", "PatchMatch", min_side=16)   # content-aware fill's method: seconds
NL_MEANS = Method("nlmeans", "Non-local means")
BLUR = Method("blur", "Gaussian blur")
BICUBIC = Method("bicubic", "Bicubic")
LANCZOS = Method("lanczos", "Lanczos")
# The strongest published peers (gan_core.photos.peers): seconds per photo, and packages of their own
BM3D = Method("bm3d", "BM3D", min_side=16)  # 8 px blocks: on an 8 px photo its library crashes
REALESRGAN = Method("realesrgan", "Real-ESRGAN x4plus")             # RRDB, 16.7 M parameters, 4x then resized
REALESRGAN_SMALL = Method("realesrgan-small", "Real-ESRGAN small")  # the compact SRVGG model (animevideov3)


@dataclass(frozen=True)
class Task:
    name: str                        # "inpaint", "denoise", "sr2", "sr4", "dcgan"
    label: str                       # what the UI calls it
    scale: int                       # output side over input side
    generator: str                   # the generator class (registered in gan_core.core.registry)
    default_weights: str             # weights/NAME.safetensors used when none is named
    classical: tuple[Method, ...]    # the peers a result is shown beside: the quick filters first (the
                                     # studio's fallback, the benchmark's baseline), the slow strong peers last

    @property
    def methods(self) -> tuple[Method, ...]:
        """The GAN first, then the classical peers."""
        return (GAN, *self.classical)

    def method(self, name_or_label: str) -> Method:
        """The method of this task called `name_or_label` (either spelling), or a ValueError that lists them."""
        for method in self.methods:
            if name_or_label in (method.name, method.label):
                return method
        choices = ", ".join(method.name for method in self.methods)
        raise ValueError(f"{name_or_label!r} is not a method for {self.label} ({self.name}); choose one of: {choices}")


TASKS = {task.name: task for task in (
    Task("inpaint", "Inpaint", 1, "InpaintGenerator", "inpaint-photo", (TELEA, NAVIER_STOKES, FSR, PATCHMATCH)),
    Task("denoise", "Denoise", 1, "RestorationGenerator", "denoise", (NL_MEANS, BLUR, BM3D)),
    Task("sr2", "Enlarge 2x", 2, "RestorationGenerator", "sr2", (BICUBIC, LANCZOS, REALESRGAN_SMALL, REALESRGAN)),
    Task("sr4", "Enlarge 4x", 4, "RestorationGenerator", "sr4", (BICUBIC, LANCZOS, REALESRGAN_SMALL, REALESRGAN)),
    Task("dcgan", "DCGAN (Fashion-MNIST)", 1, "DCGANGenerator", "dcgan-fashion", ()),
)}
RESTORE_TASKS = ("denoise", "sr2", "sr4")   # the tasks gan_core.restore runs: one photo in, one photo out
PHOTO_TASKS = ("inpaint", *RESTORE_TASKS)   # the tasks trained on crops of photographs


def get(name: str) -> Task:
    """The task called `name`, or a ValueError that lists the tasks."""
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of: {', '.join(TASKS)}")
    return TASKS[name]
