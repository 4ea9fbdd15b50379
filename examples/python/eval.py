#!/usr/bin/env python3
"""PyTorch's own score of a text under a Recur run folder, in `recur eval`'s units.

    python3 examples/python/eval.py RUN_FOLDER TEXT [TEXT…] [--json]

Loads RUN_FOLDER with recur_model.load (nn.Embedding + nn.RNN/LSTM/GRU + nn.Linear or
nn.AdaptiveLogSoftmaxWithLoss, load_state_dict(strict=True)) and scores the text as
`recur eval --checkpoint RUN_FOLDER --corpus TEXT…` does: each line's tokens and its
separator, one stream from the state after the model's primer and its begin token. With
--json it prints one JSON object with `recur eval --json`'s keys (checkpoint, tokenizer,
sentences, tokens, words, characters, unk, log_prob, perplexity, perplexity_per_word,
perplexity_without_unk, bits_per_char) plus "loss": nats per token, −log_prob / tokens.
Exit codes: 0 scored, 2 a bad argument or an unreadable or unsupported run folder or text.
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recur_model  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description="PyTorch's loss of a text under a Recur run folder, as `recur eval` computes it.")
    parser.add_argument("checkpoint", help="a `recur train` run folder (or checkpoint folder)")
    parser.add_argument("corpus", nargs="+", help="UTF-8 text to score, one sentence per line; several files are read as one stream")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    args = parser.parse_args(argv)
    try:
        model = recur_model.load(args.checkpoint)
        score = model.evaluate(recur_model.read_lines(*args.corpus))
    except recur_model.RecurFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    tokenizer = model.tokenizer
    if args.json:
        report = {"checkpoint": os.path.abspath(args.checkpoint), "tokenizer": tokenizer.kind}
        report.update(score)
        print(json.dumps(report, ensure_ascii=False, separators=(",", ":")))
        return 0
    names = " ".join(os.path.basename(c) for c in args.corpus)
    print(f"{os.path.abspath(args.checkpoint)} ({tokenizer.kind} model, {len(tokenizer):,} tokens, step {model.step}) on {names}, in PyTorch:")
    print(f"  {score['tokens']:,} tokens in {score['sentences']:,} sentences, {score['words']:,} words, {score['characters']:,} characters")
    print(f"  loss per token         {score['loss']:10.6f}   nats")
    print(f"  perplexity per token   {score['perplexity']:10.2f}   (<unk> counted: {score['unk']:,} tokens)")
    if tokenizer.kind == "word":
        print(f"  without <unk>          {score['perplexity_without_unk']:10.2f}")
    else:
        print(f"  perplexity per word    {score['perplexity_per_word']:10.2f}")
    print(f"  bits per character     {score['bits_per_char']:10.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
