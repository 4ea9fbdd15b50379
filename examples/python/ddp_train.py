#!/usr/bin/env python3
"""Continues training a Recur checkpoint with PyTorch's DistributedDataParallel, then writes
the result back as a Recur run folder.

    torchrun --nproc_per_node 2 examples/python/ddp_train.py RUN_FOLDER --out NEW_FOLDER \\
        [--steps 20] [--corpus FILE…] [--seed N] [--lr LR]
    python3 examples/python/ddp_train.py RUN_FOLDER --out NEW_FOLDER --nproc 2   (no torchrun)

Every rank loads RUN_FOLDER (recur_model.load) and wraps the model in DDP (gloo, CPU). The
training text is the corpus config.json records (or --corpus), read and cut as `recur train`
cuts it: its last tenth held out unless the run named a validation file. The token stream is
laid out as Recur's trainer lays it out: B = training.batch streams side by side, windows of
T = training.seq tokens, batch k holding positions [kT, kT + T) of every stream, targets the
inputs shifted by one, the state carried from window to window and reset when the streams
start over. Training continues at batch index config.step (mod the batches per epoch) from
the state the Recur trainer carried (optimizer.safetensors' trainer.hidden / trainer.cell; a
zero state with --corpus or without that file). Of each window's B streams, rank r takes rows
[r·B/W, (r+1)·B/W) (B must be a multiple of the world size W): DDP's averaged gradient of the
ranks' mean losses is then the gradient of the mean loss over the whole B × T batch, as in one
Recur step, so the first step's loss and gradient norm are those `recur train --resume`
reports for that step.

Each step: forward, backward (DDP all-reduces the gradients), the global gradient norm clipped
to training.clip_norm (a step whose norm is not finite is skipped, as Recur skips it), then
torch.optim.Adam (β = 0.9, 0.999, ε = 1e-8, as Recur's Adam) at training.lr, constant. Dropout
masks come from torch's generator seeded with --seed (default training.seed) and the rank, so
a run is deterministic given --seed and the world size. Rank 0 prints each step's loss (the
mean over all ranks, nats per token) and time, and writes NEW_FOLDER with recur_model.save at
step config.step + --steps.

Exit codes: 0 trained and written, 2 a bad argument, run folder, corpus or output folder.
"""
import argparse
import math
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from torch.nn.parallel import DistributedDataParallel  # noqa: E402

import recur_model  # noqa: E402


class StreamBatches:
    """Recur's contiguous-stream batching (src/Recur/Text/StreamBatches.cs), rows [lo, hi) only."""

    def __init__(self, tokens, batch, steps, lo, hi):
        self.tokens = torch.tensor(tokens, dtype=torch.long)
        self.batch, self.steps, self.lo, self.hi = batch, steps, lo, hi
        self.stream_length = (len(tokens) - 1) // batch
        if self.stream_length < steps:
            raise recur_model.RecurFormatError(
                f"corpus: {len(tokens)} tokens are too few for {batch} streams of {steps}-token windows (needs at least {batch * steps + 1})")
        self.count = self.stream_length // steps

    def starts_epoch(self, index):
        return index % self.count == 0

    def window(self, index):
        """(inputs, targets), each (T, hi − lo), time-major, of batch `index` mod count."""
        k = index % self.count
        starts = torch.arange(self.lo, self.hi) * self.stream_length + k * self.steps   # (b,)
        positions = starts.view(1, -1) + torch.arange(self.steps).view(-1, 1)            # (T, b)
        return self.tokens[positions], self.tokens[positions + 1]


def carried_state(model, batch, lo, hi):
    """Rows [lo, hi) of the hidden (and LSTM cell) state the Recur trainer carried into the next
    window (optimizer.safetensors: trainer.hidden, trainer.cell, (L, B, H)), or None when the
    checkpoint has none of that shape (a folder this script wrote has no optimizer file)."""
    path = os.path.join(model.folder, "optimizer.safetensors")
    if not os.path.isfile(path):
        return None
    try:
        tensors, _ = recur_model.read_safetensors(path, dtypes=("F32", "I64"))
    except recur_model.RecurFormatError:
        return None
    shape = (model.rnn.num_layers, batch, model.rnn.hidden_size)
    names = ("trainer.hidden", "trainer.cell") if model.is_lstm else ("trainer.hidden",)
    if any(n not in tensors or tuple(tensors[n].shape) != shape for n in names):
        return None
    parts = tuple(torch.from_numpy(tensors[n][:, lo:hi, :].copy()) for n in names)
    return parts if model.is_lstm else parts[0]


def parse_args(argv):
    p = argparse.ArgumentParser(description="Continue training a Recur checkpoint under torchrun with DDP (gloo, CPU), and write it back as a Recur run folder.")
    p.add_argument("checkpoint", help="a `recur train` run folder (or checkpoint folder)")
    p.add_argument("--out", required=True, help="the run folder to write (must not exist, or be empty)")
    p.add_argument("--steps", type=int, default=20, help="optimizer steps to take (default 20)")
    p.add_argument("--corpus", nargs="+", help="UTF-8 text to train on (default: the corpus config.json records); its last tenth is held out as `recur train` holds it out")
    p.add_argument("--seed", type=int, help="seed of the dropout masks (default: training.seed of config.json)")
    p.add_argument("--lr", type=float, help="learning rate (default: training.lr of config.json)")
    p.add_argument("--nproc", type=int, default=2, help="without torchrun: ranks to spawn on this machine (default 2)")
    args = p.parse_args(argv)
    if args.steps < 1:
        p.error("--steps must be at least 1")
    if args.nproc < 1:
        p.error("--nproc must be at least 1")
    return args


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    return 2


def main(argv=None):
    args = parse_args(argv)
    if "RANK" in os.environ:   # started by torchrun, which sets RANK, WORLD_SIZE, MASTER_ADDR…
        return run_rank(args)
    # Started directly: spawn --nproc ranks here, as torchrun would.
    os.environ.setdefault("MASTER_ADDR", "127.0.0.1")
    os.environ.setdefault("MASTER_PORT", str(free_port()))
    try:
        torch.multiprocessing.spawn(spawned_rank, args=(args,), nprocs=args.nproc)
    except torch.multiprocessing.ProcessExitedException as e:
        return e.exit_code if e.exit_code and e.exit_code > 0 else 1
    return 0


def spawned_rank(rank, args):
    os.environ.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(args.nproc))
    status = run_rank(args)
    if status:
        sys.exit(status)


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_rank(args):
    dist.init_process_group("gloo")
    try:
        return train(args, dist.get_rank(), dist.get_world_size())
    finally:
        dist.destroy_process_group()


def train(args, rank, world):
    torch.set_num_threads(1)   # one core per rank; also keeps each rank's sums in a fixed order
    torch.use_deterministic_algorithms(True)
    # Every rank checks the same things, so all of them stop on the same error.
    try:
        model = recur_model.load(args.checkpoint)
        config, tokenizer = model.config, model.tokenizer
        t = config["training"]
        batch, seq = int(t["batch"]), int(t["seq"])
        if batch % world:
            raise recur_model.RecurFormatError(f"config.json: \"training.batch\" {batch} is not a multiple of the {world} ranks; run a number of ranks that divides it")
        if model.locked and model.rnn.num_layers > 1 and model.rnn.dropout > 0:
            raise recur_model.RecurFormatError("config.json: \"model.locked_dropout\": nn.RNN's dropout between layers is not locked; continue it with one layer or without dropout")
        if t.get("optimizer") != "adam" or t.get("weight_decay") or t.get("l2"):
            if rank == 0:
                print(f"note: config.json trains with {t.get('optimizer')} (weight_decay {t.get('weight_decay')}, l2 {t.get('l2')}); this script continues with plain Adam", flush=True)
        if args.corpus:
            files, validation = args.corpus, None
        else:
            files, validation = recur_model.corpus_files(config), config.get("validation_corpus")
        tokens = recur_model.training_tokens(tokenizer, files, validation)
        rows = batch // world
        data = StreamBatches(tokens, batch, seq, rank * rows, (rank + 1) * rows)
        if rank == 0 and os.path.exists(args.out) and (not os.path.isdir(args.out) or os.listdir(args.out)):
            raise recur_model.RecurFormatError(f"{args.out}: exists and is not an empty folder; give a fresh folder")
        error = None
    except recur_model.RecurFormatError as e:
        error = e
    # All ranks stop if any cannot go on; the lowest rank that failed says why.
    flags = [torch.zeros(1, dtype=torch.long) for _ in range(world)]
    dist.all_gather(flags, torch.tensor([0 if error is None else 1]))
    failed = [r for r in range(world) if flags[r].item()]
    if failed:
        return fail(error) if rank == failed[0] else 2

    seed = int(t["seed"]) if args.seed is None else args.seed
    torch.manual_seed(seed * 1000003 + rank)
    lr = float(t["lr"]) if args.lr is None else args.lr
    clip = t.get("clip_norm")
    clip = float(clip) if clip else float("inf")
    model.train()
    ddp = DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    state, carried = model.zero_state(rows), "zero"
    if not args.corpus:
        saved = carried_state(model, batch, rank * rows, (rank + 1) * rows)
        if saved is not None:
            state, carried = saved, "carried"
    start, skipped = model.step, 0
    if rank == 0:
        print(f"{model.folder}: step {start}, {len(tokens):,} training tokens, {data.count} windows per epoch; "
              f"{world} ranks × {rows} streams × {seq} steps from the {carried} state; Adam lr {lr:g}, clip {clip:g}, seed {seed}", flush=True)
    for i in range(args.steps):
        clock = time.perf_counter()
        index = start + i
        if data.starts_epoch(index):
            state = model.zero_state(rows)
        inputs, targets = data.window(index)
        loss, state = ddp(inputs, targets, state)
        state = model.detach_state(state)
        optimizer.zero_grad(set_to_none=False)
        loss.backward()
        norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip))
        finite = math.isfinite(norm)
        if finite:
            optimizer.step()
        else:
            skipped += 1
        mean = loss.detach().clone()
        dist.all_reduce(mean)
        elapsed = time.perf_counter() - clock
        if rank == 0:
            note = "" if finite else "  (gradient not finite: step skipped)"
            print(f"step {index + 1:6d}  loss {mean.item() / world:.6f}  grad_norm {norm:.4f}  {elapsed * 1000:7.1f} ms{note}", flush=True)

    model.eval()
    status = 0
    if rank == 0:
        try:
            folder = recur_model.save(model, args.out, step=start + args.steps)
            print(f"wrote {folder} (step {start + args.steps}{f', {skipped} skipped' if skipped else ''})", flush=True)
        except (recur_model.RecurFormatError, OSError) as e:
            status = fail(e)
    dist.barrier()
    return status


if __name__ == "__main__":
    sys.exit(main())
