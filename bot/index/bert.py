"""A BERT sentence encoder in numpy: the same vectors as sentence-transformers, without torch.

Importing torch and sentence-transformers takes seconds, most of a one-question process's
start-up, while embedding one question is a few matrix products. For the models this covers
(a BERT encoder, mean pooling, optionally a Normalize module: all-MiniLM-L6-v2 and its kind),
``NumpyBertEmbedder`` reads the same ``model.safetensors`` and ``tokenizer.json`` and computes the
same forward pass (tests/unit/test_bert.py holds it to cosine >= 0.9999 against
sentence-transformers). ``supports`` tells whether a model folder is one it can run; any other
model falls back to sentence-transformers.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

_TRANSFORMER, _POOLING, _NORMALIZE = (
    f"sentence_transformers.models.{name}" for name in ("Transformer", "Pooling", "Normalize")
)
# Texts are embedded in padded batches of at most this many tokens in all, so that a batch of
# long passages never builds one huge attention tensor.
_BATCH_TOKENS = 4096
# The tokenizer cannot encode lone surrogates (binary garbage decoded with surrogateescape).
_SURROGATE = re.compile("[\ud800-\udfff]")


def supports(folder: Path) -> bool:
    """Whether ``folder`` holds a sentence-transformers model this encoder computes exactly."""
    try:
        modules = [m["type"] for m in json.loads((folder / "modules.json").read_text())]
        pooling = json.loads((folder / modules_path(folder, _POOLING) / "config.json").read_text())
        config = json.loads((folder / "config.json").read_text())
    except (OSError, ValueError, KeyError, TypeError):
        return False
    mean_only = pooling.get("pooling_mode_mean_tokens") and not any(
        value for key, value in pooling.items() if key.startswith("pooling_mode_") and key != "pooling_mode_mean_tokens"
    )
    return (
        modules in ([_TRANSFORMER, _POOLING], [_TRANSFORMER, _POOLING, _NORMALIZE])
        and bool(mean_only)
        and config.get("model_type") == "bert"
        and config.get("hidden_act") == "gelu"
        and config.get("position_embedding_type", "absolute") == "absolute"
        and (folder / "model.safetensors").is_file()
        and (folder / "tokenizer.json").is_file()
    )


def modules_path(folder: Path, module_type: str) -> str:
    """The sub-folder of the first module of a type, as modules.json names it."""
    for module in json.loads((folder / "modules.json").read_text()):
        if module["type"] == module_type:
            return str(module["path"])
    raise KeyError(module_type)


class NumpyBertEmbedder:
    """A BERT + mean pooling sentence-transformers model run with numpy; unit vectors out."""

    def __init__(self, folder: Path, *, name: str) -> None:
        from tokenizers import Tokenizer

        self.name = name
        config = json.loads((folder / "config.json").read_text())
        max_length = json.loads((folder / "sentence_bert_config.json").read_text()).get("max_seq_length")
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.no_padding()  # batches are padded here, with an attention mask
        self._tokenizer.enable_truncation(int(max_length or config["max_position_embeddings"]))
        self._heads = int(config["num_attention_heads"])
        self._eps = float(config.get("layer_norm_eps", 1e-12))
        self._weights = _Weights(read_safetensors(folder / "model.safetensors"), int(config["num_hidden_layers"]))

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return int(self._weights.word.shape[1])

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed texts in padded batches; one vector per text, in order."""
        import numpy as np

        if not texts:
            return []
        encodings = self._tokenizer.encode_batch([_SURROGATE.sub("\ufffd", text) for text in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # similar lengths pad little
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        batch: list[int] = []
        for i in order:
            if batch and len(encodings[i].ids) * (len(batch) + 1) > _BATCH_TOKENS:
                vectors[batch] = self._forward([encodings[j] for j in batch])
                batch = []
            batch.append(i)
        vectors[batch] = self._forward([encodings[j] for j in batch])
        return vectors.tolist()  # type: ignore[no-any-return]

    def _forward(self, encodings: list[Any]) -> np.ndarray:
        """Unit sentence vectors of one padded batch."""
        import numpy as np

        w = self._weights
        length = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), length), dtype=np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros((len(encodings), length), dtype=np.float32)
        for row, encoding in enumerate(encodings):
            n = len(encoding.ids)
            ids[row, :n], types[row, :n], mask[row, :n] = encoding.ids, encoding.type_ids, 1.0
        x = w.word[ids] + w.position[:length] + w.token_type[types]
        x = self._norm(x, w.embedding_norm)
        bias = (1.0 - mask)[:, None, None, :] * np.float32(-1e9)  # padding gets no attention
        for layer in w.layers:
            x = self._layer(x, layer, bias)
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return pooled / np.maximum(norms, 1e-12)  # type: ignore[no-any-return]

    def _layer(self, x: np.ndarray, p: dict[str, Any], bias: np.ndarray) -> np.ndarray:
        batch, length, hidden = x.shape
        size = hidden // self._heads
        qkv = _linear(x, p["qkv_w"], p["qkv_b"]).reshape(batch, length, 3, self._heads, size).transpose(2, 0, 3, 1, 4)
        scores = qkv[0] @ qkv[1].transpose(0, 1, 3, 2) * (1.0 / math.sqrt(size)) + bias
        scores = _softmax(scores)
        attended = (scores @ qkv[2]).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
        x = self._norm(_linear(attended, p["out_w"], p["out_b"]) + x, p["attention_norm"])
        inner = _gelu(_linear(x, p["up_w"], p["up_b"]))
        return self._norm(_linear(inner, p["down_w"], p["down_b"]) + x, p["output_norm"])

    def _norm(self, x: np.ndarray, weight_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        import numpy as np

        mean = x.mean(axis=-1, keepdims=True)
        centred = x - mean
        variance = (centred * centred).mean(axis=-1, keepdims=True)
        return centred / np.sqrt(variance + self._eps) * weight_bias[0] + weight_bias[1]  # type: ignore[no-any-return]


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file, memory-mapped (pages are read when first used)."""
    import numpy as np

    with path.open("rb") as file:
        header_size = int.from_bytes(file.read(8), "little")
        header = json.loads(file.read(header_size))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + header_size)
    dtypes = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] not in dtypes:
            continue  # e.g. bfloat16, which numpy lacks; _Weights says which tensor is missing
        begin, end = info["data_offsets"]
        tensors[name] = data[begin:end].view(dtypes[info["dtype"]]).reshape(info["shape"])
    return tensors


class _Weights:
    """The tensors of a BertModel checkpoint, as views ready for ``x @ W`` products."""

    def __init__(self, tensors: dict[str, np.ndarray], layers: int) -> None:
        import numpy as np

        # Checkpoints name tensors with or without the "bert." prefix of BertForX models.
        t = {k.removeprefix("bert."): v.astype(np.float32, copy=False) for k, v in tensors.items()}
        self.word = t["embeddings.word_embeddings.weight"]
        self.position = t["embeddings.position_embeddings.weight"]
        self.token_type = t["embeddings.token_type_embeddings.weight"]
        self.embedding_norm = _pair(t, "embeddings.LayerNorm")
        self.layers = [self._layer(t, f"encoder.layer.{i}.") for i in range(layers)]

    @staticmethod
    def _layer(t: dict[str, np.ndarray], p: str) -> dict[str, Any]:
        import numpy as np

        # Transposed views, not copies: BLAS reads a transposed operand as fast, and the
        # memory-mapped weights are then only read from disk when a text is first embedded.
        attention = [f"{p}attention.self.{name}" for name in ("query", "key", "value")]
        return {
            "qkv_w": np.concatenate([t[f"{a}.weight"] for a in attention]).T,
            "qkv_b": np.concatenate([t[f"{a}.bias"] for a in attention]),
            "out_w": t[f"{p}attention.output.dense.weight"].T,
            "out_b": t[f"{p}attention.output.dense.bias"],
            "attention_norm": _pair(t, f"{p}attention.output.LayerNorm"),
            "up_w": t[f"{p}intermediate.dense.weight"].T,
            "up_b": t[f"{p}intermediate.dense.bias"],
            "down_w": t[f"{p}output.dense.weight"].T,
            "down_b": t[f"{p}output.dense.bias"],
            "output_norm": _pair(t, f"{p}output.LayerNorm"),
        }


def _pair(t: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    return t[f"{prefix}.weight"], t[f"{prefix}.bias"]


def _linear(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """``x @ weight + bias`` over the last axis, as one 2-D product: a batch's rows in one BLAS call
    (numpy multiplies a 3-D array slice by slice, 1.75x slower on a batch of 20 sentences)."""
    rows = x.reshape(-1, x.shape[-1]) @ weight
    rows += bias
    return rows.reshape(*x.shape[:-1], weight.shape[1])  # type: ignore[no-any-return]


def _softmax(x: np.ndarray) -> np.ndarray:
    import numpy as np

    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)  # type: ignore[no-any-return]


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x * Phi(x); numpy has no erf, so Abramowitz & Stegun 7.1.26 (error < 1.5e-7)."""
    import numpy as np

    # In place on two buffers: on a batch of passages this runs over millions of values.
    z = np.abs(x)
    z *= np.float32(1.0 / math.sqrt(2.0))
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += coefficient
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # erfc(|x| / sqrt 2)
    np.subtract(1.0, poly, out=poly)
    np.copysign(poly, x, out=poly)  # erf(x / sqrt 2)
    poly += 1.0
    poly *= x
    poly *= 0.5
    return poly
