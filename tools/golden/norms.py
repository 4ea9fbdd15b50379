"""Golden tensors for the normalization layers (PyTorch 1.13).

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/norms.py
Writes tests/Recur.Tests/Golden/norm/*.safetensors. Every case stores its input, parameters,
output, the fixed random W of the loss sum(out * W), and every gradient. Affine parameters are
set to random values so that they matter. RMS norm is built from tensor operations (1.13 has no
nn.RMSNorm); weight norm uses torch.nn.utils.weight_norm.
"""
import os

import torch

from safetensors_io import save

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Recur.Tests", "Golden", "norm")


def randomize_affine(module):
    with torch.no_grad():
        if getattr(module, "weight", None) is not None:
            module.weight.copy_(1 + 0.5 * torch.randn_like(module.weight))
        if getattr(module, "bias", None) is not None:
            module.bias.copy_(0.5 * torch.randn_like(module.bias))


def run(module, x, prefix, tensors, forward=None):
    """Forward, loss sum(out * W), backward; stores out, W and the gradients under prefix."""
    module.zero_grad()
    x = x.clone().requires_grad_()
    y = forward(x) if forward else module(x)
    w = torch.randn_like(y)
    (y * w).sum().backward()
    tensors[f"{prefix}.x"] = x.detach()
    tensors[f"{prefix}.out"] = y.detach()
    tensors[f"{prefix}.loss_weight"] = w
    tensors[f"{prefix}.grad_x"] = x.grad
    for name, p in module.named_parameters():
        tensors[f"{prefix}.grad_{name}"] = p.grad.clone()


def params(module, prefix, tensors):
    for name, p in module.named_parameters():
        tensors[f"{prefix}.{name}"] = p.detach().clone()


def batch_norm():
    torch.manual_seed(10)
    t = {}
    for case, shape in {"nc": (6, 4), "ncl": (3, 4, 5)}.items():
        bn = torch.nn.BatchNorm1d(4)
        randomize_affine(bn)
        params(bn, case, t)
        bn.train()
        run(bn, 2 * torch.randn(*shape) + 3, f"{case}.train", t)
        for step in (2, 3):
            x = 2 * torch.randn(*shape) - 1
            t[f"{case}.step{step}.x"] = x
            bn(x)
        t[f"{case}.running_mean"] = bn.running_mean.clone()
        t[f"{case}.running_var"] = bn.running_var.clone()
        bn.eval()
        run(bn, 2 * torch.randn(*shape) + 1, f"{case}.eval", t)
    # Momentum None: a cumulative average of the three batches' statistics.
    bn = torch.nn.BatchNorm1d(4, momentum=None)
    for step in (1, 2, 3):
        x = torch.randn(3, 4, 5) * step + step
        t[f"cumulative.step{step}.x"] = x
        bn(x)
    t["cumulative.running_mean"] = bn.running_mean.clone()
    t["cumulative.running_var"] = bn.running_var.clone()
    save(os.path.join(OUT, "batch_norm.safetensors"), t)


def layer_norm():
    torch.manual_seed(11)
    t = {}
    x = torch.randn(3, 4, 5) * 2 + 1
    for case, shape in {"last": [5], "last2": [4, 5]}.items():
        ln = torch.nn.LayerNorm(shape)
        randomize_affine(ln)
        params(ln, case, t)
        run(ln, x, case, t)
    ln = torch.nn.LayerNorm([5], elementwise_affine=False)
    run(ln, x, "plain", t)
    save(os.path.join(OUT, "layer_norm.safetensors"), t)


def instance_norm():
    torch.manual_seed(12)
    t = {}
    x = torch.randn(3, 4, 6) * 2 + 1
    run(torch.nn.InstanceNorm1d(4), x, "plain", t)
    inorm = torch.nn.InstanceNorm1d(4, affine=True)
    randomize_affine(inorm)
    params(inorm, "affine", t)
    run(inorm, x, "affine", t)
    # Running statistics: two training steps, then evaluation with them.
    inorm = torch.nn.InstanceNorm1d(4, affine=True, track_running_stats=True)
    randomize_affine(inorm)
    params(inorm, "tracked", t)
    inorm.train()
    run(inorm, x, "tracked.train", t)
    x2 = torch.randn(3, 4, 6) - 2
    t["tracked.step2.x"] = x2
    inorm(x2)
    t["tracked.running_mean"] = inorm.running_mean.clone()
    t["tracked.running_var"] = inorm.running_var.clone()
    inorm.eval()
    run(inorm, torch.randn(3, 4, 6) + 0.5, "tracked.eval", t)
    save(os.path.join(OUT, "instance_norm.safetensors"), t)


def group_norm():
    torch.manual_seed(13)
    t = {}
    gn = torch.nn.GroupNorm(2, 6)
    randomize_affine(gn)
    params(gn, "affine", t)
    run(gn, torch.randn(3, 6, 5) * 2 + 1, "affine", t)
    run(torch.nn.GroupNorm(3, 6, affine=False), torch.randn(2, 6, 4) - 1, "plain", t)
    save(os.path.join(OUT, "group_norm.safetensors"), t)


class RMSNorm(torch.nn.Module):
    """torch.nn.RMSNorm (PyTorch >= 2.4) built from tensor operations, with eps = 1e-5."""

    def __init__(self, size, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = torch.nn.Parameter(torch.ones(size))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rms_norm():
    torch.manual_seed(14)
    t = {}
    rms = RMSNorm(8)
    randomize_affine(rms)
    params(rms, "affine", t)
    run(rms, torch.randn(3, 4, 8) * 2 + 0.5, "affine", t)
    save(os.path.join(OUT, "rms_norm.safetensors"), t)


def weight_norm():
    torch.manual_seed(15)
    t = {}
    layer = torch.nn.utils.weight_norm(torch.nn.Linear(5, 3))
    with torch.no_grad():
        layer.weight_g.mul_(1 + torch.rand_like(layer.weight_g))
    params(layer, "linear", t)
    run(layer, torch.randn(4, 5), "linear", t)
    t["linear.weight"] = layer.weight.detach().clone()
    save(os.path.join(OUT, "weight_norm.safetensors"), t)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    batch_norm()
    layer_norm()
    instance_norm()
    group_norm()
    rms_norm()
    weight_norm()
    print("wrote", os.path.normpath(OUT))
