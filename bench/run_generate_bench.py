#!/usr/bin/env python3
"""Generation benchmark: Ropewalk's KV-cache greedy decoding vs HF transformers `generate` (SDPA),
same random Llama-shaped model, same prompt length, batch and new tokens, same machine and threads.
Writes bench/results/generate-<device>-<date>.json (BENCH.md format).

Usage: run_generate_bench.py BUILD_DIR [--device cpu|cuda] [--threads N]
"""
import argparse
import json
import os
import subprocess
import tempfile
import time

from bench_common import cpu_name, result_header, write_result

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig  # noqa: E402

SHAPES = {  # a small Llama-3-style shape that runs in seconds on a laptop CPU
    "cpu": dict(vocab_size=32000, hidden_size=512, intermediate_size=1536, num_hidden_layers=8,
                num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=4096),
    "cuda": dict(vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=16,
                 num_attention_heads=32, num_key_value_heads=8, max_position_embeddings=131072,
                 tie_word_embeddings=True),
}


def time_hf(model, ids, new_tokens, repeats, device):
    mask = torch.ones_like(ids)
    best = float("inf")
    for r in range(repeats + 1):
        if device == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        with torch.no_grad():
            model.generate(input_ids=ids, attention_mask=mask, do_sample=False, max_new_tokens=new_tokens,
                           min_new_tokens=new_tokens, pad_token_id=0, eos_token_id=None)
        if device == "cuda":
            torch.cuda.synchronize()
        if r > 0:
            best = min(best, time.perf_counter() - start)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt", type=int, default=128)
    ap.add_argument("--new", type=int, default=64)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    shape = SHAPES[args.device]
    dtype = torch.float32 if args.device == "cpu" else torch.bfloat16
    with tempfile.TemporaryDirectory() as tmp:
        torch.manual_seed(0)
        config = LlamaConfig(**shape, rope_parameters={"rope_type": "default", "rope_theta": 500000.0},
                             bos_token_id=1, eos_token_id=None, pad_token_id=0)
        model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa", dtype=dtype).eval()
        model.save_pretrained(tmp)
        model = model.to(args.device)
        ids = torch.randint(3, shape["vocab_size"], (args.batch, args.prompt), device=args.device)
        hf_seconds = time_hf(model, ids, args.new, args.repeats, args.device)
        out = subprocess.run([os.path.join(args.build_dir, "bench", "bench_generate"), tmp, str(args.prompt),
                              str(args.new), str(args.batch), str(args.repeats), args.device],
                             check=True, capture_output=True, text=True, env=dict(os.environ)).stdout
        ours = json.loads(out)
    hf_tok_s = args.batch * args.new / hf_seconds
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else cpu_name(torch.get_num_threads())
    result = {
        **result_header("generate", device_name, {"torch": torch.__version__, "transformers": transformers.__version__}),
        "config": {"model": f"llama-random-{shape['num_hidden_layers']}x{shape['hidden_size']}",
                   "prompt": args.prompt, "new_tokens": args.new, "batch": args.batch,
                   "dtype": str(dtype).replace("torch.", ""), "threads": args.threads, "decoding": "greedy"},
        "metrics": {"new_tok_s": round(ours["new_tok_s"], 2), "prefill_ms": round(ours["prefill_ms"], 1)},
        "reference": {"name": "hf-transformers-generate-sdpa", "metrics": {"new_tok_s": round(hf_tok_s, 2)}},
        "ratio": {"new_tok_s": round(ours["new_tok_s"] / hf_tok_s, 3)},
    }
    kind = "cpu" if args.device == "cpu" else torch.cuda.get_device_name(0).split()[1].lower()
    write_result(result, "generate", kind)


if __name__ == "__main__":
    main()
