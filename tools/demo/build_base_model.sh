#!/usr/bin/env bash
# Rebuilds resources/demo/base-model, the demo's short-context base model, with Ropewalk's own trainer:
# a throw-away project gets the demo almanac and the needle-retrieval chats, runs
# resources/demo/base-model.run.json (periodic NIAH evals at every checkpoint go to the project's store),
# and the final checkpoint's HF folder is copied out with a provenance file. About 20 minutes on 2 cores.
#   bash tools/demo/build_base_model.sh [WORK_DIR]      (needs the build: bash tools/test.sh builds it)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cli="${ROPEWALK_CLI:-$repo/build/app/ropewalk-cli}"
work="${1:-$(mktemp -d)}"
out="$repo/resources/demo/base-model"
[[ -x "$cli" ]] || { echo "build_base_model: $cli not found; build first (bash tools/test.sh)" >&2; exit 1; }

project="$work/project"
"$cli" project init "$project"
"$cli" corpus add "$project" "$repo/resources/demo/corpus" --corpus demo
python3 "$repo/tools/demo/make_needle_sft.py" "$work/needles.jsonl"
"$cli" dataset import "$project" "$work/needles.jsonl" --name needles
cp "$repo/resources/demo/niah-demo.json" "$project/"
"$cli" train "$project" "$repo/resources/demo/base-model.run.json" --progress none --json > "$work/train.json"

checkpoint="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checkpoint"])' "$work/train.json")"
rm -rf "$out.tmp" && mkdir -p "$out.tmp"
for f in config.json model.safetensors tokenizer.model tokenizer_config.json special_tokens_map.json; do
  cp "$checkpoint/$f" "$out.tmp/"
done
python3 - "$out.tmp/provenance.json" "$work/train.json" "$repo" <<'PY'
import hashlib, json, pathlib, subprocess, sys
out, train, repo = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
weights = pathlib.Path(out).with_name("model.safetensors").read_bytes()
def git(*args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True).stdout.strip()
commit = git("rev-parse", "HEAD") + (" with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else "")
json.dump({"built_by": "tools/demo/build_base_model.sh", "run_config": "resources/demo/base-model.run.json",
           "data": "resources/demo/corpus + tools/demo/make_needle_sft.py (default seed)", "commit": commit,
           "steps": train.get("step"), "final_loss": train.get("loss"),
           "model_sha256": hashlib.sha256(weights).hexdigest()}, open(out, "w"), indent=2)
PY
rm -rf "$out" && mv "$out.tmp" "$out"
echo "base model written to $out (project with the run and its evals: $project)"
