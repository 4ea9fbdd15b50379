#!/usr/bin/env bash
# The recommended word-level language model for a corpus of about a million words:
#   train.sh TRAIN.txt OUT_DIR [VALID.txt]
# TRAIN.txt: one sentence per line, whitespace-tokenized, possibly with <unk> (prepare.sh
# writes Brown this way). VALID.txt: held-out text for validation (default: the last tenth of
# TRAIN.txt). Extra options after the files go to `recur train` (for example --threads 1).
# The run folder OUT_DIR is a checkpoint for `recur eval`, `recur score` and `recur generate`.
#
# The model: a one-layer LSTM, E = H = 256, an adaptive softmax over frequency clusters
# (2,000 / 10,000), dropout 0.3 on the embedding and the output, Adam 2e-3 with warm-up and
# cosine decay, gradient clipping at 1, batches of 32 streams × 35 words, ten passes over the
# training text. On 2 cores (about 14,000 words/s) a million words take about 12 minutes.
set -euo pipefail
if [ $# -lt 2 ]; then echo "usage: $0 TRAIN.txt OUT_DIR [VALID.txt] [recur train options…]" >&2; exit 2; fi
train=$1; out=$2; shift 2
valid=()
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then valid=(--validation "$1"); shift; fi
if [ ! -f "$train" ]; then echo "error: $train: file not found" >&2; exit 2; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
recur=(dotnet run --project "$root/src/Recur.Cli" -c Release --)

epochs=10 batch=32 seq=35
read -r lines words _ < <(wc -lw "$train")
tokens=$((words + lines))                           # words and one <eos> per line
if [ ${#valid[@]} -eq 0 ]; then tokens=$((tokens * 9 / 10)); fi   # the last tenth validates
steps=$((epochs * tokens / (batch * seq)))
eval_every=$((steps / epochs))
echo "training on $train: $tokens tokens, $epochs epochs = $steps steps" >&2
tokenizer=(--tokenizer word)                        # unless the options name another
for a in "$@"; do if [ "$a" = "--tokenizer" ]; then tokenizer=(); fi; done
"${recur[@]}" train --corpus "$train" "${valid[@]}" "${tokenizer[@]}" \
  --embedding 256 --hidden 256 --softmax adaptive --dropout 0.3 \
  --lr 0.002 --batch "$batch" --seq "$seq" --steps "$steps" --eval-every "$eval_every" --out "$out" "$@"
