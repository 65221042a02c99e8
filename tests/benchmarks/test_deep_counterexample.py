"""The deep-counterexample benchmark's models fail where the spec stops the ring."""

from __future__ import annotations

import pytest

from benchmarks.deep_counterexample import MODEL, timed


@pytest.mark.parametrize("reset", ["0", "V - 1"])
def test_the_ring_fails_one_event_past_what_the_spec_allows_on_keys_of_words(reset):
    text = MODEL.format(n=40, c=2, v=6, r=9, reset=reset)  # 80 bits of ring: two words
    check, rebuild, states, trace = timed(text)
    assert trace == 10 and states > 100 and 0 <= rebuild <= check
