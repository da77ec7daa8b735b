#!/usr/bin/env python3
"""Synthesizer benchmark on the demo material: samples per minute of each generator (`ropewalk-cli synth run`
in a fresh project with the demo almanac, the demo base model's tokenizer and, for the Bootstrap workflow, the
demo base model as the generator), and the Bootstrap workflow's generation speed against HF transformers
`generate` on the same model, the same rendered prompts (the summary prompts of the samples just made), the
same batches of 16 and greedy decoding. Writes bench/results/synth-<device>-<date>.json (BENCH.md format).

Usage: run_synth_bench.py BUILD_DIR [--threads N]
"""
import argparse
import json
import os
import sqlite3
import subprocess
import tempfile
import time

from bench_common import cpu_name, result_header, write_result

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BASE = os.path.join(REPO, "resources", "demo", "base-model")
BOOTSTRAP = {"model": BASE, "prompt_format": "plain", "corpus": "demo", "queries": 1, "top_k": 1,
             "passage_tokens": 48, "instruction_tokens": 32, "summary_tokens": 24, "answer_tokens": 32}
GENERATORS = {  # name: (samples, config)
    "tasks": (200, {"generator": "tasks", "lengths": [1024], "tasks": {"tasks": ["needle_chat"], "corpus": "demo"}}),
    "cip": (100, {"generator": "cip", "lengths": [4096], "cip": {"corpus": "demo", "chunk_tokens": 256}}),
    "synl": (100, {"generator": "synl", "lengths": [2048]}),
    "bootstrap": (10, {"generator": "bootstrap", "lengths": [3000], "bootstrap": BOOTSTRAP}),
}


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


def hf_generate(prompt_ids, max_new, threads):
    """HF greedy generate over the same prompt ids in batches of 16, left-padded; (seconds, new tokens, rows)."""
    torch.set_num_threads(threads)
    model = AutoModelForCausalLM.from_pretrained(BASE, dtype=torch.float32).eval()
    cfg = json.load(open(os.path.join(BASE, "config.json")))
    eos, pad = cfg.get("eos_token_id", 2), cfg.get("pad_token_id") or 0

    def batches():
        for i in range(0, len(prompt_ids), 16):
            rows = prompt_ids[i:i + 16]
            width = max(len(r) for r in rows)
            ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
            mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
            yield ids, mask

    with torch.no_grad():  # warm-up
        model.generate(input_ids=torch.tensor([prompt_ids[0]]), max_new_tokens=max_new, do_sample=False,
                       eos_token_id=eos, pad_token_id=pad)
    new_tokens, rows, start = 0, [], time.perf_counter()
    with torch.no_grad():
        for ids, mask in batches():
            out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new, do_sample=False,
                                 eos_token_id=eos, pad_token_id=pad)[:, ids.shape[1]:].tolist()
            for row in out:
                row = row[:row.index(eos) + 1] if eos in row else row  # up to and including EOS, as Ropewalk counts
                new_tokens += len(row)
                rows.append(row)
    return time.perf_counter() - start, new_tokens, rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    cli = os.path.join(args.build_dir, "app", "ropewalk-cli")
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    metrics, details = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        project = os.path.join(tmp, "p")
        run([cli, "project", "init", project])
        run([cli, "corpus", "add", project, os.path.join(REPO, "resources", "demo", "corpus"), "--corpus", "demo"])
        for name, (samples, config) in GENERATORS.items():
            path = os.path.join(tmp, name + ".json")
            json.dump(dict(config, name=name, samples=samples, tokenizer=BASE), open(path, "w"))
            start = time.perf_counter()
            report = json.loads(run([cli, "synth", "run", project, path, "--json"], env=env).stdout)
            seconds = time.perf_counter() - start
            metrics[name] = round(samples / seconds * 60, 1)
            details[name] = {"samples": samples, "lengths": config["lengths"], "seconds": round(seconds, 2),
                             "written": report["written"], "shortfalls": report["shortfalls"],
                             "tokens_written": report["tokens_written"]}
        # The summary prompts the workflow sent, as the generation workload.
        db = sqlite3.connect(os.path.join(project, "store.db"))
        messages = []
        for (meta,) in db.execute("SELECT meta_json FROM samples s JOIN datasets d ON d.id = s.dataset_id "
                                  "WHERE d.name = 'bootstrap' ORDER BY s.idx"):
            for step in json.loads(meta)["steps"]:
                if step["step"] == "summary":
                    messages += step["prompts"]
        messages = messages[:96]
        json.dump(messages, open(os.path.join(tmp, "messages.json"), "w"))
        max_new = BOOTSTRAP["summary_tokens"]
        run([os.path.join(args.build_dir, "bench", "bench_synth_generate"), BASE, "plain", str(max_new),
             os.path.join(tmp, "messages.json"), os.path.join(tmp, "ours.json")], env=env)
        ours = json.load(open(os.path.join(tmp, "ours.json")))
        hf_seconds, hf_new, _ = hf_generate(ours["prompt_ids"], max_new, args.threads)
    result = result_header("synth", cpu_name(args.threads),
                           {"torch": torch.__version__, "transformers": transformers.__version__})
    result["clean_tree"] = run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"]).stdout == ""
    result["config"] = {"corpus": "resources/demo/corpus (40 documents)", "tokenizer": "resources/demo/base-model",
                        "generators": details, "bootstrap_model": "resources/demo/base-model (fp32, 256-token context)",
                        "bootstrap_settings": {k: v for k, v in BOOTSTRAP.items() if k != "model"},
                        "generation_workload": f"{len(ours['prompt_ids'])} summary prompts, batches of 16, greedy, "
                                               f"max {max_new} new tokens", "threads": args.threads}
    result["metrics"] = {"samples_per_min": metrics, "bootstrap_new_tok_s": round(ours["new_tok_s"], 1),
                         "bootstrap_new_tokens": ours["new_tokens"]}
    result["reference"] = {"name": "hf-transformers-generate", "metrics": {
        "bootstrap_new_tok_s": round(hf_new / hf_seconds, 1), "bootstrap_new_tokens": hf_new}}
    result["ratio"] = {"bootstrap_new_tok_s": round(ours["new_tok_s"] / (hf_new / hf_seconds), 3)}
    write_result(result, "synth", "cpu")


if __name__ == "__main__":
    main()
