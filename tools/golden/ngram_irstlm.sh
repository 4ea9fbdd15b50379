#!/bin/sh
# Golden ARPA file from a third-party toolkit: IRSTLM (Debian package `irstlm`) trains an
# order-3 "improved Kneser-Ney" (modified shift-beta) model on the training sentences of
# tests/Recur.Tests/Golden/ngram_mkn.json (case mkn-order3), writes it as ARPA, and computes
# its perplexity on the in-vocabulary test sentences with its own reader (compile-lm --eval).
# Recur's test reads the same ARPA file (leniently: IRSTLM puts a blank line before \data\,
# gives <s> a probability, and so on) and must find the same perplexity.
# Run: sh tools/golden/ngram_irstlm.sh
set -eu
export IRSTLM=/usr/lib/irstlm
PATH=$PATH:/usr/lib/irstlm/bin
here=$(cd "$(dirname "$0")" && pwd)
golden="$here/../../tests/Recur.Tests/Golden"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

/usr/bin/python3 - "$golden/ngram_mkn.json" "$work" <<'PY'
import json, sys
case = json.load(open(sys.argv[1]))["cases"][0]
vocab = {w for s in case["train"] for w in s.split()}
with open(sys.argv[2] + "/train.txt", "w") as f:
    f.writelines(s + "\n" for s in case["train"])
with open(sys.argv[2] + "/test.txt", "w") as f:
    f.writelines(s + "\n" for s in case["test"] if all(w in vocab for w in s.split()))
PY
add-start-end.sh < "$work/train.txt" > "$work/train.se"
add-start-end.sh < "$work/test.txt" > "$work/test.se"
build-lm.sh -i "$work/train.se" -n 3 -o "$work/lm.ilm.gz" -s improved-kneser-ney -t "$work/stat" > /dev/null 2>&1
compile-lm "$work/lm.ilm.gz" --text=yes "$golden/irstlm_order3.arpa" > /dev/null 2>&1
line=$(compile-lm "$golden/irstlm_order3.arpa" --eval="$work/test.se" 2>&1 | grep '^%%')
echo "$line"
/usr/bin/python3 - "$line" "$work/test.txt" "$golden/irstlm_order3.json" <<'PY'
import json, re, sys
fields = dict(re.findall(r"(\w+)=([-\d.]+)", sys.argv[1]))
test = [l.strip() for l in open(sys.argv[2]) if l.strip()]
json.dump({"source": "tools/golden/ngram_irstlm.sh (IRSTLM build-lm.sh -s improved-kneser-ney; compile-lm --eval)",
           "test": test, "tokens": int(fields["Nw"]), "perplexity": float(fields["PP"]), "oov": int(fields["Noov"])},
          open(sys.argv[3], "w"), indent=1)
PY
