#!/usr/bin/env python3
"""Greedy generation with transformers, one prompt at a time, from token ids (no tokenizer involved).
PROMPTS is a JSON list of id lists; prints a JSON list with the new ids of each prompt (EOS included
when generated). Usage: hf_greedy.py MODEL_DIR PROMPTS MAX_NEW_TOKENS
"""
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
from transformers import AutoModelForCausalLM  # noqa: E402


def main():
    model_dir, prompts, max_new = sys.argv[1], json.load(open(sys.argv[2])), int(sys.argv[3])
    model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa", dtype=torch.float32).eval()
    out = []
    with torch.no_grad():
        for ids in prompts:
            x = torch.tensor([ids])
            y = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=max_new, do_sample=False,
                               num_beams=1, repetition_penalty=1.0, pad_token_id=model.config.eos_token_id)
            out.append(y[0, len(ids):].tolist())
    print(json.dumps(out))


if __name__ == "__main__":
    main()
