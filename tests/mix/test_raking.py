import numpy as np
import pytest

from xuanyuan.mix import Cell, MixError
from xuanyuan.mix.cells import attribute_totals
from xuanyuan.mix.raking import constraints_for, rake

CELLS = [
    Cell("zh_wiki", "zh", "general", "knowledge"),
    Cell("zh_news", "zh", "general", "news"),
    Cell("zh_news2", "zh", "general", "news"),
    Cell("zh_fin", "zh", "finance", "news"),
    Cell("zh_report", "zh", "finance", "report"),
    Cell("en_web", "en", "general", "web"),
    Cell("en_fin", "en", "finance", "news"),
]
PRIOR = np.array([300.0, 200.0, 100.0, 250.0, 150.0, 500.0, 100.0])


def fit(shares, prior=PRIOR, cells=CELLS):
    constraints = constraints_for("p", shares, cells, prior)
    return rake(cells, prior, constraints, phase="p")


def shares_of(weights, attribute, cells=CELLS):
    return attribute_totals(cells, weights.tolist(), attribute)


def test_raking_meets_every_marginal():
    shares = {"lang": {"zh": 0.75, "en": 0.25}, "domain": {"finance": 0.2}, "kind": {"knowledge": 0.3, "web": 0.15}}
    result = fit(shares)
    assert result.weights.sum() == pytest.approx(1.0)
    assert shares_of(result.weights, "lang") == pytest.approx({"en": 0.25, "zh": 0.75}, abs=1e-9)
    assert shares_of(result.weights, "domain")["finance"] == pytest.approx(0.2, abs=1e-9)
    kinds = shares_of(result.weights, "kind")
    assert kinds["knowledge"] == pytest.approx(0.3, abs=1e-9) and kinds["web"] == pytest.approx(0.15, abs=1e-9)
    assert result.deviation <= 1e-9 and result.rounds > 1


def test_cells_alike_in_constrained_attributes_keep_prior_proportions():
    # zh_news and zh_news2 share lang/domain/kind and weight: same factor, so same epochs.
    result = fit({"lang": {"zh": 0.6}, "kind": {"news": 0.5}})
    epochs = result.weights / PRIOR
    assert epochs[1] == pytest.approx(epochs[2], rel=1e-12)


def test_unlisted_values_share_the_leftover_in_proportion_to_their_size():
    result = fit({"kind": {"knowledge": 0.4}})
    kinds = shares_of(result.weights, "kind")
    assert kinds["knowledge"] == pytest.approx(0.4)
    rest_prior = shares_of(PRIOR, "kind")
    del rest_prior["knowledge"]
    whole = sum(rest_prior.values())
    for kind, size in rest_prior.items():
        assert kinds[kind] == pytest.approx(0.6 * size / whole)


def test_no_shares_keeps_the_prior():
    result = fit({})
    np.testing.assert_allclose(result.weights, PRIOR / PRIOR.sum())


def test_listed_value_without_documents_is_an_error_naming_it():
    with pytest.raises(MixError, match=r"^phase 'p': shares.kind lists 'exam' at 0.05 but no document has kind 'exam'; remove it or add a source with that kind$"):
        fit({"kind": {"knowledge": 0.3, "exam": 0.05}})
    # A zero share for a value that does not exist is harmless.
    fit({"kind": {"exam": 0.0}})


def test_shares_summing_above_one_is_an_error():
    with pytest.raises(MixError, match=r"shares.domain sum to 1.1 .*at most 1"):
        fit({"domain": {"finance": 0.3, "general": 0.8}})
    fit({"domain": {"finance": 0.3, "general": 0.7 + 1e-12}})  # float noise is fine


def test_all_values_listed_but_short_of_one_is_an_error():
    with pytest.raises(MixError, match=r"lists every lang .* sum to 0.8"):
        fit({"lang": {"zh": 0.5, "en": 0.3}})


def test_conflicting_constraints_say_which_share_is_off():
    cells = [Cell("zh_wiki", "zh", "general", "knowledge"), Cell("en_web", "en", "general", "web")]
    prior = np.array([100.0, 100.0])
    # Every en document is web: en 25% and web 10% cannot both hold.
    with pytest.raises(MixError, match=r"cannot all hold together.*shares\.kind 'web' comes out at 25\.00% \(target 10\.00%, off by \+15\.00 pp\)"):
        fit({"kind": {"web": 0.1}, "lang": {"en": 0.25}}, prior, cells)


def test_unknown_attribute_is_an_error():
    with pytest.raises(MixError, match="shares.topic is not a mix attribute"):
        fit({"topic": {"x": 0.5}})
