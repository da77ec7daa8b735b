#!/usr/bin/env bash
# The whole test suite from a fresh clone: install what is missing, configure, build, run ctest.
# Extra arguments go to ctest (for example: -L cpu, -R parity).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(bash "$root/tools/setup.sh")"
build="${ROPEWALK_BUILD_DIR:-$root/build}"
jobs="${ROPEWALK_JOBS:-$(nproc)}"

# Optimized without debug info: with -g the ~90 test executables (each statically linking the core)
# take about 9 GB of disk, which a CI machine may not have; without it the build is under 1 GB.
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
  -DROPEWALK_PYTHON="$venv/bin/python3" -DROPEWALK_BUILD_TESTS=ON
cmake --build "$build" --parallel "$jobs"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-$(mktemp -d)}"
cd "$build"
status=0
ctest --output-on-failure --parallel "$jobs" "$@" || status=$?
# What did not run, and why: every QtTest function that skipped (a test with skips shows as "Skipped" above).
if grep -q "^SKIP   :" Testing/Temporary/LastTest.log 2>/dev/null; then
  echo "Skipped test functions:"
  grep "^SKIP   :" Testing/Temporary/LastTest.log | sed 's/^SKIP   : /  /' | sort -u
fi
exit "$status"
