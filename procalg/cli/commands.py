"""The subcommands' bodies: each takes parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import json
import sys

from procalg.api import check_model, load
from procalg.cli.report import (
    FAIL_MARK,
    counterexample_text,
    report_json,
    summary_line,
)


def check(args: argparse.Namespace) -> int:
    """``procalg check FILE``: every assertion, one line each, then counterexamples."""
    model = load(args.file)
    reports = []
    width = max((len(a.text) for a in model.assertions), default=0)
    for report in check_model(model, max_states=args.max_states):
        reports.append(report)
        if not args.json:
            print(summary_line(report, width), flush=True)
    if args.json:
        print(report_json(args.file, reports))
    else:
        _print_details(reports, show_tau=args.show_tau)
    if any(r.result == "error" for r in reports):
        return 2
    return 1 if any(r.result == "fail" for r in reports) else 0


def _print_details(reports: list, *, show_tau: bool) -> None:
    for r in reports:
        if r.result == "error":
            print(f"\n{r.error.render()}", file=sys.stderr)
        elif r.result == "fail" and r.check and r.check.counterexample:
            where = f" (line {r.line})" if r.line else ""
            print(f"\n{FAIL_MARK} {r.assertion.text}{where}")
            for line in counterexample_text(r.check.counterexample, show_tau=show_tau):
                print(f"    {line}")
        elif r.result == "fail":
            print(f"\n{FAIL_MARK} {r.assertion.text}: {r.check.message if r.check else ''}")
    if not reports:
        print("no assertions in this file")


def lts(args: argparse.Namespace) -> int:
    """``procalg lts FILE PROCESS --stats``: explore and report the LTS."""
    model = load(args.file)
    graph = model.lts(args.process, max_states=args.max_states)
    stats = {"process": args.process, "states": graph.num_states,
             "transitions": graph.num_transitions}
    if args.json:
        print(json.dumps(stats))
    else:
        print(f"{args.process}: {graph.num_states} states, {graph.num_transitions} transitions")
    return 0
