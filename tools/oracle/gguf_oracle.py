#!/usr/bin/env python3
"""GGUF fixtures and references for Ropewalk's GGUF import tests, made with the `gguf` package (llama.cpp's
own writer and dequantizers) and transformers' GGUF loader.

Usage:
  gguf_oracle.py make OUT_DIR      (idempotent: skips when OUT_DIR/.complete matches this script)
      models/<name>.gguf           tiny random Llama/Qwen2 models, 2-D weights in one ggml type each, written as
                                   llama.cpp's converter writes them (Q/K rows permuted for Llama)
      models/<name>/reference.safetensors, reference.json
                                   transformers loading the GGUF (gguf_file=): input_ids, attention_mask and fp32
                                   logits of a left-padded batch (the format of check_hf_logits.py), greedy ids,
                                   and its tokenizer's ids for mixed texts
      quants.gguf + quants.safetensors
                                   random blocks of every ggml type Ropewalk reads and gguf's dequantization of them
  gguf_oracle.py generate GGUF PROMPT N OUT.json
                                   transformers' greedy ids for a chat prompt on a real GGUF (tests with SmolLM2)
"""
import json
import os
import zlib
import sys

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("TQDM_DISABLE", "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import save_file  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_hf_fixtures  # noqa: E402
from fixture_stamp import finish_fixture_dir, start_fixture_dir  # noqa: E402
from make_hf_fixtures import CORPUS  # noqa: E402

TEXTS = CORPUS + ["Call 555-1234 now!  Twice\n\n\tindented", "<|im_start|>user\nhi<|im_end|>", "ÅÄÖ naïve café 日本"]
CHAT_TEMPLATE = "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
NEW_TOKENS = 16

# name -> (architecture, ggml type of the 2-D weights, untied output, add_bos, tokenizer.ggml.pre)
MODELS = {
    "llama-q8_0": ("llama", "Q8_0", False, True, "default"),
    "llama-q4_1-untied": ("llama", "Q4_1", True, False, "default"),
    "llama-q4_0-llama3pre": ("llama", "Q4_0", False, False, "llama-bpe"),
    "llama-f16": ("llama", "F16", False, False, "default"),
    "llama-bf16": ("llama", "BF16", True, False, "default"),
    "qwen2-q5_1": ("qwen2", "Q5_1", False, False, "qwen2"),
}


def train_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=300, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(CORPUS * 20, trainer)
    data = json.loads(tok.to_str())
    vocab = sorted(data["model"]["vocab"].items(), key=lambda kv: kv[1])
    tokens = [t for t, _ in vocab]
    merges = [" ".join(m) if isinstance(m, list) else m for m in data["model"]["merges"]]
    return tokens, merges


def permute(w, heads):
    """llama.cpp's converter: interleave the two rotary halves of each head's rows."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def write_model(path, arch, qtype_name, untied, add_bos, pre, tokens, merges):
    import gguf
    qtype = gguf.GGMLQuantizationType[qtype_name]
    rng = np.random.default_rng(zlib.crc32(os.path.basename(path).encode()))
    hidden, inter, layers, heads, kv_heads, head_dim = 64, 96, 2, 4, 2, 16
    vocab = len(tokens)
    w = gguf.GGUFWriter(path, arch)
    w.add_name("tiny " + os.path.basename(path))
    w.add_context_length(128)
    w.add_embedding_length(hidden)
    w.add_block_count(layers)
    w.add_feed_forward_length(inter)
    w.add_head_count(heads)
    w.add_head_count_kv(kv_heads)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_freq_base(10000.0)
    w.add_rope_dimension_count(head_dim)
    w.add_vocab_size(vocab)
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(pre)
    w.add_token_list(tokens)
    w.add_token_types([3 if t.startswith("<|") else 1 for t in tokens])
    w.add_token_merges(merges)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_pad_token_id(0)
    w.add_add_bos_token(add_bos)
    w.add_chat_template(CHAT_TEMPLATE)

    def matrix(name, rows, cols, heads_for_permute=None):
        x = (rng.standard_normal((rows, cols)) * 0.2).astype(np.float32)
        if heads_for_permute and arch == "llama":
            x = permute(x, heads_for_permute)
        if qtype_name == "F32":
            w.add_tensor(name, x)
        elif qtype_name == "F16":
            w.add_tensor(name, x.astype(np.float16))
        else:
            w.add_tensor(name, gguf.quants.quantize(x, qtype), raw_dtype=qtype)

    def vector(name, n, scale=0.2, base=0.0):
        w.add_tensor(name, (base + rng.standard_normal(n) * scale).astype(np.float32))

    matrix("token_embd.weight", vocab, hidden)
    vector("output_norm.weight", hidden, 0.1, 1.0)
    if untied:
        matrix("output.weight", vocab, hidden)
    for i in range(layers):
        p = f"blk.{i}."
        vector(p + "attn_norm.weight", hidden, 0.1, 1.0)
        vector(p + "ffn_norm.weight", hidden, 0.1, 1.0)
        matrix(p + "attn_q.weight", heads * head_dim, hidden, heads)
        matrix(p + "attn_k.weight", kv_heads * head_dim, hidden, kv_heads)
        matrix(p + "attn_v.weight", kv_heads * head_dim, hidden)
        matrix(p + "attn_output.weight", hidden, heads * head_dim)
        if arch == "qwen2":
            vector(p + "attn_q.bias", heads * head_dim)
            vector(p + "attn_k.bias", kv_heads * head_dim)
            vector(p + "attn_v.bias", kv_heads * head_dim)
        matrix(p + "ffn_gate.weight", inter, hidden)
        matrix(p + "ffn_up.weight", inter, hidden)
        matrix(p + "ffn_down.weight", hidden, inter)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def reference(gguf_path, out_dir):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder, name = os.path.split(gguf_path)
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    ids = [tok(t)["input_ids"] for t in TEXTS]
    batch = ids[:3]
    width = max(len(x) for x in batch)
    input_ids = torch.tensor([[0] * (width - len(x)) + x for x in batch])
    mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in batch])
    pos = (mask.cumsum(-1) - 1).masked_fill(mask == 0, 1)
    with torch.no_grad():
        logits = model(input_ids=input_ids, attention_mask=mask, position_ids=pos).logits
        prompt = torch.tensor([ids[0]])
        greedy = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                max_new_tokens=NEW_TOKENS, pad_token_id=0, eos_token_id=None)
    os.makedirs(out_dir, exist_ok=True)
    save_file({"input_ids": input_ids, "attention_mask": mask, "logits": logits.contiguous()},
              os.path.join(out_dir, "reference.safetensors"))
    with open(os.path.join(out_dir, "reference.json"), "w") as f:
        json.dump({"texts": TEXTS, "ids": ids, "greedy_prompt": ids[0],
                   "greedy_new": greedy[0, len(ids[0]):].tolist()}, f, ensure_ascii=False)


def write_quants(out_dir):
    """Random blocks of each type (scales kept finite) and gguf's dequantization of them."""
    import gguf
    rng = np.random.default_rng(1234)
    w = gguf.GGUFWriter(os.path.join(out_dir, "quants.gguf"), "llama")
    expected = {}
    for name in ["F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q5_K", "Q6_K"]:
        qtype = gguf.GGMLQuantizationType[name]
        block, type_size = gguf.GGML_QUANT_SIZES[qtype]
        rows, cols = 3, 512
        raw = rng.integers(0, 256, size=(rows, cols // block * type_size), dtype=np.uint8)
        if name in ("F32", "F16", "BF16"):
            x = rng.standard_normal((rows, cols)).astype(np.float32)
            raw = x if name == "F32" else gguf.quants.quantize(x, qtype)
        else:
            # every fp16 field a block starts or ends with becomes a small finite scale
            blocks = raw.reshape(rows, -1, type_size)
            scale = (rng.standard_normal(blocks.shape[:2]) * 0.05).astype(np.float16).view(np.uint8)
            offsets = [type_size - 2] if name == "Q6_K" else [0, 2] if name in ("Q4_1", "Q5_1", "Q4_K", "Q5_K") else [0]
            for o in offsets:
                blocks[:, :, o:o + 2] = scale.reshape(*blocks.shape[:2], 2)
            raw = blocks.reshape(rows, -1)
        w.add_tensor(name, raw, raw_dtype=qtype) if name != "F32" else w.add_tensor(name, raw)
        expected[name] = torch.from_numpy(np.ascontiguousarray(gguf.quants.dequantize(raw, qtype)).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    save_file(expected, os.path.join(out_dir, "quants.safetensors"))


def cmd_make(out):
    stamp = start_fixture_dir(out, [__file__, make_hf_fixtures.__file__])
    if stamp is None:
        return
    os.makedirs(os.path.join(out, "models"))
    torch.manual_seed(0)
    torch.set_num_threads(2)
    tokens, merges = train_tokenizer()
    for name, (arch, qtype, untied, add_bos, pre) in MODELS.items():
        path = os.path.join(out, "models", name + ".gguf")
        write_model(path, arch, qtype, untied, add_bos, pre, tokens, merges)
        reference(path, os.path.join(out, "models", name))
    write_quants(out)
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"models": list(MODELS), "new_tokens": NEW_TOKENS}, f)
    finish_fixture_dir(out, stamp)
    print("wrote", len(MODELS), "GGUF models to", out)


def cmd_generate(gguf_path, prompt, new_tokens, out):
    from transformers import AutoModelForCausalLM, AutoTokenizer
    folder, name = os.path.split(os.path.abspath(gguf_path))
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32).eval()
    ids = tok.apply_chat_template([{"role": "user", "content": prompt}], add_generation_prompt=True, tokenize=True)
    if not isinstance(ids, list):
        ids = ids["input_ids"]
    prompt_ids = torch.tensor([ids])
    with torch.no_grad():
        out_ids = model.generate(prompt_ids, attention_mask=torch.ones_like(prompt_ids), do_sample=False,
                                 max_new_tokens=int(new_tokens))
    new = out_ids[0, len(ids):].tolist()
    with open(out, "w") as f:
        json.dump({"prompt_ids": ids, "new_ids": new, "text": tok.decode(new, skip_special_tokens=True)}, f)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "make":
        cmd_make(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "generate":
        cmd_generate(*sys.argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
