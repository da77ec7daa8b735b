#!/usr/bin/env python3
"""Applies transformers' logits processors to the tensors in IN (safetensors: logits [B,V] fp32,
sequences [B,S] int64) with the given settings and writes the processed scores to OUT.

Usage: logits_processors.py IN OUT REPETITION_PENALTY TEMPERATURE TOP_K TOP_P
"""
import os
import sys

os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

from safetensors.torch import load_file, save_file  # noqa: E402
from transformers.generation.logits_process import (LogitsProcessorList, RepetitionPenaltyLogitsProcessor,  # noqa: E402
                                                    TemperatureLogitsWarper, TopKLogitsWarper, TopPLogitsWarper)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    penalty, temperature, top_k, top_p = float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
    t = load_file(src)
    processors = LogitsProcessorList()
    if penalty != 1.0:
        processors.append(RepetitionPenaltyLogitsProcessor(penalty))
    if temperature != 1.0:
        processors.append(TemperatureLogitsWarper(temperature))
    if top_k > 0:
        processors.append(TopKLogitsWarper(top_k))
    if top_p < 1.0:
        processors.append(TopPLogitsWarper(top_p))
    scores = processors(t["sequences"], t["logits"].clone())
    save_file({"scores": scores.contiguous()}, dst)


if __name__ == "__main__":
    main()
