#!/usr/bin/env bash
# Install the Debian packages that provide the training photographs, extract
# the photos kept inside containers into data/extracted/ (not in git), and
# check that every file listed in data/photos.csv is present.
#
# Usage: bash scripts/get_data.sh            # install (if needed) + verify
#        bash scripts/get_data.sh --check    # verify only, never touch apt
#
# Safe to run repeatedly: apt is only used when a package is missing, and
# `apt-get update` runs at most once per invocation (and only when needed).
# Target: Debian 12 (bookworm); every package below is in bookworm/main.
set -euo pipefail

PACKAGES=(
  lomiri-wallpapers-16.04
  lomiri-wallpapers-20.04
  ukui-wallpapers
  mate-backgrounds
  gnome-backgrounds
  libjxl-testdata
  gimp-data
  dataset-fashion-mnist
  gcompris-qt-data
  enlightenment-data
  lxqt-themes
  plasma-workspace-wallpapers
  blender-data
  ufoai-textures
  mricron-data
)
# Fetched with `apt-get download` and unpacked with `dpkg -x` into the cache
# (installing tuxpaint-data would pull in a 161 MB stamps package).
UNPACKED_PACKAGES=(tuxpaint-data)

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/.." && pwd)"
MANIFEST="${MANIFEST:-$REPO_ROOT/data/photos.csv}"
CACHE="${DATA_CACHE:-$REPO_ROOT/data/cache}"   # downloaded .debs and their `dpkg -x` root

CHECK_ONLY=0
case "${1:-}" in
  --check) CHECK_ONLY=1 ;;
  "") ;;
  -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
  *) echo "get_data.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
esac

log() { printf '[get_data] %s\n' "$*"; }
die() { printf '[get_data] ERROR: %s\n' "$*" >&2; exit 1; }

is_installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

# --- 1. install missing packages -------------------------------------------
if [ "$CHECK_ONLY" -eq 0 ]; then
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script needs Debian (12/bookworm) or a derivative."

  MISSING=()
  for p in "${PACKAGES[@]}"; do
    is_installed "$p" || MISSING+=("$p")
  done

  if [ "${#MISSING[@]}" -eq 0 ]; then
    log "all ${#PACKAGES[@]} packages already installed; skipping apt."
  else
    log "missing packages: ${MISSING[*]}"
    if [ "$(id -u)" -eq 0 ]; then
      SUDO=()
    elif command -v sudo >/dev/null 2>&1; then
      SUDO=(sudo)
    else
      die "not root and sudo is not available; run as root: apt-get update && apt-get install -y ${MISSING[*]}"
    fi
    APT=("${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get)

    # apt-get update only if some missing package has no install candidate
    # (e.g. fresh container with empty /var/lib/apt/lists).
    UPDATED=0
    for p in "${MISSING[@]}"; do
      cand="$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')"
      if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then
        log "no install candidate for $p in the apt cache -> apt-get update"
        "${APT[@]}" update
        UPDATED=1
        break
      fi
    done

    if ! "${APT[@]}" install -y --no-install-recommends "${MISSING[@]}"; then
      if [ "$UPDATED" -eq 0 ]; then
        log "install failed with the current package lists; running apt-get update once and retrying"
        "${APT[@]}" update
        "${APT[@]}" install -y --no-install-recommends "${MISSING[@]}" \
          || die "apt-get install failed for: ${MISSING[*]}"
      else
        die "apt-get install failed for: ${MISSING[*]}"
      fi
    fi

    for p in "${MISSING[@]}"; do
      is_installed "$p" || die "package $p is still not installed after apt-get install"
    done
    log "installed: ${MISSING[*]}"
  fi

  # --- 1b. packages unpacked into the cache instead of installed ------------
  mkdir -p "$CACHE/root"
  for p in "${UNPACKED_PACKAGES[@]}"; do
    if [ -f "$CACHE/root/.$p.done" ]; then
      log "$p already unpacked in $CACHE/root"
      continue
    fi
    if ! ls "$CACHE/${p}"_*.deb >/dev/null 2>&1; then
      log "downloading $p into $CACHE"
      (cd "$CACHE" && apt-get download "$p") \
        || die "apt-get download $p failed (no package lists? run apt-get update as root, then retry)"
    fi
    deb="$(ls "$CACHE/${p}"_*.deb | sort | tail -n 1)"
    dpkg -x "$deb" "$CACHE/root" || die "dpkg -x $deb failed"
    touch "$CACHE/root/.$p.done"
    log "unpacked $(basename "$deb") into $CACHE/root"
  done

  # --- 1c. extract the photos kept inside containers (skips existing files) --
  python3 "$SCRIPT_DIR/extract_photos.py" --unpacked "$CACHE/root" \
    || die "extracting the photos failed (scripts/extract_photos.py)"
  python3 "$SCRIPT_DIR/extract_paintings.py" \
    || die "reassembling the paintings failed (scripts/extract_paintings.py)"
fi

# --- 2. verify the manifest -------------------------------------------------
[ -f "$MANIFEST" ] || die "manifest not found: $MANIFEST"

header="$(head -n 1 "$MANIFEST" | tr -d '\r')"
[ "$header" = "path,package,license,split,kind,width,height,source,credit" ] \
  || die "unexpected manifest header in $MANIFEST: '$header'"

train=0; val=0; tex=0; total=0; missing=()
# relative paths (data/extracted/...) are relative to the repository root;
# the quoted credit column is last, so `rest` takes it whole
while IFS=, read -r path package license split kind width height rest; do
  path="${path%$'\r'}"; height="${height%$'\r'}"
  [ -n "$path" ] || continue
  total=$((total + 1))
  case "$path" in /*) file="$path" ;; *) file="$REPO_ROOT/$path" ;; esac
  if [ ! -f "$file" ] || [ ! -r "$file" ]; then
    missing+=("$path  (package $package)")
    continue
  fi
  case "$kind/$split" in
    photo/train)   train=$((train + 1)) ;;
    photo/val)     val=$((val + 1)) ;;
    texture/train) tex=$((tex + 1)) ;;
    *) die "bad kind/split '$kind/$split' for $path in $MANIFEST" ;;
  esac
done < <(tail -n +2 "$MANIFEST")

echo
log "manifest: $MANIFEST ($total entries)"
log "found: train photos: $train | val photos: $val | textures: $tex"

if [ "${#missing[@]}" -gt 0 ]; then
  printf '[get_data] ERROR: %d of %d manifest files are missing:\n' "${#missing[@]}" "$total" >&2
  printf '    %s\n' "${missing[@]}" >&2
  if [ "$CHECK_ONLY" -eq 1 ]; then
    echo "[get_data] run 'bash scripts/get_data.sh' (without --check) to install the packages." >&2
  else
    echo "[get_data] the packages are installed but files are absent; a dpkg path-exclude (e.g. slim images) or a different package version may be the cause." >&2
  fi
  exit 1
fi
log "OK: all $total files present."
