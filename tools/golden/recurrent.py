"""Golden tensors for Recur's recurrent layers (tests/Recur.Tests/Nn/Recurrent/RecurrentGoldenTests.cs).

Run by hand with Debian's PyTorch:  /usr/bin/python3 tools/golden/recurrent.py
Writes tests/Recur.Tests/Golden/recurrent/<case>.safetensors, one file per case, holding the
float32 inputs, initial states, loss weights and parameters (PyTorch names), and the outputs,
final states and every gradient of L = sum(out*w_out) + sum(h_n*w_hn) [+ sum(c_n*w_cn)],
computed in float64 from those float32 values.

nn.RNN (tanh, relu), nn.LSTM and nn.GRU are the references for their cases. The variants PyTorch
does not have (the pre-activation Elman form of docs/theory.md 1.1 and the layer-normalized cells of
Ba et al. 2016 as documented in src/Recur/Nn/Recurrent/RecurrentLayer.cs) come from `reference`
below, written from the equations with autograd; the script first checks that `reference`
reproduces nn.RNN, nn.LSTM and nn.GRU to 1e-12 on every module case.
"""
import os

import torch

import safetensors_io

T, B, I, H = 5, 3, 4, 6
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "Recur.Tests", "Golden", "recurrent")
ACT = {"tanh": torch.tanh, "relu": torch.relu, "sigmoid": torch.sigmoid}
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def layer_norm(x, gain, shift, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = ((x - mean) ** 2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gain + shift


def reference(cell, params, x, h0, c0, layers, act="tanh", form="standard", ln=False):
    """Recur's equations, step by step; params maps PyTorch-style names to tensors."""
    sigma = ACT[act]
    out, h_n, c_n = x, [], []
    for k in range(layers):
        p = {name[: -len(f"_l{k}")]: v for name, v in params.items() if name.endswith(f"_l{k}")}
        h, c = h0[k], (c0[k] if c0 is not None else None)
        steps = []
        for t in range(out.shape[0]):
            xi = out[t] @ p["weight_ih"].T
            if ln:
                xi = layer_norm(xi, p["ln_ih_weight"], p["ln_ih_bias"])
            xi = xi + p["bias_ih"]
            rin = sigma(h) if form == "preactivation" else h
            hh = rin @ p["weight_hh"].T
            if ln:
                hh = layer_norm(hh, p["ln_hh_weight"], p["ln_hh_bias"])
            hh = hh + p["bias_hh"]
            if cell == "rnn":
                h = sigma(xi + hh) if form == "standard" else xi + hh
            elif cell == "lstm":
                i, f, g, o = (xi + hh).chunk(4, -1)
                i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                c = f * c + i * g
                u = layer_norm(c, p["ln_cell_weight"], p["ln_cell_bias"]) if ln else c
                h = o * torch.tanh(u)
            else:
                xr, xz, xn = xi.chunk(3, -1)
                hr, hz, hn = hh.chunk(3, -1)
                r, z = torch.sigmoid(xr + hr), torch.sigmoid(xz + hz)
                n = torch.tanh(xn + r * hn)
                h = (1 - z) * n + z * h
            steps.append(h)
        out = torch.stack(steps)
        h_n.append(h)
        if c is not None:
            c_n.append(c)
    return out, torch.stack(h_n), (torch.stack(c_n) if c_n else None)


def module_for(cell, layers, act):
    if cell == "rnn":
        return torch.nn.RNN(I, H, num_layers=layers, nonlinearity=act)
    return (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(I, H, num_layers=layers)


def make_case(name, cell, layers, act="tanh", form="standard", ln=False, seed=0):
    torch.manual_seed(seed)
    module = module_for(cell, layers, act if cell == "rnn" and act != "sigmoid" else "tanh")
    params32 = {n: p.detach().clone() for n, p in module.named_parameters()}
    if ln:
        for k in range(layers):
            g = GATES[cell] * H
            extra = {"ln_ih": g, "ln_hh": g}
            if cell == "lstm":
                extra["ln_cell"] = H
            for key, n in extra.items():
                params32[f"{key}_weight_l{k}"] = torch.empty(n).uniform_(0.5, 1.5)
                params32[f"{key}_bias_l{k}"] = torch.empty(n).uniform_(-0.5, 0.5)
    x32 = torch.empty(T, B, I).uniform_(-1, 1)
    h032 = torch.empty(layers, B, H).uniform_(-1, 1)
    c032 = torch.empty(layers, B, H).uniform_(-1, 1) if cell == "lstm" else None
    w_out = torch.empty(T, B, H).uniform_(-1, 1)
    w_hn = torch.empty(layers, B, H).uniform_(-1, 1)
    w_cn = torch.empty(layers, B, H).uniform_(-1, 1) if cell == "lstm" else None

    leaf = lambda t: t.double().requires_grad_(True)
    params = {n: leaf(v) for n, v in params32.items()}
    x, h0 = leaf(x32), leaf(h032)
    c0 = leaf(c032) if c032 is not None else None
    out, h_n, c_n = reference(cell, params, x, h0, c0, layers, act, form, ln)

    if not ln and form == "standard" and act != "sigmoid":
        module = module.double()
        with torch.no_grad():
            expected = module(x.detach(), (h0.detach(), c0.detach()) if c0 is not None else h0.detach())
        e_out, e_state = expected
        e_h = e_state[0] if cell == "lstm" else e_state
        assert torch.allclose(out, e_out, atol=1e-12, rtol=0), f"{name}: reference differs from nn.{type(module).__name__}"
        assert torch.allclose(h_n, e_h, atol=1e-12, rtol=0), f"{name}: h_n differs"
        if cell == "lstm":
            assert torch.allclose(c_n, e_state[1], atol=1e-12, rtol=0), f"{name}: c_n differs"

    loss = (out * w_out.double()).sum() + (h_n * w_hn.double()).sum()
    if c_n is not None:
        loss = loss + (c_n * w_cn.double()).sum()
    loss.backward()

    tensors = {"x": x32, "h0": h032, "w_out": w_out, "w_hn": w_hn, "out": out, "h_n": h_n}
    if cell == "lstm":
        tensors.update({"c0": c032, "w_cn": w_cn, "c_n": c_n})
    tensors.update(params32)
    tensors["grad.x"] = x.grad
    tensors["grad.h0"] = h0.grad
    if cell == "lstm":
        tensors["grad.c0"] = c0.grad
    for n, p in params.items():
        tensors[f"grad.{n}"] = p.grad
    tensors = {k: (v.detach().float() if torch.is_tensor(v) else v) for k, v in tensors.items()}
    meta = {"cell": cell, "layers": layers, "activation": act, "form": form, "layer_norm": int(ln),
            "steps": T, "batch": B, "input": I, "hidden": H, "loss": f"{loss.item():.17g}",
            "torch": torch.__version__}
    os.makedirs(OUT, exist_ok=True)
    safetensors_io.save(os.path.join(OUT, f"{name}.safetensors"), tensors, meta)
    print(f"{name}: loss {loss.item():.6f}")


CASES = [
    ("rnn_tanh_l1", dict(cell="rnn", layers=1, act="tanh")),
    ("rnn_tanh_l2", dict(cell="rnn", layers=2, act="tanh")),
    ("rnn_relu_l1", dict(cell="rnn", layers=1, act="relu")),
    ("rnn_relu_l2", dict(cell="rnn", layers=2, act="relu")),
    ("lstm_l1", dict(cell="lstm", layers=1)),
    ("lstm_l2", dict(cell="lstm", layers=2)),
    ("gru_l1", dict(cell="gru", layers=1)),
    ("gru_l2", dict(cell="gru", layers=2)),
    ("rnn_pre_sigmoid_l2", dict(cell="rnn", layers=2, act="sigmoid", form="preactivation")),
    ("rnn_ln_tanh_l2", dict(cell="rnn", layers=2, act="tanh", ln=True)),
    ("rnn_pre_ln_relu_l2", dict(cell="rnn", layers=2, act="relu", form="preactivation", ln=True)),
    ("lstm_ln_l2", dict(cell="lstm", layers=2, ln=True)),
    ("gru_ln_l2", dict(cell="gru", layers=2, ln=True)),
]

if __name__ == "__main__":
    for i, (name, kw) in enumerate(CASES):
        make_case(name, seed=100 + i, **kw)
