"""benchmarks/parse.py: the generated state space is the model it describes, and every
size gets a row."""

from __future__ import annotations

from benchmarks.parse import main, state_space
from procalg.api import loads


def test_the_generated_state_space_has_one_definition_per_state_each_a_choice_of_prefixes(
        ) -> None:
    model = loads(state_space(40))
    names = [d.name for d in model.module.declarations if hasattr(d, "name")]
    assert names == [f"N{i}" for i in range(40)]
    assert model.lts("N0").num_states <= 40


def test_every_size_and_a_given_file_get_a_row(capsys, tmp_path) -> None:
    main(["--sizes", "20", "30", "--runs", "1"])
    path = tmp_path / "given.proc"
    path.write_text(state_space(10))
    main(["--file", str(path), "--runs", "1"])
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert [" ".join(r[:-3]) for r in rows if r[0] != "model"] == [
        "state space 20", "state space 30", "given.proc"]
    # µs per line: the parse seconds column is rounded to 0.01 and a small file reads 0.00
    assert all(float(r[-1]) > 0 for r in rows if r[0] != "model")
