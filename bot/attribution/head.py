"""The MiniLM tagger's network: a BiLSTM and a CRF over MiniLM token states and spaCy features.

Imported only by the MiniLM finder and its training, both lazily, so importing the package
never imports torch. Each token's input is its frozen MiniLM state (``states.TokenStates``)
beside one small embedding per categorical spaCy feature (``FIELDS``, ``FLAGS``), read from the
same feature strings the CRF uses (``features.featurize``), so both taggers see one parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn
from torchcrf import CRF

from bot.attribution.states import DIMS

if TYPE_CHECKING:
    import numpy as np

LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
FIELDS = ("pos", "dep", "climb", "inq", "ent", "cueleft", "cueright", "hdep")
FLAGS = ("cueword", "quote", "sstart", "send", "according")
EMBED = 16  # dimensions per spaCy feature
DECODE_BATCH = 64  # paragraphs decoded at once
Vocab = list[dict[str, int]]  # per feature: value -> id (0 is an unseen value)


def categories(row: list[str]) -> list[str]:
    """The categorical values of one token's feature strings, in FIELDS then FLAGS order."""
    values: dict[str, str] = {}
    for feat in row:
        key, sep, value = feat.partition("=")
        if sep and key in FIELDS:
            values[key] = value
    present = set(row)
    return [values.get(k, "") for k in FIELDS] + [str(f in present) for f in FLAGS]


def build_vocab(rows: list[list[str]]) -> Vocab:
    """Ids for every value seen in training, per feature."""
    vocab: Vocab = [{} for _ in range(len(FIELDS) + len(FLAGS))]
    for row in rows:
        for j, value in enumerate(categories(row)):
            vocab[j].setdefault(value, len(vocab[j]) + 1)
    return vocab


def feature_ids(feats: list[list[str]], vocab: Vocab) -> torch.Tensor:
    """(tokens x features) ids of one paragraph from its feature strings (``features.featurize``)."""
    return category_ids([categories(row) for row in feats], vocab)


def category_ids(rows: list[list[str]], vocab: Vocab) -> torch.Tensor:
    """(tokens x features) ids of one paragraph from its categorical values (``features.categorical``)."""
    return torch.tensor([[vocab[j].get(v, 0) for j, v in enumerate(row)] for row in rows], dtype=torch.long)


class Head(nn.Module):
    """Emissions from a BiLSTM (``hidden`` units each way), decoded by a linear-chain CRF."""

    def __init__(self, vocab_sizes: list[int], *, hidden: int = 128, dropout: float = 0.3) -> None:
        super().__init__()
        self.embs = nn.ModuleList(nn.Embedding(n + 1, EMBED) for n in vocab_sizes)
        self.drop = nn.Dropout(dropout)
        self.rnn = nn.LSTM(DIMS + EMBED * len(vocab_sizes), hidden, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * hidden, len(LABELS))
        self.crf = CRF(len(LABELS), batch_first=True)

    def emissions(self, states: torch.Tensor, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Per-token label scores of a padded batch (batch x tokens x labels)."""
        x = torch.cat([states] + [emb(ids[..., j]) for j, emb in enumerate(self.embs)], -1)
        packed = nn.utils.rnn.pack_padded_sequence(self.drop(x), lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.rnn(packed)
        h, _ = nn.utils.rnn.pad_packed_sequence(h, batch_first=True, total_length=states.shape[1])
        return self.out(self.drop(h))  # type: ignore[no-any-return]

    def loss(self, states: torch.Tensor, ids: torch.Tensor, tags: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood of the gold tags."""
        mask = torch.arange(states.shape[1])[None] < lengths[:, None]
        return -self.crf(self.emissions(states, ids, lengths), tags, mask, reduction="mean")  # type: ignore[no-any-return]

    def decode(self, states: torch.Tensor, ids: torch.Tensor, lengths: torch.Tensor) -> list[list[str]]:
        """The best tag sequence of each paragraph of a padded batch."""
        mask = torch.arange(states.shape[1])[None] < lengths[:, None]
        best = self.crf.decode(self.emissions(states, ids, lengths), mask)
        return [[LABELS[i] for i in seq] for seq in best]

    def decode_many(self, states: list[np.ndarray], ids: list[torch.Tensor]) -> list[list[str]]:
        """``decode`` of many paragraphs (tokens x 384 states, tokens x features ids each), in
        padded batches of ``DECODE_BATCH`` of similar length; the tags in the order given."""
        order = sorted(range(len(states)), key=lambda i: len(states[i]))
        out: list[list[str]] = [[] for _ in states]
        with torch.inference_mode():
            for b in range(0, len(order), DECODE_BATCH):
                batch = order[b : b + DECODE_BATCH]
                lengths = torch.tensor([len(states[i]) for i in batch])
                padded = torch.zeros((len(batch), int(lengths.max()), DIMS))
                feats = torch.zeros((len(batch), int(lengths.max()), ids[batch[0]].shape[1]), dtype=torch.long)
                for row, i in enumerate(batch):
                    padded[row, : len(states[i])] = torch.from_numpy(states[i])
                    feats[row, : len(states[i])] = ids[i]
                for i, tags in zip(batch, self.decode(padded, feats, lengths), strict=True):
                    out[i] = tags
        return out
