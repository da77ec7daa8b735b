#!/usr/bin/env python3
"""Oracle for one trainer step: transformers + torch.optim.AdamW on the same weights and batch.

  train_step_oracle.py MODEL_DIR BATCH SETTINGS OUT

MODEL_DIR: the HF folder the run starts from. BATCH (safetensors): "input_ids", "labels", "position_ids"
[N, T] int64, the step's N sequences in order (labels already shifted: labels[i] is the target of
position i, -100 = none). SETTINGS (JSON): micro_batch_size, lr, beta1, beta2, eps, weight_decay, max_norm.
The loss of a micro-batch is its summed token cross-entropy divided by the step's target count, so that
gradient accumulation equals one large batch; attention is plain causal (no document masking).
OUT (safetensors): "param.<name>" after the step, "loss" and "grad_norm" (0-d, before clipping).
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def main(model_dir, batch_path, settings_path, out_path):
    torch.set_num_threads(2)
    with open(settings_path, encoding="utf-8") as f:
        s = json.load(f)
    batch = load_file(batch_path)
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="eager", dtype=torch.float32)
    model.train()
    ids, labels, pos = batch["input_ids"], batch["labels"], batch["position_ids"]
    targets = int((labels != -100).sum())
    mb = s["micro_batch_size"]
    loss_sum = 0.0
    for start in range(0, ids.shape[0], mb):
        logits = model(input_ids=ids[start:start + mb], position_ids=pos[start:start + mb]).logits.float()
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels[start:start + mb].reshape(-1),
                               ignore_index=-100, reduction="sum")
        (loss / targets).backward()
        loss_sum += loss.item()
    params = dict(model.named_parameters())
    grad_norm = torch.nn.utils.clip_grad_norm_(list(params.values()), s["max_norm"], foreach=False)
    decay = [p for p in params.values() if p.dim() >= 2]
    no_decay = [p for p in params.values() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": s["weight_decay"]},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"], foreach=False)
    opt.step()
    out = {f"param.{n}": p.detach().contiguous() for n, p in params.items()}
    out["loss"] = torch.tensor(loss_sum / targets, dtype=torch.float64)
    out["grad_norm"] = torch.tensor(float(grad_norm), dtype=torch.float64)
    save_file(out, out_path)


if __name__ == "__main__":
    main(*sys.argv[1:5])
