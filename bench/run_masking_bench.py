#!/usr/bin/env python3
"""Document-masking benchmark: one forward + backward on a packed sequence of equal-length documents.
Ropewalk with attention in chunks of whole documents vs Ropewalk with one dense [B, 1, T, T] mask vs
the reference, HF transformers Llama (SDPA) given the same block-diagonal causal mask as a dense 4D
attention mask, all on the same random weights, machine and threads. Each variant runs in its own
process, so each peak resident memory is its own. Writes bench/results/masking-<device>-<date>.json.

Usage: run_masking_bench.py BUILD_DIR [--device cpu|cuda] [--threads N] [--seqs 4096,8192] [--doc N]
                            [--chunk N] [--steps N]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

from bench_common import cpu_name, result_header, write_result
from run_train_bench import SHAPES, make_model_dir

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def reference(model_dir, seq, doc, steps, device):
    """HF Llama, dense 4D block-diagonal mask; prints the same JSON as bench_document_masking."""
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa", dtype=torch.float32)
    model = model.to(device).train()
    torch.manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (1, seq), device=device)
    index = torch.arange(seq, device=device)
    segment, position = index // doc, (index % doc).unsqueeze(0)
    allowed = (index.view(-1, 1) >= index.view(1, -1)) & (segment.view(-1, 1) == segment.view(1, -1))
    mask = torch.zeros(1, 1, seq, seq, device=device).masked_fill(~allowed, torch.finfo(torch.float32).min)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        model.zero_grad()
        hidden = model.model(input_ids=ids, attention_mask=mask, position_ids=position).last_hidden_state
        hidden.pow(2).mean().backward()
        if device == "cuda":
            torch.cuda.synchronize()
        times.append((time.perf_counter() - start) * 1000)
    timed = sorted(times[1:]) or times
    peak = (torch.cuda.max_memory_allocated() / 2**20 if device == "cuda"
            else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({"step_ms": timed[len(timed) // 2], "peak_mb": peak}))


def run_json(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=dict(os.environ)).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--reference":
        model_dir, seq, doc, steps, device = sys.argv[2:7]
        torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
        reference(model_dir, int(seq), int(doc), int(steps), device)
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("build_dir")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seqs", default="4096,8192")
    ap.add_argument("--doc", type=int, default=512)
    ap.add_argument("--chunk", type=int, default=2048)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=32000)
    args = ap.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    torch.set_num_threads(args.threads)
    shape = dict(SHAPES[args.device], max_position_embeddings=max(int(s) for s in args.seqs.split(",")))
    bench = os.path.join(args.build_dir, "bench", "bench_document_masking")
    metrics, ref_metrics, ratio = {}, {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        model, vocab = make_model_dir(tmp, shape, args.vocab)
        del model
        for seq in (int(s) for s in args.seqs.split(",")):
            common = [tmp, str(seq), str(args.doc)]
            chunked = run_json([bench, *common, str(args.chunk), str(args.steps), args.device])
            dense = run_json([bench, *common, "0", str(args.steps), args.device])
            ref = run_json([sys.executable, os.path.abspath(__file__), "--reference", *common, str(args.steps),
                            args.device])
            memory = "peak_cuda_mb" if args.device == "cuda" else "peak_rss_mb"
            metrics.update({f"step_ms_{seq}": round(chunked["step_ms"], 1), f"{memory}_{seq}": round(chunked["peak_mb"]),
                            f"step_ms_dense_mask_{seq}": round(dense["step_ms"], 1),
                            f"{memory}_dense_mask_{seq}": round(dense["peak_mb"])})
            ref_metrics.update({f"step_ms_{seq}": round(ref["step_ms"], 1), f"{memory}_{seq}": round(ref["peak_mb"])})
            ratio.update({f"speed_{seq}": round(ref["step_ms"] / chunked["step_ms"], 3),
                          f"{memory}_{seq}": round(chunked["peak_mb"] / ref["peak_mb"], 3)})
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else cpu_name(args.threads)
    result = {
        **result_header("masking", device_name, {"torch": torch.__version__, "transformers": transformers.__version__}),
        "config": {"model": f"llama-random-{shape['num_hidden_layers']}x{shape['hidden_size']}-vocab{vocab}",
                   "seqs": args.seqs, "doc_tokens": args.doc, "chunk_tokens": args.chunk, "batch": 1,
                   "dtype": "fp32", "threads": args.threads, "timed_steps": args.steps - 1,
                   "step": "forward + backward of mean(hidden^2), no optimizer"},
        "metrics": metrics,
        "reference": {"name": "hf-transformers-sdpa-dense-4d-mask", "metrics": ref_metrics},
        "ratio": ratio,
    }
    kind = "cpu" if args.device == "cpu" else torch.cuda.get_device_name(0).split()[1].lower()
    write_result(result, "masking", kind)


if __name__ == "__main__":
    main()
