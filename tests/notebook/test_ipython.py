"""enable() in a real (in-process) IPython shell: formatters, the %%proc magic, errors."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from procalg.api import check_model, loads
from procalg.errors import ProcalgError
from procalg.lts import LTS
from procalg.notebook import disable, enable

MODEL = "channel a\nP = a -> STOP\nassert P :[deadlock free]\n"


@pytest.fixture
def shell():
    config = Config()
    config.HistoryManager.hist_file = ":memory:"  # no history file in the user's home
    ip = InteractiveShell.instance(config=config)
    enable(ip)
    yield ip
    disable(ip)
    InteractiveShell.clear_instance()


def test_reports_list_displays_as_a_table(shell):
    data, _ = shell.display_formatter.format(list(check_model(loads(MODEL))))
    assert data["text/html"].count('<tr class="procalg-fail">') == 1
    assert data["text/plain"].startswith("[✗ P :[deadlock free]")


def test_other_lists_keep_ipythons_own_view(shell):
    data, _ = shell.display_formatter.format([1, 2])
    assert set(data) == {"text/plain"} and data["text/plain"] == "[1, 2]"


def test_lts_displays_as_one_rich_view_and_text(shell):
    small, _ = shell.display_formatter.format(LTS.build(2, 0, ["a"], [(0, "a", 1)]))
    assert set(small) == {"text/plain", "image/svg+xml"}
    big = LTS.build(100, 0, ["a"], [(i, "a", i + 1) for i in range(99)])
    data, _ = shell.display_formatter.format(big)
    assert set(data) == {"text/plain", "text/html"}
    assert data["text/plain"].startswith("LTS: 100 states")


def test_model_displays_its_declarations(shell):
    data, _ = shell.display_formatter.format(loads(MODEL, "m.proc"))
    assert data["text/plain"].startswith("model m.proc")
    assert "<code>P :[deadlock free]</code>" in data["text/html"]


def test_proc_magic_binds_the_model_and_returns_its_reports(shell):
    result = shell.run_cell("%%proc m\n" + MODEL)
    assert result.success
    assert [r.result for r in result.result] == ["fail"]
    assert shell.user_ns["m"].lts("P").num_states == 2


def test_procalg_errors_show_as_the_cli_prints_them(shell, capsys):
    result = shell.run_cell("%%proc bad\nP = a -> -> STOP\n")
    assert isinstance(result.error_in_exec, ProcalgError)
    out = capsys.readouterr().out
    assert "<%%proc bad>:1:" in out and "^" in out and "Traceback" not in out


def test_other_errors_keep_their_traceback(shell, capsys):
    result = shell.run_cell("1 / 0")
    assert isinstance(result.error_in_exec, ZeroDivisionError)
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_disable_restores_ipythons_views(shell):
    disable(shell)
    data, _ = shell.display_formatter.format(loads(MODEL))
    assert set(data) == {"text/plain"} and data["text/plain"].startswith("Model(")
    assert "proc" not in shell.magics_manager.magics["cell"]
    enable(shell)  # the fixture disables again


def test_enable_outside_ipython_says_where_to_call_it():
    assert InteractiveShell.initialized() is False
    with pytest.raises(ProcalgError) as caught:
        enable()
    assert "load_ext procalg.notebook" in caught.value.hint
