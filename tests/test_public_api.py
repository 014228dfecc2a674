"""gan_core's public names, each called in a fresh interpreter that imports nothing else first: a model class
that only registers itself when some other module happens to be imported would fail here."""
import subprocess
import sys

import pytest

from tests.conftest import ROOT

CALLS = {
    "inpaint": "import numpy as np; p = np.full((64, 64, 3), 120, np.uint8); m = np.zeros((64, 64), np.uint8); "
               "m[20:40, 20:40] = 1; out = gan_core.inpaint(p, m); assert out.shape == p.shape",
    "restore": "import numpy as np; p = np.full((40, 40, 3), 120, np.uint8); "
               "assert gan_core.restore(p, task='sr2').shape == (80, 80, 3)",
    "extend": "import numpy as np; p = np.full((64, 64, 3), 120, np.uint8); "
              "assert gan_core.extend(p, left=16).shape == (64, 80, 3)",
    "generate": "assert gan_core.generate('dcgan-fashion', n=2, seed=0).shape == (2, 32, 32)",
    "sketch_to_shoe": "import numpy as np; e = np.zeros((28, 28), np.uint8); e[10, 5:20] = 255; "
                      "assert gan_core.sketch_to_shoe(e).shape == (28, 28)",
    "translate": "import numpy as np; assert gan_core.translate(np.zeros((28, 28), np.uint8)).shape == (28, 28)",
    "mri_reconstruct": "import numpy as np; from numpy.fft import fft2, fftshift; x = np.random.rand(64, 64); "
                       "k = fftshift(fft2(x, norm='ortho')); m = np.ones((64, 64), bool); "
                       "assert gan_core.mri_reconstruct(k, m).shape == (64, 64)",
    "ct_reconstruct": "import numpy as np; from skimage.transform import radon; x = np.zeros((64, 64)); "
                      "x[20:40, 24:44] = 1; a = np.linspace(0, 180, 30, endpoint=False); "
                      "assert gan_core.ct_reconstruct(radon(x, theta=a, circle=True), a).shape == (64, 64)",
}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_public_name_works_in_a_fresh_interpreter(name):
    code = f"import gan_core\n{CALLS[name]}"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
