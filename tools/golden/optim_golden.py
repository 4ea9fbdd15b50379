#!/usr/bin/env python3
"""Golden files for src/Recur/Optim, from PyTorch (torch.optim, clip_grad_*, lr_scheduler).

Run: /usr/bin/python3 tools/golden/optim_golden.py   (PyTorch 1.13; writes tests/Recur.Tests/Golden/optim_*.safetensors)

optim_trajectories: one parameter set (w1 6x7 weight, b1 7 bias, w2 3x6 weight, emb 5x3 embedding;
  82 values packed in that order, as Recur's ParameterStore packs them) and one stored gradient sequence
  (200 x 82, fed to both sides so no loss function has to agree). For each configuration below, the
  parameters after step 1, step 50 and step 200. PyTorch weight_decay = w is Recur's L2(w / 2); AdamW's
  weight_decay = w is Recur's DecoupledWeightDecay(w).
optim_clip: clip_grad_norm_ (returned norm, clipped gradients) and clip_grad_value_ cases.
optim_schedules: learning rates before each of N optimizer steps for StepLR, CosineAnnealingLR,
  LinearLR + CosineAnnealingLR through SequentialLR, a LambdaLR warm-up from 0, and
  CosineAnnealingWarmRestarts.
"""
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Recur.Tests", "Golden")
SHAPES = [("w1", (6, 7)), ("b1", (7,)), ("w2", (3, 6)), ("emb", (5, 3))]
STEPS = 200
SNAPSHOTS = (1, 50, 200)

# name -> (optimizer class, keyword arguments, group layout, scheduler factory or None)
# group layout "one": every parameter in one group; "kind": weights / (bias, embedding) as Recur's
# default grouping; "lr": like "kind" but the second group also has its own lr.
CONFIGS = {
    "sgd_plain": (torch.optim.SGD, dict(lr=0.1), "one", None),
    "sgd_momentum": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, dampening=0.1), "one", None),
    "sgd_nesterov": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True), "one", None),
    "sgd_weight_decay": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.01), "one", None),
    "sgd_groups": (torch.optim.SGD, dict(lr=0.05, momentum=0.9, weight_decay=0.02), "lr", None),
    "adam": (torch.optim.Adam, dict(lr=1e-2), "one", None),
    "adam_weight_decay": (torch.optim.Adam, dict(lr=1e-2, weight_decay=0.01), "one", None),
    "adam_amsgrad": (torch.optim.Adam, dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, amsgrad=True, weight_decay=0.02), "one", None),
    "adamw": (torch.optim.AdamW, dict(lr=1e-2), "one", None),
    "adamw_amsgrad": (torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1, amsgrad=True), "one", None),
    "adamw_groups": (torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.05), "kind", None),
    "adamw_cosine": (torch.optim.AdamW, dict(lr=2e-2, weight_decay=0.1), "one",
                     lambda opt: torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=STEPS, eta_min=1e-4)),
}


def make_data(gen):
    init = torch.randn(sum(math.prod(s) for _, s in SHAPES), generator=gen, dtype=torch.float32)
    # Gradients with per-element scales over four decades, a per-element drift (so momentum and
    # Adam's first moment build up), and a per-step scale that sometimes jumps.
    element_scale = 10.0 ** (-3.0 * torch.rand(init.numel(), generator=gen))
    drift = 0.5 * torch.randn(init.numel(), generator=gen)
    step_scale = torch.where(torch.rand(STEPS, generator=gen) < 0.1, 5.0, 1.0) * (0.5 + torch.rand(STEPS, generator=gen))
    noise = torch.randn(STEPS, init.numel(), generator=gen)
    grads = (step_scale[:, None] * element_scale[None, :] * (noise + drift[None, :])).to(torch.float32)
    return init, grads


def split(flat):
    out, offset = [], 0
    for _, shape in SHAPES:
        n = math.prod(shape)
        out.append(flat[offset:offset + n].view(shape))
        offset += n
    return out


def run(config, init, grads):
    cls, kwargs, layout, scheduler_factory = config
    params = [torch.nn.Parameter(t.clone()) for t in split(init.clone())]
    w1, b1, w2, emb = params
    if layout == "one":
        groups = [{"params": params}]
    elif layout == "kind":
        groups = [{"params": [w1, w2]}, {"params": [b1, emb], "weight_decay": 0.0}]
    else:
        groups = [{"params": [w1, w2]}, {"params": [b1, emb], "weight_decay": 0.0, "lr": 0.1}]
    opt = cls(groups, **kwargs)
    scheduler = scheduler_factory(opt) if scheduler_factory else None
    snapshots = {}
    for t in range(STEPS):
        for p, g in zip(params, split(grads[t])):
            p.grad = g.clone()
        opt.step()
        if scheduler:
            scheduler.step()
        if t + 1 in SNAPSHOTS:
            snapshots[t + 1] = torch.cat([p.detach().reshape(-1) for p in params]).clone()
    return snapshots


def trajectories():
    gen = torch.Generator().manual_seed(20240531)
    init, grads = make_data(gen)
    tensors = {"init": init, "grads": grads}
    for name, config in CONFIGS.items():
        for step, value in run(config, init, grads).items():
            tensors[f"{name}.step{step}"] = value
    safetensors_io.save(os.path.join(OUT, "optim_trajectories.safetensors"), tensors,
                        {"source": "tools/golden/optim_golden.py", "torch": torch.__version__})


def clipping():
    gen = torch.Generator().manual_seed(7)
    tensors = {}
    # (case, gradient scale, max_norm): clipped hard, clipped barely, not clipped, max_norm below 1e-6 scale
    cases = [("large", 10.0, 1.0), ("barely", 1.0, 0.9), ("unclipped", 0.1, 5.0), ("tiny", 1e-4, 1e-5)]
    for name, scale, max_norm in cases:
        grads = [scale * torch.randn(math.prod(s), generator=gen) for _, s in SHAPES]
        params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        norm = torch.nn.utils.clip_grad_norm_(params, max_norm)
        tensors[f"norm.{name}.before"] = torch.cat(grads)
        tensors[f"norm.{name}.after"] = torch.cat([p.grad for p in params])
        tensors[f"norm.{name}.max_norm"] = torch.tensor([max_norm], dtype=torch.float64)
        tensors[f"norm.{name}.norm"] = torch.tensor([norm.item()], dtype=torch.float64)
    grads = [2.0 * torch.randn(math.prod(s), generator=gen) for _, s in SHAPES]
    params = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_value_(params, 0.75)
    tensors["value.before"] = torch.cat(grads)
    tensors["value.after"] = torch.cat([p.grad for p in params])
    tensors["value.clip_value"] = torch.tensor([0.75], dtype=torch.float64)
    safetensors_io.save(os.path.join(OUT, "optim_clip.safetensors"), tensors,
                        {"source": "tools/golden/optim_golden.py", "torch": torch.__version__})


def schedule_values(base_lr, steps, make):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=base_lr)
    scheduler = make(opt)
    values = []
    for _ in range(steps):
        values.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return torch.tensor(values, dtype=torch.float64)


def schedules():
    lr = torch.optim.lr_scheduler
    base = 0.1

    def warmup_cosine_zero(opt):
        # Warm-up from 0 over 10 steps, then cosine to 1e-3 over the remaining 90 (Recur's default start factor 0).
        def factor(t):
            if t < 10:
                return t / 10
            return (1e-3 + (base - 1e-3) * (1 + math.cos(math.pi * (t - 10) / 90)) / 2) / base
        return lr.LambdaLR(opt, factor)

    tensors = {
        "step": schedule_values(base, 60, lambda o: lr.StepLR(o, step_size=7, gamma=0.5)),
        "cosine": schedule_values(base, 130, lambda o: lr.CosineAnnealingLR(o, T_max=50, eta_min=1e-3)),
        "warmup_cosine": schedule_values(base, 100, lambda o: lr.SequentialLR(
            o, [lr.LinearLR(o, start_factor=0.1, total_iters=10), lr.CosineAnnealingLR(o, T_max=90, eta_min=1e-3)],
            milestones=[10])),
        "warmup_cosine_zero": schedule_values(base, 100, warmup_cosine_zero),
        "restarts": schedule_values(base, 100, lambda o: lr.CosineAnnealingWarmRestarts(o, T_0=10, eta_min=1e-3)),
        "restarts_mult": schedule_values(base, 160, lambda o: lr.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-3)),
    }
    safetensors_io.save(os.path.join(OUT, "optim_schedules.safetensors"), tensors,
                        {"source": "tools/golden/optim_golden.py", "torch": torch.__version__, "base_lr": str(base)})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    trajectories()
    clipping()
    schedules()
    print("wrote optim_trajectories, optim_clip, optim_schedules to", os.path.normpath(OUT))
