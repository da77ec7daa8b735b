"""Oracle for core/train/optimizer: torch.optim.AdamW and clip_grad_norm_ on the other side.

  adamw_oracle.py IN SETTINGS OUT

IN (safetensors): "param.<name>" initial parameters, "grad.<k>.<name>" the gradient of step k (1-based).
SETTINGS (JSON): {"names": [...] (parameter order), "no_decay": [...] (names put in a weight_decay=0 group),
  "lrs": [lr of step 1, ...], "beta1", "beta2", "eps", "weight_decay", "max_norm",
  "master": false | true}
OUT (safetensors): after every step k "step<k>.param.<name>" and "step<k>.grad_norm" (0-d, before clipping);
  after the last step "exp_avg.<name>", "exp_avg_sq.<name>" and, with master, "master.<name>".

master=false: the parameters themselves go to torch.optim.AdamW (foreach=False, the single-tensor path) and
the gradients through torch.nn.utils.clip_grad_norm_(foreach=False).
master=true: bf16 parameters get an fp32 master copy that AdamW updates and that is copied (rounded) back
after each step; fp32 parameters are their own master. Clipping is done by hand on the low-precision grads
with the per-parameter norms in fp32 (clip_grad_norm_ would round a bf16 grad's norm to bf16), then the
masters get the clipped grads as fp32.
"""

import json
import sys

import torch
from safetensors.torch import load_file, save_file


def clip_fp32_norms(grads, max_norm):
    norms = [torch.linalg.vector_norm(g, 2, dtype=torch.float32) for g in grads]
    total = torch.linalg.vector_norm(torch.stack(norms), 2)
    coef = torch.clamp(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        g.mul_(coef)
    return total


def main(in_path, settings_path, out_path):
    tensors = load_file(in_path)
    with open(settings_path, encoding="utf-8") as f:
        s = json.load(f)
    names, no_decay, lrs = s["names"], set(s["no_decay"]), s["lrs"]

    params = [tensors["param." + n].clone() for n in names]
    if s["master"]:
        masters = [p.float().clone() if p.dtype != torch.float32 else p for p in params]
    else:
        masters = params
    for m in masters:
        m.requires_grad_(True)

    groups = [
        {"params": [m for n, m in zip(names, masters) if n not in no_decay], "weight_decay": s["weight_decay"]},
        {"params": [m for n, m in zip(names, masters) if n in no_decay], "weight_decay": 0.0},
    ]
    opt = torch.optim.AdamW([g for g in groups if g["params"]], lr=lrs[0], betas=(s["beta1"], s["beta2"]),
                            eps=s["eps"], foreach=False)

    out = {}
    for k, lr in enumerate(lrs, start=1):
        grads = [tensors[f"grad.{k}.{n}"].clone() for n in names]
        if s["master"]:
            norm = clip_fp32_norms(grads, s["max_norm"])
            for m, g in zip(masters, grads):
                m.grad = g.float()
        else:
            for p, g in zip(params, grads):
                p.grad = g
            norm = torch.nn.utils.clip_grad_norm_(params, s["max_norm"], foreach=False)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        with torch.no_grad():
            for p, m in zip(params, masters):
                if p is not m:
                    p.copy_(m)
        for n, p in zip(names, params):
            out[f"step{k}.param.{n}"] = p.detach().clone()
        out[f"step{k}.grad_norm"] = norm.detach().clone()

    for n, p, m in zip(names, params, masters):
        state = opt.state[m]
        out["exp_avg." + n] = state["exp_avg"]
        out["exp_avg_sq." + n] = state["exp_avg_sq"]
        if m is not p:
            out["master." + n] = m.detach()
    save_file({k: v.contiguous() for k, v in out.items()}, out_path)
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
