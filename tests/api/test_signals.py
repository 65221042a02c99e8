"""procalg.api.signals: the stranded-signal warnings read on the reduced product (the
network a check compiled) name the signals the term rules' whole LTS strands."""

from __future__ import annotations

from hypothesis import given, settings

from procalg.api import loads
from procalg.api.check import check_model
from procalg.api.export import process_lts
from procalg.api.search import CheckEngine
from procalg.api.signals import signal_warnings
from procalg.checks.signals import channel_of, stranded_signals
from procalg.errors import ProcalgError
from tests.api.random_models import HEADER, models

SIGNALS = {"a", "d"}
SIGNAL_HEADER = "signal a\nchannel b, c\nsignal d : {0..3}\nchannel e : {0..3}\n"
ASSERTIONS = "assert T :[deadlock free]\nassert S :[deadlock free]\n"


def _stranded(warnings: list[str]) -> set[str]:
    """The signal labels of warnings (``signal a: sent while T ...`` -> ``a``)."""
    return {w.removeprefix("signal ").split(":", 1)[0] for w in warnings}


@settings(max_examples=40, deadline=None)
@given(models())
def test_a_random_models_warnings_name_the_signals_the_term_rules_lts_strands(
        text: str) -> None:
    # the oracle: the definition (procalg.checks.signals) on the term rules' LTS of
    # each checked process; the warnings read the product with reduced components
    assert text.startswith(HEADER)
    model = loads(SIGNAL_HEADER + text.removeprefix(HEADER) + ASSERTIONS)
    expected: set[str] = set()
    try:
        for name in ("T", "S"):
            lts = process_lts(model, name, engine=CheckEngine.REFERENCE, max_states=3_000)
            expected |= {str(f.signal) for f in stranded_signals(
                lts, lambda lab: channel_of(lab) in SIGNALS)}
    except ProcalgError:
        return  # too big for the oracle, or a model error the checks report
    reduced = signal_warnings(model, max_states=30_000)
    assert _stranded(reduced) == expected
    assert _stranded(signal_warnings(model, max_states=30_000, reduce=False)) == expected


def test_the_warnings_read_the_network_the_checks_compiled_and_compile_none() -> None:
    model = loads("signal go\ntimer t = 1s\nQ = go -> Q [] t -> STOP\n"
                  "P = Q ||| (go -> STOP)\nassert P :[divergence free]")
    assert [r.result for r in check_model(model)] == ["pass"]
    compiled = dict(model._networks)
    assert len(compiled) == 1
    assert signal_warnings(model) == [
        "signal go: sent while P waits for it (after <go>), it is never consumed if <t> "
        "happens first"]
    assert model._networks == compiled
