#!/usr/bin/env python3
"""Loads MODEL_DIR with transformers, runs the batch of REFERENCE (a reference.safetensors made by
make_hf_fixtures.py) and compares fp32 logits on the real (unpadded) positions with the reference.
Prints the max relative error; exits 1 when it exceeds TOL.

Usage: check_hf_logits.py MODEL_DIR REFERENCE TOL
"""
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def main():
    model_dir, reference, tol = sys.argv[1], sys.argv[2], float(sys.argv[3])
    ref = load_file(reference)
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa", dtype=torch.float32).eval()
    mask = ref["attention_mask"]
    pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    with torch.no_grad():
        logits = model(input_ids=ref["input_ids"], attention_mask=mask, position_ids=pos).logits
    real = mask.bool()
    err = (logits[real] - ref["logits"][real]).abs().max().item() / ref["logits"][real].abs().max().item()
    print(f"max_relative_error {err:.3e}")
    sys.exit(0 if err <= tol else 1)


if __name__ == "__main__":
    main()
