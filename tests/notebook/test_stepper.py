"""The notebook stepper: explored states embedded in the page, stepped in a real browser.

The browser tests run Debian's headless Chromium (``.ci/run`` installs it);
nothing is skipped: without it they fail and say what to install.
"""

from __future__ import annotations

import json
import re
import resource
import shutil
import subprocess
from pathlib import Path

import pytest

from procalg.api.model import loads
from procalg.notebook import stepper
from procalg.notebook.stepper import explore

MODEL = "channel a, b, c\nP = a -> (b -> P [] c -> STOP)\nQ(n) = a -> Q((n + 1) % 50)\n"

# Clicks the widget's own buttons the way a user would, then writes what the page shows.
CLICKS = """
<script>
function click(text) {
  const found = Array.from(document.querySelectorAll('.procalg-offers button'))
    .find(function (b) { return b.textContent === text; });
  if (!found) { throw new Error('no button ' + text); }
  found.click();
}
function seen() {
  const current = document.querySelector('g.node.procalg-current title');
  return {
    offers: Array.from(document.querySelectorAll('.procalg-offers button')).map(
      function (b) { return [b.textContent, b.disabled]; }),
    trace: document.querySelector('.procalg-trace').textContent,
    note: document.querySelector('.procalg-note').textContent,
    back: document.querySelector('.procalg-back').disabled,
    current: current ? current.textContent : null,
  };
}
const log = [seen()];
for (const step of STEPS) {
  if (step === 'back') { document.querySelector('.procalg-back').click(); } else { click(step); }
  log.push(seen());
}
const out = document.createElement('pre');
out.id = 'result';
out.textContent = JSON.stringify(log);
document.body.appendChild(out);
</script>
"""


def _browser() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "these tests need Debian's chromium (apt-get install chromium; .ci/run does)"
    return found


def _unlimited_address_space() -> None:
    # procalg's CLI caps this process's address space (guard_memory) when a test calls
    # main(); Chromium reserves terabytes of virtual memory and dies under the cap
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (hard, hard))


def _step_in_browser(html: str, steps: list[str], tmp_path: Path) -> list[dict]:
    page = tmp_path / "page.html"
    page.write_text("<!DOCTYPE html><html><body>" + html
                    + CLICKS.replace("STEPS", json.dumps(steps)) + "</body></html>",
                    encoding="utf-8")
    command = [_browser(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
               "--dump-dom", page.as_uri()]
    for _ in range(2):  # a browser starved of CPU by a busy machine may exit early: once more
        done = subprocess.run(command, capture_output=True, text=True, timeout=180,
                              preexec_fn=_unlimited_address_space)
        found = re.search(r'<pre id="result">(.*?)</pre>', done.stdout, re.S)
        if found:
            break
    assert found, f"the page did not run its script (exit {done.returncode}): {done.stderr[-2000:]}"
    text = found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return json.loads(text)


def test_exploration_is_breadth_first_and_marks_moves_beyond_the_limit() -> None:
    model = loads(MODEL)
    whole = explore(model, "P")
    assert whole.complete and whole.moves == [[("a", 1)], [("b", 0), ("c", 2)], []]
    cut = explore(model, "Q(0)", max_states=3)
    assert not cut.complete
    assert cut.moves == [[("a", 1)], [("a", 2)], [("a", -1)]]
    assert cut.terms[:2] == ["a -> Q(1)", "a -> Q(2)"]


def test_the_page_data_cannot_close_its_script_tag() -> None:
    model = loads('channel a\nP = a -> STOP\n')
    html = stepper(model, "P", draw=False)._repr_html_()
    assert html.count("</script>") == 2  # the JSON's and the code's, nothing inside them


def test_clicking_offered_events_walks_the_trace_and_highlights_the_state(tmp_path) -> None:
    html = stepper(loads(MODEL), "P", draw=True)._repr_html_()
    log = _step_in_browser(html, ["a", "b", "a", "c", "back"], tmp_path)
    start, after_a, after_b, again_a, after_c, backed = log
    assert again_a["current"] == "s1" and again_a["trace"] == "a, b, a"
    assert start == {"offers": [["a", False]], "trace": "(the empty trace)", "note": "",
                     "back": True, "current": "s0"}
    assert after_a["offers"] == [["b", False], ["c", False]] and after_a["current"] == "s1"
    assert after_b["trace"] == "a, b" and after_b["current"] == "s0"
    assert after_c["offers"] == [] and after_c["current"] == "s2"
    assert after_c["note"] == "stuck: nothing is offered (a deadlock)"
    assert after_c["trace"] == "a, b, a, c"
    assert backed["trace"] == "a, b, a" and backed["current"] == "s1" and not backed["back"]


def test_moves_beyond_the_embedded_states_are_disabled_with_a_note(tmp_path) -> None:
    html = stepper(loads(MODEL), "Q(0)", max_states=3)._repr_html_()
    assert "<svg" not in html  # not all states are embedded: no picture
    log = _step_in_browser(html, ["a", "a"], tmp_path)
    assert log[-1]["offers"] == [["a", True]]
    assert "beyond the 3 states embedded" in log[-1]["note"]


@pytest.mark.parametrize("process", ["P", "Q(0)"])
def test_every_embedded_move_is_a_move_of_the_reference_rules(process) -> None:
    model = loads(MODEL)
    walk = explore(model, process, max_states=100)
    system = model.system(process)
    # re-walk the terms: each state's moves are exactly its successors, by label
    states = [system.initial_state()]
    for index, row in enumerate(walk.moves):
        moves = system.successors(states[index])
        assert [label for label, _ in row] == [str(label) for label, _ in moves]
        for (_, target), (_, term) in zip(row, moves, strict=True):
            if target == len(states):
                states.append(term)
    assert len(states) == len(walk.terms)
