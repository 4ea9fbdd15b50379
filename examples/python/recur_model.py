"""A Recur run folder as a PyTorch model, and back (docs/formats.md, "Run folders").

Reads config.json and model.safetensors of a `recur train` run folder (or of one of its
checkpoint-STEP folders, or of the older flat layout) into nn.Embedding ("embedding") ->
nn.RNN / nn.LSTM / nn.GRU ("rnn") -> nn.Linear or nn.AdaptiveLogSoftmaxWithLoss ("head"),
loading the weights with load_state_dict(strict=True); tokenizes text as Recur does (char,
word and byte-level BPE); scores a text exactly as `recur eval` does; and writes a model back
as a run folder Recur reads (`latest` + checkpoint-STEP/).

It uses PyTorch and numpy only (no Recur code, no `safetensors` package). Models PyTorch's
modules cannot express (layer norm, the pre-activation Elman form, the sigmoid Elman
activation) are refused with one line naming the config key.

    import recur_model
    model = recur_model.load("runs/shakespeare")          # a RecurModel (nn.Module), eval mode
    score = model.evaluate(recur_model.read_lines("test.txt"))
    print(score["loss"], score["perplexity"])             # nats per token, as `recur eval`
    recur_model.save(model, "runs/shakespeare-torch", step=model.step + 20)
"""
import copy
import gzip
import io
import json
import math
import os
import struct
import sys
import unicodedata

import numpy as np
import torch
from torch import nn

CONFIG_FILE = "config.json"
MODEL_FILE = "model.safetensors"
LATEST_FILE = "latest"
CHECKPOINT_PREFIX = "checkpoint-"
CONFIG_FORMAT = "recur.checkpoint.v1"
END_OF_LINE = "<eos>"
UNKNOWN = "<unk>"
VALIDATION_FRACTION = 0.1   # the corpus's last tenth is held out when no validation file is named
EVAL_WINDOW = 4096          # positions per forward pass when scoring (the state carries across)


class RecurFormatError(Exception):
    """A run folder, text or option this module cannot use; str() is one line naming the file or key."""


# ---------------------------------------------------------------------------------------------
# Safetensors: 8-byte little-endian header length, a JSON header {name: {dtype, shape,
# data_offsets}} with an optional "__metadata__" map of strings, then the raw data.

_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I32": np.dtype("<i4"), "I64": np.dtype("<i8"),
           "F16": np.dtype("<f2"), "BF16": np.dtype("<u2")}


def _widen(array, dtype):
    """16-bit weights (`recur export --dtype f16|bf16`) as float32, exactly: F16 through numpy's
    half type, BF16 as the top 16 bits of a float32."""
    if dtype == "F16":
        return array.astype(np.float32)
    if dtype == "BF16":
        return (array.astype(np.uint32) << 16).view(np.float32)
    return array


def read_safetensors(path, dtypes=("F32",)):
    """({name: numpy array}, metadata) of a safetensors file, checked as strictly as Recur does:
    only the given dtypes, offsets that tile the data exactly (no gap, overlap or trailing
    byte), shapes that match the sizes, finite floats."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except OSError as e:
        raise RecurFormatError(f"{path}: cannot be read ({e.strerror})") from None
    if len(blob) < 8:
        raise RecurFormatError(f"{path}: is too short for a safetensors file")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n > len(blob) - 8:
        raise RecurFormatError(f"{path}: its header length {n} runs past the end of the file")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            raise RecurFormatError(f"{path}: its header has a duplicate key")
        return dict(pairs)

    try:
        header = json.loads(blob[8:8 + n].decode("utf-8"), object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        raise RecurFormatError(f"{path}: its header is not UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise RecurFormatError(f"{path}: its header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + n:]
    spans, tensors = [], {}
    for name, entry in header.items():
        try:
            dtype, shape, (begin, end) = entry["dtype"], [int(d) for d in entry["shape"]], entry["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise RecurFormatError(f"{path}: tensor '{name}' has no valid dtype, shape and data_offsets") from None
        if dtype not in dtypes:
            raise RecurFormatError(f"{path}: tensor '{name}' is {dtype}; only {', '.join(dtypes)} belong here")
        count = math.prod(shape)
        if min(shape, default=1) < 0 or not 0 <= begin <= end <= len(data) or end - begin != count * _DTYPES[dtype].itemsize:
            raise RecurFormatError(f"{path}: tensor '{name}' (shape {shape}) does not fit its data_offsets [{begin}, {end}]")
        array = _widen(np.frombuffer(data[begin:end], dtype=_DTYPES[dtype]).reshape(shape).copy(), dtype)
        if array.dtype.kind == "f" and not np.isfinite(array).all():
            bad = int(np.flatnonzero(~np.isfinite(array.ravel()))[0])
            raise RecurFormatError(f"{path}: tensor '{name}' holds a value that is not finite at index {bad}")
        tensors[name] = array
        spans.append((begin, end))
    at = 0
    for begin, end in sorted(spans):
        if begin != at:
            raise RecurFormatError(f"{path}: its data has a gap or an overlap at byte {at}")
        at = end
    if at != len(data):
        raise RecurFormatError(f"{path}: {len(data) - at} bytes follow the last tensor")
    return tensors, metadata


def write_safetensors(path, tensors, metadata):
    """Writes {name: array or tensor} (insertion order) as F32, with string metadata, the header
    padded with spaces to a multiple of 8 bytes (as Recur writes it)."""
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    chunks, offset = [], 0
    for name, value in tensors.items():
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        array = np.ascontiguousarray(value, dtype=np.dtype("<f4"))
        raw = array.tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for raw in chunks:
            f.write(raw)
        f.flush()
        os.fsync(f.fileno())


# ---------------------------------------------------------------------------------------------
# Run folders and config.json

def checkpoint_folder(path):
    """The folder holding a run's checkpoint: the one `latest` names, or `path` itself when it
    holds config.json (a checkpoint folder, or the older flat layout)."""
    latest = os.path.join(path, LATEST_FILE)
    if os.path.isfile(latest):
        with open(latest, "rb") as f:
            name = f.read(65).decode("utf-8", "replace").strip()
        digits = name[len(CHECKPOINT_PREFIX):]
        if not name.startswith(CHECKPOINT_PREFIX) or not digits.isdigit() or not digits.isascii():
            raise RecurFormatError(f"{latest}: should hold the name of a checkpoint folder ({CHECKPOINT_PREFIX}STEP); it is damaged")
        folder = os.path.join(path, name)
        if not os.path.isfile(os.path.join(folder, CONFIG_FILE)):
            raise RecurFormatError(f"{latest}: names {name}, which has no {CONFIG_FILE}")
        return folder
    if os.path.isfile(os.path.join(path, CONFIG_FILE)):
        return path
    if os.path.isdir(path):
        raise RecurFormatError(f"{path}: holds no checkpoint (no {LATEST_FILE} or {CONFIG_FILE}); give a folder `recur train` wrote")
    raise RecurFormatError(f"{path}: folder not found")


def read_config(folder):
    """The parsed config.json of a checkpoint folder, with its format checked."""
    path = os.path.join(folder, CONFIG_FILE)
    try:
        with open(path, "rb") as f:
            config = json.loads(f.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise RecurFormatError(f"{path}: is not a readable JSON file ({e})") from None
    if not isinstance(config, dict) or config.get("format") != CONFIG_FORMAT:
        raise RecurFormatError(f"{path}: \"format\" is not '{CONFIG_FORMAT}'")
    for key in ("step", "tokenizer", "tokens", "model", "training"):
        if key not in config:
            raise RecurFormatError(f"{path}: \"{key}\" is missing")
    return config


def check_supported(config, path=CONFIG_FILE):
    """Refuses, naming the key, a model PyTorch's own modules do not express."""
    m = config["model"]

    def refuse(key, value, why):
        raise RecurFormatError(f"{path}: \"{key}\": {json.dumps(value)} is not supported: {why}")

    if m.get("norm", "none") != "none":
        refuse("model.norm", m["norm"], "PyTorch has no layer-normalized RNN module; train with --norm none")
    cell = m.get("cell")
    if cell not in ("rnn", "lstm", "gru"):
        refuse("model.cell", cell, "use rnn, lstm or gru")
    if cell == "rnn" and m.get("rnn_form", "standard") != "standard":
        refuse("model.rnn_form", m["rnn_form"], "nn.RNN computes the standard Elman form only; train with --rnn-form standard")
    if cell == "rnn" and m.get("activation", "tanh") not in ("tanh", "relu"):
        refuse("model.activation", m["activation"], "nn.RNN's nonlinearity is tanh or relu")
    if m.get("softmax", "full") not in ("full", "adaptive"):
        refuse("model.softmax", m["softmax"], "use full or adaptive")
    if config["tokenizer"] not in ("char", "word", "bpe"):
        refuse("tokenizer", config["tokenizer"], "use char, word or bpe")


# ---------------------------------------------------------------------------------------------
# Text, as Recur reads it (src/Recur/Text/TextFile.cs)

def read_text(path):
    """A UTF-8 text file as Recur reads it: gzip by its magic bytes, "-" for standard input, a
    byte-order mark dropped, strict UTF-8, no NUL, Windows line ends made "\\n"."""
    if path == "-":
        raw = sys.stdin.buffer.read()
    else:
        if os.path.isdir(path):
            raise RecurFormatError(f"{path}: is a folder; give a UTF-8 text file")
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except OSError as e:
            raise RecurFormatError(f"{path}: cannot be read ({e.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.GzipFile(fileobj=io.BytesIO(raw)).read()
        except (OSError, EOFError) as e:
            raise RecurFormatError(f"{path}: is not a valid gzip file ({e})") from None
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    if not raw:
        raise RecurFormatError(f"{path}: is empty; give a UTF-8 text file with some text in it")
    if b"\0" in raw:
        nul = raw.index(b"\0")
        raise RecurFormatError(f"{path}: looks like a binary file (a NUL byte at offset {nul}); give a UTF-8 text file")
    try:
        text = raw.decode("utf-8", "strict")
    except UnicodeDecodeError as e:
        raise RecurFormatError(f"{path}: is not valid UTF-8 at byte offset {e.start}") from None
    text = text.replace("\r\n", "\n")
    if not split_words(text):
        raise RecurFormatError(f"{path}: holds only whitespace; give a text file with some text in it")
    return text


def read_lines(*paths):
    """The lines `recur eval --corpus FILE…` scores: each file's lines, without the empty line
    after a final newline, the files one after the other."""
    lines = []
    for path in paths:
        text = read_text(path)
        parts = text.split("\n")
        lines.extend(parts[:-1] if text.endswith("\n") else parts)
    return lines


# .NET's char.IsWhiteSpace, which Recur splits words at. (Python's str.split() also splits at
# U+001C..U+001F, which .NET does not count as white space.)
_WHITE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                   "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def split_words(line):
    """A line's words: split at white space (as .NET's char.IsWhiteSpace), empty pieces dropped."""
    words, start = [], None
    for i, c in enumerate(line):
        if c in _WHITE:
            if start is not None:
                words.append(line[start:i])
                start = None
        elif start is None:
            start = i
    if start is not None:
        words.append(line[start:])
    return words


# ---------------------------------------------------------------------------------------------
# Byte-level BPE (src/Recur/Text/BytePairEncoding.cs): GPT-2's pre-tokenizer and byte table.

def _byte_table():
    table, extra = [], 256
    for b in range(256):
        if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF:
            table.append(chr(b))
        else:
            table.append(chr(extra))
            extra += 1
    return table


_BYTE_TO_CHAR = _byte_table()
_CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def _is_letter(c):
    # .NET's regex matches \p{L} per UTF-16 unit: a character outside the BMP is two surrogates,
    # neither a letter nor a number.
    return ord(c) < 0x10000 and unicodedata.category(c).startswith("L")


def _is_number(c):
    return ord(c) < 0x10000 and unicodedata.category(c).startswith("N")


def gpt2_pieces(line):
    """The pieces GPT-2's pattern cuts a line into:
    's|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"""
    pieces, i, n = [], 0, len(line)

    def run(j, test):
        while j < n and test(line[j]):
            j += 1
        return j

    def other(c):
        return c not in _WHITE and not _is_letter(c) and not _is_number(c)

    while i < n:
        contraction = next((c for c in _CONTRACTIONS if line.startswith(c, i)), None)
        if contraction:
            pieces.append(contraction)
            i += len(contraction)
            continue
        j = i + 1 if line[i] == " " and i + 1 < n else i
        end = None
        for test in (_is_letter, _is_number, other):
            if j < n and test(line[j]):
                end = run(j, test)
                break
        if end is None:
            # White space: a run, less its last character when a non-space follows
            # (that character then leads the next piece).
            end = run(i, lambda c: c in _WHITE)
            if end < n and end - i > 1:
                end -= 1
        pieces.append(line[i:end])
        i = end
    return pieces


class BytePairEncoder:
    """Merges applied by rank inside each piece's byte symbols."""

    def __init__(self, merges):
        self.merges = [tuple(m) for m in merges]
        self.ranks = {}
        for i, pair in enumerate(self.merges):
            self.ranks.setdefault(pair, i)
        self.cache = {}

    def encode(self, line):
        out = []
        for piece in gpt2_pieces(line):
            symbols = "".join(_BYTE_TO_CHAR[b] for b in piece.encode("utf-8"))
            out.extend(self.merge(symbols))
        return out

    def merge(self, symbols):
        cached = self.cache.get(symbols)
        if cached is not None:
            return cached
        parts = list(symbols)
        while len(parts) > 1:
            best = min((self.ranks.get((parts[i], parts[i + 1]), math.inf), i) for i in range(len(parts) - 1))
            if best[0] == math.inf:
                break
            left, right = self.merges[best[0]]
            i, merged = 0, []
            while i < len(parts):
                if i + 1 < len(parts) and parts[i] == left and parts[i + 1] == right:
                    merged.append(left + right)
                    i += 2
                else:
                    merged.append(parts[i])
                    i += 1
            parts = merged
        self.cache[symbols] = parts
        return parts


# ---------------------------------------------------------------------------------------------
# Tokenizer (src/Recur/Text/Tokenizer.cs)

class Tokenizer:
    """The tokenizer a checkpoint stores: its kind, its vocabulary (ids are positions) and, for
    BPE, its merges."""

    def __init__(self, kind, tokens, merges=None):
        self.kind = kind
        self.tokens = list(tokens)
        self.ids = {t: i for i, t in enumerate(self.tokens)}
        self.end_of_sentence = self.ids.get("\n" if kind == "char" else END_OF_LINE, -1)
        self.unknown = self.ids.get(UNKNOWN, -1) if kind == "word" else -1
        self.bpe = BytePairEncoder(merges or []) if kind == "bpe" else None

    @classmethod
    def from_config(cls, config):
        return cls(config["tokenizer"], config["tokens"], config.get("bpe_merges"))

    def __len__(self):
        return len(self.tokens)

    def encode(self, text):
        """Token ids of a text: char, one per character (an unknown one is an error); word, the
        words of each line, unknown ones <unk>, and <eos> after each non-blank line; BPE, the
        pieces of each line, with <eos> for every newline."""
        ids = []
        if self.kind == "char":
            for c in text:
                id_ = self.ids.get(c)
                if id_ is None:
                    raise RecurFormatError(f"text: character U+{ord(c):04X} is not in the model's vocabulary of {len(self.tokens)} characters")
                ids.append(id_)
        elif self.kind == "word":
            for line in text.split("\n"):
                words = split_words(line)
                ids.extend(self.ids.get(w, self.unknown) for w in words)
                if words:
                    ids.append(self.end_of_sentence)
        else:
            for k, line in enumerate(text.split("\n")):
                if k > 0:
                    ids.append(self.end_of_sentence)
                ids.extend(self.ids[t] for t in self.bpe.encode(line))
        return ids

    def encode_line(self, line):
        """One line as `recur eval` scores it (RnnScorer.Encode): its tokens and the sentence
        separator; nothing for a word model's blank line."""
        if self.kind == "word":
            return self.encode(line)
        if self.kind == "char":
            return self.encode(line + "\n")
        return self.encode(line) + [self.end_of_sentence]


def corpus_files(config):
    """The training corpus files a config records (a string, or an array of several)."""
    corpus = config.get("corpus")
    files = corpus if isinstance(corpus, list) else [corpus]
    if not files or any(not isinstance(f, str) for f in files):
        raise RecurFormatError(f"{CONFIG_FILE}: \"corpus\" is not a path or a list of paths")
    if files == ["builtin:scenes"]:
        raise RecurFormatError(f"{CONFIG_FILE}: \"corpus\": the built-in corpus is generated by Recur; give --corpus FILE")
    return files


def _utf16_index_to_str_index(text, units):
    """The index into a Python string of the character at UTF-16 offset `units` (.NET strings
    count UTF-16 code units)."""
    if text.isascii() or all(ord(c) < 0x10000 for c in text):
        return units
    at = 0
    for i, c in enumerate(text):
        if at >= units:
            return i
        at += 2 if ord(c) >= 0x10000 else 1
    return len(text)


def training_tokens(tokenizer, paths, validation_file=None):
    """The token stream `recur train --corpus PATHS` trains on (TrainingData.FromFiles): the
    files' text (several: each ending its line), less its last tenth when no validation file
    is named (char: the last tenth of the tokens; word and BPE: from the first line break after
    nine tenths of the text)."""
    if len(paths) == 1:
        text = read_text(paths[0])
    else:
        text = "".join(t if t.endswith("\n") else t + "\n" for t in map(read_text, paths))
    name = " + ".join(paths)
    if tokenizer.kind == "char":
        tokens = tokenizer.encode(text)
        if validation_file is None:
            held = int(len(tokens) * VALIDATION_FRACTION)
            tokens = tokens[:len(tokens) - held]
        return tokens
    if validation_file is None:
        units = len(text.encode("utf-16-le")) // 2
        start = _utf16_index_to_str_index(text, int(units * (1 - VALIDATION_FRACTION)))
        cut = text.find("\n", start)
        if cut < 0 or cut + 1 >= len(text):
            raise RecurFormatError(f"{name}: has no line break in its last tenth to hold out for validation")
        text = text[:cut + 1]
    return tokenizer.encode(text)


# ---------------------------------------------------------------------------------------------
# The model

class LockedDropout(nn.Module):
    """Dropout with one mask per sequence and feature, shared by a window's time steps
    (inputs are time-major: (T, B, F))."""

    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        mask = x.new_empty((1,) + x.shape[1:]).bernoulli_(1 - self.p) / (1 - self.p)
        return x * mask


class RecurModel(nn.Module):
    """Recur's recurrent language model in PyTorch modules, time-major ((T, B) token ids).
    Attributes: config (config.json), tokenizer, step, primer (token ids), begin_token."""

    def __init__(self, config, head_bias=False, path=CONFIG_FILE):
        super().__init__()
        check_supported(config, path)
        m, self.config = config["model"], config
        self.tokenizer = Tokenizer.from_config(config)
        self.step = int(config["step"])
        v, e, h, layers = len(self.tokenizer), int(m["embedding"]), int(m["hidden"]), int(m["layers"])
        p = float(m.get("dropout") or 0)
        self.embedding = nn.Embedding(v, e)
        cell = m["cell"]
        if cell == "lstm":
            self.rnn = nn.LSTM(e, h, layers, dropout=p if layers > 1 else 0.0)
        elif cell == "gru":
            self.rnn = nn.GRU(e, h, layers, dropout=p if layers > 1 else 0.0)
        else:
            self.rnn = nn.RNN(e, h, layers, nonlinearity=m.get("activation", "tanh"), dropout=p if layers > 1 else 0.0)
        self.adaptive = m.get("softmax", "full") == "adaptive"
        if self.adaptive:
            cutoffs = [int(c) for c in m["cutoffs"]]
            self.head = nn.AdaptiveLogSoftmaxWithLoss(h, v, cutoffs, div_value=float(m.get("cutoff_divisor") or 4.0), head_bias=head_bias)
        else:
            self.head = nn.Linear(h, v)
            if m.get("tie_weights"):
                self.head.weight = self.embedding.weight
        self.locked = bool(m.get("locked_dropout"))
        self.input_dropout = LockedDropout(p) if self.locked else nn.Dropout(p)
        self.output_dropout = LockedDropout(p) if self.locked else nn.Dropout(p)
        self.is_lstm = cell == "lstm"
        self.primer = [self.tokenizer.ids[t] for t in config.get("primer") or []]
        eos = self.tokenizer.end_of_sentence
        self.begin_token = eos if eos >= 0 else 0

    # -- state ------------------------------------------------------------------------------
    def zero_state(self, batch):
        shape = (self.rnn.num_layers, batch, self.rnn.hidden_size)
        z = self.embedding.weight.new_zeros(shape)
        return (z, z.clone()) if self.is_lstm else z

    @staticmethod
    def detach_state(state):
        return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()

    def start_state(self):
        """The one-row state `recur eval` starts from: after reading the primer from zero."""
        state = self.zero_state(1)
        if self.primer:
            with torch.no_grad():
                _, state = self.hidden(torch.tensor(self.primer, dtype=torch.long).view(-1, 1), state)
        return state

    # -- forward ----------------------------------------------------------------------------
    def hidden(self, inputs, state):
        """Embedding, dropout, recurrent stack, dropout: (T, B) ids -> ((T, B, H), state)."""
        x = self.input_dropout(self.embedding(inputs))
        out, state = self.rnn(x, state)
        return self.output_dropout(out), state

    def log_probs(self, hidden):
        """ln p of every token after each position: (N, H) -> (N, V)."""
        if self.adaptive:
            return self.head.log_prob(hidden)
        return torch.log_softmax(self.head(hidden), dim=-1)

    def forward(self, inputs, targets, state):
        """Mean cross-entropy (nats per token) of (T, B) targets after (T, B) inputs, as a
        Recur training step computes it; returns (loss, state)."""
        out, state = self.hidden(inputs, state)
        flat, goal = out.reshape(-1, out.shape[-1]), targets.reshape(-1)
        if self.adaptive:
            loss = self.head(flat, goal).loss
            # Tail clusters no target falls in get a zero gradient rather than none, so that
            # every parameter takes part in each step (as in Recur, and as DDP expects).
            loss = loss + 0.0 * sum(p.sum() for p in self.head.parameters())
        else:
            loss = nn.functional.cross_entropy(self.head(flat), goal)
        return loss, state

    # -- scoring, as recur eval ---------------------------------------------------------------
    @torch.no_grad()
    def score_stream(self, tokens):
        """ln p(tokens[i] | begin, tokens[:i]) for every i (float32 values in a float64 array):
        one stream from the start state, as RnnScorer.ScoreStream."""
        was_training = self.training
        self.eval()
        try:
            state, previous = self.start_state(), self.begin_token
            result = np.empty(len(tokens), dtype=np.float64)
            for at in range(0, len(tokens), EVAL_WINDOW):
                targets = torch.tensor(tokens[at:at + EVAL_WINDOW], dtype=torch.long)
                inputs = torch.cat([torch.tensor([previous]), targets[:-1]])
                out, state = self.hidden(inputs.view(-1, 1), state)
                lp = self.log_probs(out[:, 0, :]).gather(1, targets.view(-1, 1))[:, 0]
                result[at:at + len(targets)] = lp.numpy()
                previous = int(targets[-1])
            return result
        finally:
            self.train(was_training)

    def evaluate(self, lines):
        """The totals `recur eval` reports for these lines (TextScore): every line's tokens and
        its separator predicted, the state carried across lines. "loss" is nats per token."""
        encoded = [self.tokenizer.encode_line(line) for line in lines]
        stream = [t for ids in encoded for t in ids]
        lps = self.score_stream(stream)
        unk = self.tokenizer.unknown
        sentences = words = characters = 0
        for line, ids in zip(lines, encoded):
            n = len(split_words(line))
            words += n + 1 if n > 0 else 0
            characters += len(line) + 1
            sentences += 1 if ids else 0
        log_prob = float(np.sum(lps))
        unk_mask = np.array(stream, dtype=np.int64) == unk if stream else np.zeros(0, dtype=bool)
        unknowns = int(unk_mask.sum())
        unk_log_prob = float(np.sum(lps[unk_mask]))
        tokens = len(stream)
        nan = float("nan")
        return {
            "sentences": sentences,
            "tokens": tokens,
            "words": words,
            "characters": characters,
            "unk": unknowns,
            "log_prob": log_prob,
            "loss": -log_prob / tokens if tokens else nan,
            "perplexity": math.exp(-log_prob / tokens) if tokens else nan,
            "perplexity_per_word": math.exp(-log_prob / words) if words else nan,
            "perplexity_without_unk": math.exp(-(log_prob - unk_log_prob) / (tokens - unknowns)) if tokens > unknowns else nan,
            "bits_per_char": -log_prob / (characters * math.log(2)) if characters else nan,
        }


def load(path):
    """The model of a run folder (or checkpoint folder), in evaluation mode, its weights loaded
    with load_state_dict(strict=True). Attribute `folder`: the checkpoint folder read."""
    folder = checkpoint_folder(path)
    config = read_config(folder)
    weights_path = os.path.join(folder, MODEL_FILE)
    if not os.path.isfile(weights_path):
        raise RecurFormatError(f"{weights_path}: is missing; the checkpoint is incomplete")
    tensors, metadata = read_safetensors(weights_path, dtypes=("F32", "F16", "BF16"))
    if "step" in metadata and str(metadata["step"]) != str(config["step"]):
        raise RecurFormatError(f"{weights_path}: is from step {metadata['step']} but {CONFIG_FILE} from step {config['step']}")
    model = RecurModel(config, head_bias="head.head.bias" in tensors, path=os.path.join(folder, CONFIG_FILE))
    if model.config["model"].get("tie_weights") and "head.weight" in tensors and "embedding.weight" in tensors:
        if not np.array_equal(tensors["head.weight"], tensors["embedding.weight"]):
            raise RecurFormatError(f"{weights_path}: tied 'head.weight' and 'embedding.weight' differ")
    try:
        model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()}, strict=True)
    except RuntimeError as e:
        detail = " ".join(str(e).split())
        raise RecurFormatError(f"{weights_path}: does not fit the model {CONFIG_FILE} describes ({detail})") from None
    model.folder = folder
    model.eval()
    return model


def save(model, out, step=None):
    """Writes `model` as a Recur run folder `out` (which must not exist or be empty):
    checkpoint-STEP/config.json (the model's config, "step" updated) and
    checkpoint-STEP/model.safetensors (F32, metadata format "pt" and step), published as Recur
    publishes a checkpoint: the folder renamed into place, then `latest` written atomically.
    There is no optimizer.safetensors, so `recur train --resume` cannot continue it; eval,
    generate and the other readers can. Returns the checkpoint folder."""
    step = model.step if step is None else int(step)
    if step < 0:
        raise RecurFormatError(f"step {step} is negative")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise RecurFormatError(f"{out}: exists and is not an empty folder; give a fresh folder")
    name = f"{CHECKPOINT_PREFIX}{step}"
    final, partial = os.path.join(out, name), os.path.join(out, name + ".partial")
    os.makedirs(partial)
    config = copy.deepcopy(model.config)
    config["step"] = step
    tmp = os.path.join(partial, CONFIG_FILE)
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        f.write(json.dumps(config, indent=2, ensure_ascii=False) + "\n")
    tensors = {k: v for k, v in model.state_dict().items()}
    write_safetensors(os.path.join(partial, MODEL_FILE), tensors, {"format": "pt", "step": str(step)})
    os.rename(partial, final)
    latest_tmp = os.path.join(out, f".{LATEST_FILE}.tmp")
    with open(latest_tmp, "w", encoding="ascii", newline="\n") as f:
        f.write(name + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(latest_tmp, os.path.join(out, LATEST_FILE))
    return final
