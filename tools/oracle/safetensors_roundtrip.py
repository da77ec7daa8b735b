"""Oracle for core/io: the reference `safetensors` and `huggingface_hub` libraries on the other side.

  make FILE                 write FILE with safetensors.torch.save_file; print its tensors as JSON
  dump FILE                 load FILE with safetensors.torch.load_file; print its tensors as JSON
  check_index DIR [--max-shard-bytes N --order a,b,c]
                            check DIR's model.safetensors.index.json against its shards (and, given the
                            limit and the original tensor order, against huggingface_hub's shard split)

Tensor JSON: {"tensors": {name: {"dtype": "F32", "shape": [..], "hex": raw little-endian bytes}},
"metadata": {..}}. Raw bytes make the comparison exact, NaN payloads and -0.0 included.
"""

import argparse
import json
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

DTYPES = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def describe(tensors, metadata):
    out = {}
    for name, t in tensors.items():
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes()
        out[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "hex": raw.hex()}
    return {"tensors": out, "metadata": metadata or {}}


def sample_tensors():
    gen = torch.Generator().manual_seed(1234)
    tensors = {}
    for dtype, tag in DTYPES.items():
        if dtype.is_floating_point:
            t = torch.randn(3, 5, 7, generator=gen, dtype=torch.float64).to(dtype)
            flat = t.view(-1)
            flat[0], flat[1], flat[2], flat[3] = float("inf"), float("-inf"), float("nan"), -0.0
        elif dtype == torch.bool:
            t = torch.randint(0, 2, (4, 9), generator=gen).bool()
        else:
            info = torch.iinfo(dtype)
            t = torch.randint(info.min, info.max, (6, 11), generator=gen, dtype=torch.int64).to(dtype)
            t.view(-1)[0], t.view(-1)[1] = info.min, info.max
        tensors["t_" + tag.lower()] = t
    tensors["scalar"] = torch.tensor(2.5, dtype=torch.float32)
    tensors["empty"] = torch.zeros(0, 4, dtype=torch.bfloat16)
    tensors["layers.0.attn.q_proj.weight"] = torch.randn(64, 48, generator=gen)
    return tensors


def cmd_make(path):
    tensors = sample_tensors()
    metadata = {"format": "pt", "note": "written by safetensors.torch.save_file \u2713"}
    save_file(tensors, path, metadata=metadata)
    print(json.dumps(describe(tensors, metadata)))


def cmd_dump(path):
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    print(json.dumps(describe(tensors, metadata)))


def cmd_check_index(directory, max_shard_bytes, order):
    errors = []
    index_path = os.path.join(directory, "model.safetensors.index.json")
    with open(index_path, encoding="utf-8") as f:
        text = f.read()
    index = json.loads(text)
    if text != json.dumps(index, indent=2, sort_keys=True) + "\n":
        errors.append("index text differs from save_pretrained's json.dumps(indent=2, sort_keys=True)")
    weight_map = index["weight_map"]
    total_size = index["metadata"]["total_size"]

    found = {}
    for shard in sorted(set(weight_map.values())):
        with safe_open(os.path.join(directory, shard), framework="pt") as f:
            for key in f.keys():
                if key in found:
                    errors.append(f"{key} is in {found[key][0]} and {shard}")
                found[key] = (shard, f.get_tensor(key))
    if set(found) != set(weight_map):
        errors.append(f"weight_map keys {sorted(weight_map)} != shard contents {sorted(found)}")
    for key, shard in weight_map.items():
        if key in found and found[key][0] != shard:
            errors.append(f"{key}: weight_map says {shard}, found in {found[key][0]}")
    actual = sum(t.numel() * t.element_size() for _, t in found.values())
    if actual != total_size:
        errors.append(f"total_size {total_size} != {actual}")

    if max_shard_bytes is not None:
        from huggingface_hub import split_torch_state_dict_into_shards

        state_dict = {name: found[name][1] for name in order}
        split = split_torch_state_dict_into_shards(state_dict, max_shard_size=max_shard_bytes)
        if split.tensor_to_filename != weight_map:
            errors.append(f"huggingface_hub split {split.tensor_to_filename} != weight_map {weight_map}")
        if split.metadata["total_size"] != total_size:
            errors.append(f"huggingface_hub total_size {split.metadata['total_size']} != {total_size}")

    print(json.dumps({"ok": not errors, "errors": errors, "shards": sorted(set(weight_map.values())),
                      "total_size": total_size}))
    return 0 if not errors else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("make").add_argument("file")
    sub.add_parser("dump").add_argument("file")
    check = sub.add_parser("check_index")
    check.add_argument("dir")
    check.add_argument("--max-shard-bytes", type=int)
    check.add_argument("--order", default="")
    args = parser.parse_args()
    if args.command == "make":
        cmd_make(args.file)
    elif args.command == "dump":
        cmd_dump(args.file)
    else:
        order = [name for name in args.order.split(",") if name]
        return cmd_check_index(args.dir, args.max_shard_bytes, order)
    return 0


if __name__ == "__main__":
    sys.exit(main())
