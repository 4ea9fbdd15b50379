#!/usr/bin/env bash
# Prepares the Brown corpus Penn-Treebank style for word-level language models:
#   prepare.sh BROWN_DIR OUT_DIR
# BROWN_DIR holds the Brown files ca01 … cr09 in word/TAG form (for example ../shared/data/brown,
# or NLTK's ~/nltk_data/corpora/brown). Writes OUT_DIR/train.txt, valid.txt and test.txt, one
# sentence per line, words separated by spaces, tags stripped:
#   test  = every 10th file in sorted order (the split of `recur tag eval`);
#   valid = every 10th file counted from the 5th (held out for early stopping and for the
#           interpolation weight λ);
#   train = the other files.
# Words seen fewer than 2 times in train.txt become <unk> in all three files.
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 BROWN_DIR OUT_DIR" >&2; exit 2; fi
brown=$1; out=$2
files=$(ls "$brown" | grep -E '^c[a-r][0-9][0-9]$' | sort) || true
if [ -z "$files" ]; then echo "error: $brown: no Brown files (ca01 … cr09) found" >&2; exit 2; fi
mkdir -p "$out"
strip() {  # word/TAG tokens → words (the tag follows the last '/'), one sentence per non-blank line
  for f in "$@"; do sed -E 's/^[[:space:]]+//; s#/[^ /]+( |$)#\1#g' "$brown/$f"; done | grep -v '^[[:space:]]*$' || true
}
strip $(echo "$files" | awk 'NR%10==0') > "$out/test.raw"
strip $(echo "$files" | awk 'NR%10==5') > "$out/valid.raw"
strip $(echo "$files" | awk 'NR%10!=0 && NR%10!=5') > "$out/train.raw"
# Words seen once in training become <unk> everywhere (the first pass counts, the second maps).
for part in train valid test; do
  awk 'NR==FNR { for (i = 1; i <= NF; i++) count[$i]++; next }
       { line = ""; for (i = 1; i <= NF; i++) line = line (i > 1 ? " " : "") (count[$i] >= 2 ? $i : "<unk>"); print line }' \
    "$out/train.raw" "$out/$part.raw" > "$out/$part.txt"
done
rm "$out"/*.raw
wc -lw "$out"/train.txt "$out"/valid.txt "$out"/test.txt
