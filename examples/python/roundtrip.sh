#!/usr/bin/env bash
# The round trip of README.md, checked: Recur trains a model, PyTorch continues it for 20 steps
# under DDP (2 ranks, gloo), and `recur eval` and eval.py must agree on the loss of the same
# text, before and after, within 1e-4 nats per token.
#
#   examples/python/roundtrip.sh [WORK_DIR] [extra `recur train` options…]
#
# RECUR: how to run the CLI (default: recur); PYTHON: a Python with PyTorch and numpy
# (default: python3); TORCHRUN: the launcher (default: torchrun). Exit code 0 when both
# comparisons agree, 1 when one does not, other codes when a command fails.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RECUR="${RECUR:-recur}"
PYTHON="${PYTHON:-python3}"
TORCHRUN="${TORCHRUN:-torchrun}"
WORK="${1:-$(mktemp -d)}"
shift || true
mkdir -p "$WORK"
TEXT="$WORK/small.txt"
head -c 20000 "$ROOT/data/tinyshakespeare.txt" > "$TEXT"
rm -rf "$WORK/run" "$WORK/run-ddp"

$RECUR train --corpus "$TEXT" --out "$WORK/run" --steps 40 --hidden 32 --embedding 16 --threads 1 "$@" > "$WORK/train.log"

# Loss in nats per token: −log_prob / tokens from `recur eval --json`, "loss" from eval.py --json.
recur_loss() { $RECUR eval --checkpoint "$1" --corpus "$TEXT" --json | "$PYTHON" -c 'import json, sys; d = json.load(sys.stdin); print(repr(-d["log_prob"] / d["tokens"]))'; }
torch_loss() { "$PYTHON" "$HERE/eval.py" "$1" "$TEXT" --json | "$PYTHON" -c 'import json, sys; print(repr(json.load(sys.stdin)["loss"]))'; }
compare() {
    local r t
    r="$(recur_loss "$1")"
    t="$(torch_loss "$1")"
    "$PYTHON" -c "import sys; r, t = $r, $t; d = abs(r - t); print(f'$2: recur eval {r:.8f}  eval.py {t:.8f}  |difference| {d:.2e}'); sys.exit(0 if d <= 1e-4 else 1)"
}

status=0
compare "$WORK/run" "before DDP (step 40)" || status=1
# --redirects 1 --tee 1: Debian's torchrun 1.13 under Python 3.11 fails with its default
# --redirects 0 (AttributeError in to_map); with these it shows rank 0's output as "[default0]:…".
"$TORCHRUN" --redirects 1 --tee 1 --nproc_per_node 2 "$HERE/ddp_train.py" "$WORK/run" --out "$WORK/run-ddp" --steps 20 --seed 1
compare "$WORK/run-ddp" "after DDP (step 60)" || status=1
exit $status
