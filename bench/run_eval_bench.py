#!/usr/bin/env python3
"""Eval benchmark: NIAH cells per minute end to end (prompt building with the model's tokenizer, greedy
generation, scoring) for a random ~12M-parameter Llama on CPU, batched vs one prompt at a time (the
reference, measured in the same run on the same machine). Writes bench/results/eval-<device>-<date>.json.

Usage: run_eval_bench.py BUILD_DIR [--device cpu|cuda] [--threads N] [--lengths 1024,2048,4096]
       [--depths 4] [--batch 4] [--new 64]
The tokenizer is the tiny HF fixture's byte-level BPE (BUILD_DIR/tests/fixtures/hf/chat-llama/model, made by
the test fixtures), so lengths are in its tokens.
"""
import argparse
import json
import os
import subprocess

from bench_common import cpu_name, result_header, write_result


def run(build_dir, tokenizer, lengths, depths, batch, new, device, env):
    out = subprocess.run([os.path.join(build_dir, "bench", "bench_eval"), tokenizer, lengths, str(depths), str(batch),
                          str(new), device], check=True, capture_output=True, text=True, env=env).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lengths", default="1024,2048,4096")
    ap.add_argument("--depths", type=int, default=4)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--new", type=int, default=64)
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    tokenizer = os.path.join(args.build_dir, "tests", "fixtures", "hf", "chat-llama", "model")
    batched = run(args.build_dir, tokenizer, args.lengths, args.depths, args.batch, args.new, args.device, env)
    single = run(args.build_dir, tokenizer, args.lengths, args.depths, 1, args.new, args.device, env)
    device_name = cpu_name(args.threads) if args.device == "cpu" else args.device
    result = {
        **result_header("eval", device_name, {"torch": "2.11.0"}),
        "config": {"model": f"llama-random-4x256 ({batched['params'] / 1e6:.1f}M params, vocab 32000)",
                   "task": "niah", "lengths": [int(x) for x in args.lengths.split(",")], "depths": args.depths,
                   "batch": args.batch, "max_new_tokens": args.new, "decoding": "greedy", "dtype": "float32",
                   "threads": args.threads, "tokenizer": "fixture byte-level BPE (320 tokens)"},
        "metrics": {"cells_per_min": round(batched["cells_per_min"], 2), "seconds": round(batched["seconds"], 2),
                    "cells": batched["cells"], "prompt_tokens": batched["prompt_tokens"],
                    "new_tokens": batched["new_tokens"]},
        "reference": {"name": "ropewalk-eval-batch-1",
                      "metrics": {"cells_per_min": round(single["cells_per_min"], 2),
                                  "seconds": round(single["seconds"], 2)}},
        "ratio": {"cells_per_min": round(batched["cells_per_min"] / single["cells_per_min"], 3)},
    }
    write_result(result, "eval", args.device)


if __name__ == "__main__":
    main()
