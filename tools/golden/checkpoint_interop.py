#!/usr/bin/python3
"""Golden files for checkpoint interop (issue 6): Recur's model.safetensors in PyTorch, and back.

A Recur language model is nn.Embedding ("embedding") -> nn.RNN/LSTM/GRU ("rnn") ->
nn.Linear or nn.AdaptiveLogSoftmaxWithLoss ("head"), with PyTorch's parameter names and
layouts, so its state dict loads into those modules unchanged. Variants: every cell with a
full softmax; an LSTM with an adaptive softmax (cutoffs [3, 5], div_value 2); an LSTM whose
head is tied to the embedding (E = H, as word_language_model's --tied).

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
    "lstm": lambda e: torch.nn.LSTM(e, H, L),
    "gru": lambda e: torch.nn.GRU(e, H, L),
    "rnn_tanh": lambda e: torch.nn.RNN(e, H, L, nonlinearity="tanh"),
    "rnn_relu": lambda e: torch.nn.RNN(e, H, L, nonlinearity="relu"),
}
# name -> (cell, head): "full", "adaptive" (cutoffs [3, 5], div_value 2) or "tied" (E = H)
VARIANTS = {cell: (cell, "full") for cell in CELLS}
VARIANTS["lstm_adaptive"] = ("lstm", "adaptive")
VARIANTS["lstm_tied"] = ("lstm", "tied")


class LanguageModel(torch.nn.Module):
    def __init__(self, variant):
        super().__init__()
        cell, head = VARIANTS[variant]
        e = H if head == "tied" else E
        self.embedding = torch.nn.Embedding(V, e)
        self.rnn = CELLS[cell](e)
        if head == "adaptive":
            self.head = torch.nn.AdaptiveLogSoftmaxWithLoss(H, V, [3, 5], div_value=2.0)
        else:
            self.head = torch.nn.Linear(H, V)
            if head == "tied":
                self.head.weight = self.embedding.weight

    def log_probs(self, tokens):
        """Log-probabilities after each token, fed one at a time from a zero state."""
        state, rows = None, []
        with torch.no_grad():
            for t in tokens:
                x = self.embedding(torch.tensor([[t]]))
                out, state = self.rnn(x, state)
                h = out[0]
                if isinstance(self.head, torch.nn.AdaptiveLogSoftmaxWithLoss):
                    rows.append(self.head.log_prob(h)[0])
                else:
                    rows.append(torch.log_softmax(self.head(h[0]), dim=-1))
        return torch.stack(rows)


def main():
    torch.manual_seed(2024)
    for cell in VARIANTS:
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
        tensors = {k: v.clone() for k, v in model.state_dict().items()}
        tensors["tokens"] = torch.tensor(TOKENS, dtype=torch.int64)
        tensors["log_probs"] = model.log_probs(TOKENS)
        safetensors_io.save(os.path.join(OUT, f"torch_{cell}.safetensors"), tensors)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
