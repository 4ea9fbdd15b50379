"""Golden values for Recur's interpolated modified Kneser-Ney trainer (KneserNeyTrainer).

An independent, deliberately plain reimplementation: n-grams are tuples in dicts, and every
probability is computed by the *interpolated* recursion straight from the counts
(Chen & Goodman 1998, section 3.5 and eq. 26), never through the ARPA back-off form that
Recur writes and queries. Conventions (those of KenLM's lmplz):

- each sentence is padded with one <s> and one </s>;
- adjusted counts: raw counts for the highest order and for n-grams starting with <s>,
  otherwise the number of distinct words seen to the left; <s> has unigram count 0;
- discounts per order from counts of counts n1..n4 of adjusted counts:
  Y = n1 / (n1 + 2 n2), D_k = k - (k + 1) Y n_{k+1} / n_k, or fixed fallback discounts;
- P(w | h) = max(a(h w) - D, 0) / sum_x a(h x) + gamma(h) P(w | h'), and P(w | h) = P(w | h')
  when h was never a context;
- unigrams interpolate with the uniform distribution over the vocabulary without <s>
  (<unk> included), or, without interpolation, the leftover mass goes to <unk>;
- perplexity counts </s> but not <s>, and leaves out OOV words (as SRILM and KenLM).

Writes tests/Recur.Tests/Golden/ngram_mkn.json. Run: /usr/bin/python3 tools/golden/ngram_mkn.py
"""
import json
import math
import os
import random
from collections import defaultdict

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


def train(sentences, order, fallback=None, interpolate_unigrams=True):
    vocab = [UNK, BOS, EOS]
    for s in sentences:
        for w in s:
            if w not in vocab:
                vocab.append(w)
    raw = [None] + [defaultdict(int) for _ in range(order)]
    for s in sentences:
        p = [BOS] + s + [EOS]
        for i in range(len(p)):
            for n in range(1, order + 1):
                if i + n <= len(p):
                    raw[n][tuple(p[i:i + n])] += 1

    adjusted = [None] + [dict() for _ in range(order)]
    for n in range(1, order + 1):
        for g, c in raw[n].items():
            if n == order or g[0] == BOS:
                adjusted[n][g] = c
            else:
                adjusted[n][g] = sum(1 for h in raw[n + 1] if h[1:] == g)
    adjusted[1][(BOS,)] = 0
    for w in vocab:
        adjusted[1].setdefault((w,), 0)

    discounts, counts_of_counts, used_fallback = [None], [None], [None]
    for n in range(1, order + 1):
        t = [0] * 5
        for g, a in adjusted[n].items():
            if 1 <= a <= 4:
                t[a] += 1
        counts_of_counts.append(t[1:])
        ok = all(t[k] > 0 for k in range(1, 5))
        if ok:
            y = t[1] / (t[1] + 2.0 * t[2])
            d = [k - (k + 1) * y * t[k + 1] / t[k] for k in (1, 2, 3)]
            ok = all(0 < d[k - 1] < k for k in (1, 2, 3))
        if not ok:
            if fallback is None:
                raise ValueError(f"bad discounts for order {n}")
            d = list(fallback)
        discounts.append(d)
        used_fallback.append(not ok)

    def discount(n, a):
        return 0.0 if a == 0 else discounts[n][min(a, 3) - 1]

    # Continuations of each context: context -> {word: adjusted count}.
    follow = [None] + [defaultdict(dict) for _ in range(order)]
    for n in range(1, order + 1):
        for g, a in adjusted[n].items():
            if a > 0:
                follow[n][g[:-1]][g[-1]] = a

    predictable = len(vocab) - 1  # without <s>

    def gamma(n, h):
        cont = follow[n].get(h, {})
        denom = sum(cont.values())
        if denom == 0:
            return None
        return sum(discount(n, a) for a in cont.values()) / denom

    def prob(w, h):
        """P(w | h) by the interpolated recursion; h is a tuple of at most order - 1 words."""
        n = len(h) + 1
        if w == BOS:
            return 0.0
        cont = follow[n].get(h, {})
        denom = sum(cont.values())
        if n == 1:
            a = cont.get(w, 0)
            g = gamma(1, ())
            base = max(a - discount(1, a), 0.0) / denom
            if interpolate_unigrams:
                return base + g / predictable
            return base + (g if w == UNK else 0.0)
        if denom == 0:
            return prob(w, h[1:])
        a = cont.get(w, 0)
        return max(a - discount(n, a), 0.0) / denom + gamma(n, h) * prob(w, h[1:])

    return vocab, raw, discounts, counts_of_counts, used_fallback, prob


def evaluate(vocab, prob, order, sentences):
    log10, tokens, oov = 0.0, 0, 0
    for s in sentences:
        history = [BOS]
        for w in s + [EOS]:
            known = w in vocab and w != UNK
            q = w if known else UNK
            h = tuple(history[-(order - 1):]) if order > 1 else ()
            if known:
                log10 += math.log10(prob(q, h))
                tokens += 1
            else:
                oov += 1
            history.append(q)
    return log10, tokens, oov


def corpus(seed, sentences, words):
    """Sentences from a random sparse bigram grammar with Zipf-like choices: natural count spreads."""
    rng = random.Random(seed)
    lexicon = [f"w{i}" for i in range(words)]
    successors = {w: rng.sample(lexicon, 6) for w in [BOS] + lexicon}
    out = []
    for _ in range(sentences):
        s, prev = [], BOS
        for _ in range(rng.randint(2, 9)):
            options = successors[prev]
            weights = [1.0 / (k + 1) for k in range(len(options))]
            # Otherwise a word from a random-length head of the lexicon: earlier words are more frequent.
            prev = rng.choices(options, weights)[0] if rng.random() < 0.85 else rng.choice(lexicon[:int(words * rng.random()) + 1])
            s.append(prev)
        out.append(s)
    return out


def case(name, train_sents, test_sents, order, fallback=None, interpolate_unigrams=True):
    vocab, raw, discounts, coc, used, prob = train(train_sents, order, fallback, interpolate_unigrams)
    log10, tokens, oov = evaluate(vocab, prob, order, test_sents)
    rng = random.Random(7)
    queries = []
    words = vocab[:8] + vocab[-3:]
    for _ in range(40):
        k = rng.randint(0, order - 1)
        context = [rng.choice([BOS] + vocab[3:]) for _ in range(k)]
        w = rng.choice(words)
        if w == BOS:
            continue
        queries.append({"context": context, "word": w, "log10": math.log10(prob(w, tuple(context)))})
    # Contexts that occur in the corpus, so listed n-grams are exercised too.
    for s in train_sents[:10]:
        p = [BOS] + s + [EOS]
        for i in range(1, len(p)):
            h = p[max(0, i - order + 1):i]
            queries.append({"context": h, "word": p[i], "log10": math.log10(prob(p[i], tuple(h)))})
    return {
        "name": name,
        "order": order,
        "fallback": fallback,
        "interpolate_unigrams": interpolate_unigrams,
        "train": [" ".join(s) for s in train_sents],
        "test": [" ".join(s) for s in test_sents],
        "vocabulary": len(vocab),
        "ngrams": [len(vocab)] + [len(raw[n]) for n in range(2, order + 1)],
        "counts_of_counts": coc[1:],
        "discounts": discounts[1:],
        "used_fallback": used[1:],
        "queries": queries,
        "log10_prob": log10,
        "tokens": tokens,
        "oov": oov,
        "perplexity": 10 ** (-log10 / tokens),
    }


def main():
    big = corpus(seed=11, sentences=400, words=300)
    train_sents, test_sents = big[:360], big[360:]
    test_sents = test_sents + [["w1", "zzz", "w2"], ["unseen-word"]]
    small = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "cat", "ran"], ["the", "cat", "ran", "away"]]
    cases = [
        case("mkn-order3", train_sents, test_sents, 3),
        case("mkn-order4", train_sents, test_sents, 4),
        case("mkn-order2-no-unigram-interpolation", train_sents, test_sents, 2, interpolate_unigrams=False),
        case("fallback-order3-tiny", small, [["the", "cat", "sat", "away"], ["a", "dog"]], 3, fallback=[0.5, 1.0, 1.5]),
    ]
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "..", "..", "tests", "Recur.Tests", "Golden", "ngram_mkn.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump({"source": "tools/golden/ngram_mkn.py", "cases": cases}, f, indent=1)
        f.write("\n")
    for c in cases:
        print(c["name"], "ngrams", c["ngrams"], "discounts", [[round(x, 4) for x in d] for d in c["discounts"]],
              "fallback", c["used_fallback"], "ppl", round(c["perplexity"], 4))


if __name__ == "__main__":
    main()
