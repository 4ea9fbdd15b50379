#!/usr/bin/python3
"""Golden files for checkpoint interop (issue 6): Recur's model.safetensors in PyTorch, and back.

A Recur language model is nn.Embedding ("embedding") -> nn.RNN/LSTM/GRU ("rnn") ->
nn.Linear ("head"), with PyTorch's parameter names and layouts, so its state dict loads
into those modules unchanged.

1. Recur -> PyTorch: for each tests/Recur.Tests/Golden/checkpoint/recur_<cell>.safetensors
   (written by Recur itself; see CheckpointInteropTests), load the weights into the PyTorch
   modules and write the log-probabilities of every next token along a fixed token sequence,
   read one token at a time from a zero state, to recur_<cell>.torch.safetensors.
2. PyTorch -> Recur: build the same modules with a fixed seed, write their state dict and the
   same log-probabilities to torch_<cell>.safetensors.

Run with Debian's PyTorch: /usr/bin/python3 tools/golden/checkpoint_interop.py
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
import safetensors_io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "Recur.Tests", "Golden", "checkpoint")
V, E, H, L = 7, 5, 6, 2
TOKENS = [6, 0, 1, 2, 6, 3, 4, 5, 5, 0]
CELLS = {
    "lstm": lambda: torch.nn.LSTM(E, H, L),
    "gru": lambda: torch.nn.GRU(E, H, L),
    "rnn_tanh": lambda: torch.nn.RNN(E, H, L, nonlinearity="tanh"),
    "rnn_relu": lambda: torch.nn.RNN(E, H, L, nonlinearity="relu"),
}


class LanguageModel(torch.nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.embedding = torch.nn.Embedding(V, E)
        self.rnn = CELLS[cell]()
        self.head = torch.nn.Linear(H, V)

    def log_probs(self, tokens):
        """Log-probabilities after each token, fed one at a time from a zero state."""
        state, rows = None, []
        with torch.no_grad():
            for t in tokens:
                x = self.embedding(torch.tensor([[t]]))
                out, state = self.rnn(x, state)
                rows.append(torch.log_softmax(self.head(out[0, 0]), dim=-1))
        return torch.stack(rows)


def main():
    torch.manual_seed(2024)
    for cell in CELLS:
        recur_path = os.path.join(OUT, f"recur_{cell}.safetensors")
        if os.path.exists(recur_path):
            weights, _ = safetensors_io.load(recur_path)
            model = LanguageModel(cell)
            model.load_state_dict({k: torch.from_numpy(v) for k, v in weights.items()}, strict=True)
            safetensors_io.save(os.path.join(OUT, f"recur_{cell}.torch.safetensors"),
                                {"tokens": torch.tensor(TOKENS, dtype=torch.int64), "log_probs": model.log_probs(TOKENS)})
        else:
            print(f"skipping {recur_path}: write it first (CheckpointInteropTests with RECUR_WRITE_GOLDEN=1)")
        model = LanguageModel(cell)
        tensors = dict(model.state_dict())
        tensors["tokens"] = torch.tensor(TOKENS, dtype=torch.int64)
        tensors["log_probs"] = model.log_probs(TOKENS)
        safetensors_io.save(os.path.join(OUT, f"torch_{cell}.safetensors"), tensors)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
