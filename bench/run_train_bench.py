#!/usr/bin/env python3
"""Trainer benchmark: Ropewalk's `train()` vs a PyTorch eager training loop (HF transformers Llama, SDPA,
full-logit cross-entropy, clip_grad_norm_, torch.optim.AdamW) on the same random Llama-shaped weights,
sequence length and micro-batch, same machine and threads. Ropewalk reads its batches from a real project
corpus (data, metrics and provenance included in its step time); the reference feeds random token ids.
Writes bench/results/train-<device>-<date>.json (BENCH.md format).

Usage: run_train_bench.py BUILD_DIR [--device cpu|cuda] [--threads N] [--seq N] [--batch N] [--steps N]
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

from bench_common import cpu_name, result_header, write_result

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import transformers  # noqa: E402
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers  # noqa: E402
from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast  # noqa: E402

SHAPES = {  # a small Llama shape that trains at a useful rate on a laptop CPU
    "cpu": dict(hidden_size=256, intermediate_size=768, num_hidden_layers=4, num_attention_heads=8,
                num_key_value_heads=4, max_position_embeddings=4096, tie_word_embeddings=True),
    "cuda": dict(hidden_size=2048, intermediate_size=8192, num_hidden_layers=16, num_attention_heads=32,
                 num_key_value_heads=8, max_position_embeddings=131072, tie_word_embeddings=True),
}


def make_model_dir(path, shape, vocab):
    words = [f"w{i}" for i in range(5000)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator([" ".join(words[i:i + 50]) for i in range(0, 5000, 50)] * 4,
                            trainers.BpeTrainer(vocab_size=min(vocab, 8000), special_tokens=["<unk>", "<s>", "</s>"],
                                                initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", unk_token="<unk>")
    fast.save_pretrained(path)
    torch.manual_seed(0)
    # The model's vocabulary is the requested size (a real LM's head cost); the tokenizer uses its first ids.
    config = LlamaConfig(**shape, vocab_size=max(vocab, len(fast)), bos_token_id=1, eos_token_id=2,
                         rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa", dtype=torch.float32)
    model.save_pretrained(path)
    return model, config.vocab_size


def time_reference(model, vocab, seq, batch, steps, warmup, device):
    model = model.to(device).train()
    params = list(model.parameters())
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.95), eps=1e-8)
    times = []
    for step in range(steps):
        ids = torch.randint(3, vocab, (batch, seq), device=device)
        start = time.perf_counter()
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
            logits = model(input_ids=ids).logits
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), ids[:, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
        loss.item()
        if device == "cuda":
            torch.cuda.synchronize()
        if step >= warmup:
            times.append(time.perf_counter() - start)
    return batch * seq / statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seq", type=int, default=512)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=22)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--vocab", type=int, default=32000)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    shape = SHAPES[args.device]
    bench = os.path.join(args.build_dir, "bench", "bench_train")
    with tempfile.TemporaryDirectory() as tmp:
        model, vocab = make_model_dir(tmp, shape, args.vocab)
        ref_tok_s = time_reference(model, vocab, args.seq, args.batch, args.steps, args.warmup, args.device)
        del model
        ours = {}
        for masking in ("0", "1"):
            out = subprocess.run([bench, tmp, str(args.seq), str(args.batch), str(args.steps), str(args.warmup),
                                  masking, args.device], check=True, capture_output=True, text=True,
                                 env=dict(os.environ)).stdout
            ours[masking] = json.loads(out.strip().splitlines()[-1])
    device_name = torch.cuda.get_device_name(0) if args.device == "cuda" else cpu_name(args.threads)
    result = {
        **result_header("train", device_name, {"torch": torch.__version__, "transformers": transformers.__version__}),
        "config": {"model": f"llama-random-{shape['num_hidden_layers']}x{shape['hidden_size']}-vocab{vocab}",
                   "seq": args.seq, "micro_batch": args.batch, "dtype": "fp32" if args.device == "cpu" else "bf16-mixed",
                   "threads": args.threads, "timed_steps": args.steps - args.warmup,
                   "optimizer": "AdamW, clip 1.0", "loss": "chunked cross-entropy (ours) / full logits (reference)"},
        "metrics": {"tok_s": round(ours["0"]["tok_s"], 1),
                    "tok_s_document_masking": round(ours["1"]["tok_s"], 1)},
        "reference": {"name": "pytorch-eager-hf-llama-sdpa-adamw", "metrics": {"tok_s": round(ref_tok_s, 1)}},
        "ratio": {"tok_s": round(ours["0"]["tok_s"] / ref_tok_s, 3)},
    }
    kind = "cpu" if args.device == "cpu" else torch.cuda.get_device_name(0).split()[1].lower()
    write_result(result, "train", kind)


if __name__ == "__main__":
    main()
