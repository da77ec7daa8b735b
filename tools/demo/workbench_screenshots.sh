#!/usr/bin/env bash
# The workbench pictures in docs/images (workbench-*.png): a throw-away project gets the demo almanac, the
# long needle chats and the demo base model; the base model's NIAH eval and the one-minute extension run
# (resources/demo/extend-1024.run.json) fill the store; then `ropewalk --screenshots` saves every page.
# About three minutes on 2 cores.
#   bash tools/demo/workbench_screenshots.sh [BUILD_DIR] [WORK_DIR]
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
build="${1:-$repo/build}"
work="${2:-$(mktemp -d)}"
cli="$build/app/ropewalk-cli"
gui="$build/app/ropewalk"
[[ -x "$cli" && -x "$gui" ]] || { echo "workbench_screenshots: build first (bash tools/test.sh)" >&2; exit 1; }

project="$work/project"
"$cli" project init "$project" --name "Salt Coast demo"
cp -r "$repo/resources/demo/base-model" "$repo/resources/demo/niah-demo.json" "$project/"
"$cli" corpus add "$project" "$repo/resources/demo/corpus" --corpus demo --progress none
python3 "$repo/tools/demo/make_needle_sft.py" "$work/long.jsonl" --samples 8000 --max-sentences 60 --seed 12
"$cli" dataset import "$project" "$work/long.jsonl" --name long
"$cli" eval suite "$project/base-model" "$project/niah-demo.json" --project "$project" --run-name base-model \
  --progress none > /dev/null
"$cli" train "$project" "$repo/resources/demo/extend-1024.run.json" --progress none > /dev/null
shots="$work/shots"
QT_QPA_PLATFORM=offscreen "$gui" "$project" --screenshots "$shots"
for page in corpus runs new-run charts heatmaps rope; do
  cp "$shots/$page.png" "$repo/docs/images/workbench-$page.png"
done
echo "workbench_screenshots: docs/images/workbench-{corpus,runs,new-run,charts,heatmaps,rope}.png"
