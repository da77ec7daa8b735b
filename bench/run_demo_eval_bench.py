#!/usr/bin/env python3
"""Eval benchmark on the demo base model (resources/demo/base-model): NIAH cells per minute end to end
through `ropewalk-cli eval suite` on the demo grid (resources/demo/niah-demo.json, 35 cells, 128-1024
tokens), batched as the suite says vs one prompt at a time (the reference, same run, same machine).
Also records the grid's mean score inside and beyond the model's trained length.
Writes bench/results/eval-demo-<device>-<date>.json.

Usage: run_demo_eval_bench.py BUILD_DIR [--threads N] [--repeats N]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

from bench_common import cpu_name, result_header, write_result

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(REPO, "resources", "demo", "base-model")
SUITE = os.path.join(REPO, "resources", "demo", "niah-demo.json")


def cli(build_dir, *args, env):
    out = subprocess.run([os.path.join(build_dir, "app", "ropewalk-cli"), *args], check=True, capture_output=True,
                         text=True, env=env).stdout
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    suite = json.load(open(SUITE))
    trained = json.load(open(os.path.join(MODEL, "config.json")))["max_position_embeddings"]
    rates, cells = {}, []
    with tempfile.TemporaryDirectory() as tmp:
        project = os.path.join(tmp, "demo")
        cli(args.build_dir, "project", "init", project, env=env)
        cli(args.build_dir, "corpus", "add", project, os.path.join(REPO, "resources", "demo", "corpus"), "--corpus",
            "demo", env=env)
        for batch in (suite["batch_size"], 1):
            per_min = []
            for _ in range(args.repeats):
                out = json.loads(cli(args.build_dir, "eval", "suite", MODEL, SUITE, "--project", project, "--device",
                                     "cpu", "--batch-size", str(batch), "--json", env=env))
                per_min.append(len(out["cells"]) * 60 / out["seconds"])
                cells = out["cells"]
            rates[batch] = statistics.median(per_min)

    def mean(pick):
        scores = [c["score"] for c in cells if pick(c["length"])]
        return round(sum(scores) / len(scores), 3)

    batch = suite["batch_size"]
    result = {
        **result_header("eval", cpu_name(args.threads), {"torch": "2.11.0"}),
        "config": {"model": "resources/demo/base-model (1M-parameter Llama, trained at 256 tokens)",
                   "suite": "resources/demo/niah-demo.json", "lengths": suite["lengths"], "depths": suite["depths"],
                   "batch": batch, "max_new_tokens": suite["niah"]["max_new_tokens"], "decoding": "greedy",
                   "dtype": "float32", "threads": args.threads, "repeats": args.repeats},
        "metrics": {"cells_per_min": round(rates[batch], 1), "cells": len(cells),
                    "niah_within_trained_length": mean(lambda n: n <= trained),
                    "niah_beyond_2x_trained_length": mean(lambda n: n >= 2 * trained)},
        "reference": {"name": "ropewalk-eval-batch-1", "metrics": {"cells_per_min": round(rates[1], 1)}},
        "ratio": {"cells_per_min": round(rates[batch] / rates[1], 3)},
    }
    write_result(result, "eval-demo", "cpu")


if __name__ == "__main__":
    main()
