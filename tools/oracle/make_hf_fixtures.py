#!/usr/bin/env python3
"""Builds the parity fixtures: for each model family x rope type, a tiny random HF model saved with
transformers, plus reference.safetensors holding a left-padded batch, HF's fp32 logits, HF's greedy
generation and HF's RoPE inverse frequencies. Ropewalk's C++ tests load both and compare.

Usage: make_hf_fixtures.py OUT_DIR        (idempotent: skips when OUT_DIR/.complete matches this script)
"""
import zlib
import json
import os
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402
from transformers import (AutoModelForCausalLM, LlamaConfig, MistralConfig, Qwen2Config)  # noqa: E402
from transformers.modeling_rope_utils import ROPE_INIT_FUNCTIONS  # noqa: E402

from fixture_stamp import finish_fixture_dir, start_fixture_dir  # noqa: E402

VOCAB = 96
NEW_TOKENS = 32
LENGTHS = [12, 7, 20]  # left-padded batch; 20 > max_position_embeddings=16 exercises scaling
PAD = 0

COMMON = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=96, num_hidden_layers=3,
              num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-5, initializer_range=0.2,
              bos_token_id=1, eos_token_id=None, pad_token_id=PAD)

ROPES = {
    "default": (16, {"rope_type": "default", "rope_theta": 10000.0}),
    "linear": (16, {"rope_type": "linear", "rope_theta": 10000.0, "factor": 2.0}),
    "dynamic": (16, {"rope_type": "dynamic", "rope_theta": 10000.0, "factor": 2.0}),
    "yarn": (64, {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0,
                  "original_max_position_embeddings": 16}),
    "llama3": (64, {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 4.0, "low_freq_factor": 1.0,
                    "high_freq_factor": 4.0, "original_max_position_embeddings": 16}),
}


def family_config(family, max_pos, rope):
    if family == "llama":  # Llama 3.2 style: tied embeddings; attention and MLP biases on
        return LlamaConfig(**COMMON, max_position_embeddings=max_pos, rope_parameters=dict(rope),
                           tie_word_embeddings=True, attention_bias=True, mlp_bias=True)
    if family == "mistral":  # sliding window on every layer, shorter than the batch
        return MistralConfig(**COMMON, max_position_embeddings=max_pos, rope_parameters=dict(rope),
                             sliding_window=9, head_dim=16)
    if family == "qwen2":  # q/k/v biases; sliding window on layers >= max_window_layers
        return Qwen2Config(**COMMON, max_position_embeddings=max_pos, rope_parameters=dict(rope),
                           use_sliding_window=True, sliding_window=9, max_window_layers=1)
    raise ValueError(family)


def batch():
    g = torch.Generator().manual_seed(1234)
    T = max(LENGTHS)
    ids = torch.full((len(LENGTHS), T), PAD, dtype=torch.int64)
    mask = torch.zeros((len(LENGTHS), T), dtype=torch.int64)
    for row, n in enumerate(LENGTHS):
        ids[row, T - n:] = torch.randint(2, VOCAB, (n,), generator=g)
        mask[row, T - n:] = 1
    return ids, mask


def positions(mask):
    pos = mask.cumsum(-1) - 1
    return pos.masked_fill(mask == 0, 1)


# config.json files that set original_max_position_embeddings both at the top level and inside rope_parameters,
# differently: a model built by transformers takes the top-level value for yarn and llama3 (its rope-parameter
# standardization), so the fixtures are computed from the folder as transformers loads it.
CONFLICTS = {"yarn-conflict": ("yarn", 32), "llama3-conflict": ("llama3", 32)}


def make_one(out_dir, family, rope_name):
    base_rope, top_level_original = CONFLICTS.get(rope_name, (rope_name, None))
    max_pos, rope = ROPES[base_rope]
    torch.manual_seed(zlib.crc32(f"{family}-{rope_name}".encode()))
    config = family_config(family, max_pos, rope)
    model = AutoModelForCausalLM.from_config(config, attn_implementation="sdpa").eval()
    model_dir = os.path.join(out_dir, "model")
    model.save_pretrained(model_dir)
    if top_level_original is not None:
        path = os.path.join(model_dir, "config.json")
        written = json.load(open(path))
        written["original_max_position_embeddings"] = top_level_original
        assert written["rope_parameters"]["original_max_position_embeddings"] != top_level_original
        json.dump(written, open(path, "w"), indent=2)
        model = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa").eval()
    ids, mask = batch()
    with torch.no_grad():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions(mask)).logits
    # Generation from a freshly loaded model, so dynamic-NTK state starts where ours does.
    fresh = AutoModelForCausalLM.from_pretrained(model_dir, attn_implementation="sdpa").eval()
    with torch.no_grad():
        generated = fresh.generate(input_ids=ids, attention_mask=mask, do_sample=False,
                                   max_new_tokens=NEW_TOKENS, pad_token_id=PAD, eos_token_id=None)
    init_fn = ROPE_INIT_FUNCTIONS.get(fresh.config.rope_parameters["rope_type"])
    inv_freq = fresh.model.rotary_emb.original_inv_freq.clone()
    scaling = fresh.model.rotary_emb.attention_scaling
    tensors = {"input_ids": ids, "attention_mask": mask, "logits": logits.float().contiguous(),
               "generated": generated.contiguous(), "inv_freq": inv_freq.contiguous(),
               "attention_scaling": torch.tensor([float(scaling)], dtype=torch.float64)}
    if rope_name == "dynamic":
        for n in (17, 40, 100):
            tensors[f"inv_freq_at_{n}"] = init_fn(config, None, seq_len=torch.tensor(n))[0].contiguous()
    save_file(tensors, os.path.join(out_dir, "reference.safetensors"))


CORPUS = [
    "The needle is hidden somewhere in the haystack, and the model must find it.",
    "Long-context language models read entire books, code repositories and reports.",
    "Rotary position embeddings rotate query and key vectors by position-dependent angles.",
    "def add(a, b):\n    return a + b\n",
    "Numbers like 12345 and 3.14159 appear in tables; emoji too: \U0001F680 \u2728.",
]
PROMPT = "The needle is hidden"


def make_chat_model(out_dir):
    """A tiny Llama with a trained byte-level BPE tokenizer, for end-to-end CLI generation tests."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=320, special_tokens=["<pad>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 20, trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>", pad_token="<pad>")
    model_dir = os.path.join(out_dir, "model")
    fast.save_pretrained(model_dir)
    torch.manual_seed(7)
    config = LlamaConfig(**{**COMMON, "vocab_size": len(fast), "eos_token_id": 2},
                         max_position_embeddings=128, rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    model = AutoModelForCausalLM.from_config(config).eval()
    model.save_pretrained(model_dir)
    enc = fast(PROMPT, return_tensors="pt")
    with torch.no_grad():
        out = model.generate(**enc, do_sample=False, max_new_tokens=24, pad_token_id=PAD)
    new = out[0, enc["input_ids"].shape[1]:]
    with open(os.path.join(out_dir, "expected.json"), "w") as f:
        json.dump({"prompt": PROMPT, "prompt_ids": enc["input_ids"][0].tolist(), "new_ids": new.tolist(),
                   "text": fast.decode(new, skip_special_tokens=True)}, f)


def main():
    out = sys.argv[1]
    stamp = start_fixture_dir(out, [__file__])
    if stamp is None:
        return
    torch.set_num_threads(2)
    names = []
    for family in ("llama", "mistral", "qwen2"):
        for rope_name in list(ROPES) + (list(CONFLICTS) if family == "llama" else []):
            name = f"{family}-{rope_name}"
            make_one(os.path.join(out, name), family, rope_name)
            names.append(name)
    make_chat_model(os.path.join(out, "chat-llama"))
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"models": names, "new_tokens": NEW_TOKENS, "pad": PAD}, f)
    finish_fixture_dir(out, stamp)
    print("wrote", len(names), "fixtures to", out)


if __name__ == "__main__":
    main()
