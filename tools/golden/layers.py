"""Golden tensors for Embedding, Linear, softmax cross-entropy and the adaptive softmax (PyTorch 1.13).

Run with Debian's PyTorch:  /usr/bin/python3 tools/golden/layers.py
Writes tests/Recur.Tests/Golden/layers/{embedding,linear,cross_entropy,adaptive_softmax,
adaptive_softmax_bias}.safetensors: inputs, parameters, outputs and every gradient. Layer losses are sum(out * W) with a fixed random W,
so the output gradient is W.
"""
import os

import torch

from safetensors_io import save

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Recur.Tests", "Golden", "layers")


def embedding():
    torch.manual_seed(1)
    layer = torch.nn.Embedding(7, 5)
    ids = torch.tensor([3, 0, 6, 3, 3, 1])
    y = layer(ids)
    w = torch.randn_like(y)
    (y * w).sum().backward()
    save(os.path.join(OUT, "embedding.safetensors"), {
        "ids": ids.to(torch.int32), "weight": layer.weight, "out": y, "loss_weight": w,
        "grad_weight": layer.weight.grad,
    })


def linear():
    torch.manual_seed(2)
    layer = torch.nn.Linear(5, 4)
    x = torch.randn(2, 3, 5, requires_grad=True)
    y = layer(x)
    w = torch.randn_like(y)
    (y * w).sum().backward()
    save(os.path.join(OUT, "linear.safetensors"), {
        "x": x, "weight": layer.weight, "bias": layer.bias, "out": y, "loss_weight": w,
        "grad_x": x.grad, "grad_weight": layer.weight.grad, "grad_bias": layer.bias.grad,
    })


def cross_entropy():
    torch.manual_seed(3)
    tensors = {}
    cases = {
        "default": (torch.tensor([1, 4, -100, 0, 2, 4]), -100),
        "custom": (torch.tensor([3, 1, 3, 0, 2, 4]), 3),
    }
    for name, (targets, ignore) in cases.items():
        logits = (3 * torch.randn(6, 5)).requires_grad_()
        loss = torch.nn.functional.cross_entropy(logits, targets, ignore_index=ignore)
        loss.backward()
        tensors.update({
            f"{name}.logits": logits, f"{name}.targets": targets.to(torch.int32),
            f"{name}.ignore_index": torch.tensor([ignore], dtype=torch.int32),
            f"{name}.loss": loss.detach().reshape(1), f"{name}.grad_logits": logits.grad,
        })
    save(os.path.join(OUT, "cross_entropy.safetensors"), tensors)


def adaptive_softmax(name, head_bias):
    """nn.AdaptiveLogSoftmaxWithLoss(6, 11, [3, 7], div_value=2): a shortlist of 3 and two
    clusters projected to 3 and 1 features; targets in all three parts. Saves the parameters
    under the module's own names, the mean loss, the per-row target log-probabilities, the
    full log-probability rows and the gradients of the input and every parameter."""
    torch.manual_seed(5)
    layer = torch.nn.AdaptiveLogSoftmaxWithLoss(6, 11, [3, 7], div_value=2.0, head_bias=head_bias)
    x = torch.randn(9, 6, requires_grad=True)
    targets = torch.tensor([0, 4, 10, 2, 7, 3, 1, 9, 6])
    out = layer(x, targets)
    out.loss.backward()
    tensors = {"x": x, "targets": targets.to(torch.int32), "loss": out.loss.reshape(1), "output": out.output,
               "log_prob": layer.log_prob(x), "grad_x": x.grad}
    for key, p in layer.named_parameters():
        tensors[key] = p
        tensors["grad_" + key] = p.grad
    save(os.path.join(OUT, name + ".safetensors"), tensors)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    embedding()
    linear()
    cross_entropy()
    adaptive_softmax("adaptive_softmax", head_bias=False)
    adaptive_softmax("adaptive_softmax_bias", head_bias=True)
    print("wrote", os.path.normpath(OUT))
