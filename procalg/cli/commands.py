"""The subcommands' bodies: each takes parsed arguments and returns an exit code."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterable

from procalg.api import check_assertion, load
from procalg.api.search import SearchOptions
from procalg.api.signals import signal_warnings
from procalg.cli.progress import ProgressLine
from procalg.cli.report import (
    counterexample_text,
    engine_notes,
    report_json,
    summary_line,
)
from procalg.cli.style import COLUMNS, Style
from procalg.errors import ProcalgError, UsageError


def check(args: argparse.Namespace) -> int:
    """``procalg check FILE``: every assertion, one line each, then counterexamples."""
    model = load(args.file)
    reports = []
    width = max((len(a.text) for a in model.assertions), default=0)
    # drawn on a terminal; kept in any case, for running out of memory or CPU time to say
    line = ProgressLine(sys.stderr if not args.json and sys.stderr.isatty() else None)
    args.progress_line = line  # how far it got (procalg.cli.main)
    options = SearchOptions(
        engine=args.engine, max_states=args.max_states,
        reference_max_states=args.reference_max_states, reduce=not args.no_reduce,
        por=args.por, progress=line, bmc_depth=args.bmc_depth, seconds=args.timeout,
        max_memory=args.max_memory * 2**20 if args.max_memory else None)
    out, err = Style.for_stream(sys.stdout), Style.for_stream(sys.stderr)
    for assertion in model.assertions:
        line.label = assertion.text  # which check the numbers belong to
        report = check_assertion(model, assertion, options=options)
        line.clear()
        reports.append(report)
        if not args.json:
            print(summary_line(report, width, out), flush=True)
            if args.stats or report.stats.extra.get("engine") == "symbolic":
                for note in engine_notes(report, details=args.stats):
                    print(f"    {note}")
    line.label = ""  # every assertion answered: no check runs out from here on
    explained = {}
    if args.explain:
        from procalg.api.explain import explain_report  # --explain only: not on start-up

        explained = {id(r): why for r in reports if (why := explain_report(model, r))}
    if args.json:
        print(report_json(args.file, reports,
                          {k: v.to_json() for k, v in explained.items()} if args.explain
                          else None))
    else:
        _print_details(reports, show_tau=args.show_tau, explained=explained,
                       styles=(out, err))
        # not verdicts: every engine stops at the term-level default
        warnings = signal_warnings(model, max_states=args.max_states or args.reference_max_states,
                                   reduce=options.reduce)
        if warnings:
            print("\n" + "\n".join(f"warning: {w}" for w in warnings))
    if any(r.result == "error" for r in reports):
        return 2
    if any(r.result == "fail" for r in reports):
        return 1
    return 3 if any(r.result == "unknown" for r in reports) else 0


def lint(args: argparse.Namespace) -> int:
    """``procalg lint FILE``: one line per finding; exit 1 if there is any."""
    from procalg.api.lint import finding_json, finding_line, lint_model

    model = load(args.file)
    findings = lint_model(model)
    if args.json:
        import json  # only for --json: a check's start-up skips it

        print(json.dumps({"file": args.file,
                          "findings": [finding_json(f) for f in findings]}, indent=2))
    else:
        for finding in findings:
            print(finding_line(args.file, finding))
        if not findings:
            print(f"{args.file}: no findings")
    return 1 if findings else 0


def _print_details(reports: list, *, show_tau: bool, explained: dict,
                   styles: tuple[Style, Style] = (Style(False), Style(False))) -> None:
    out, err = styles
    printed = set()  # one cause (a definition) often breaks several assertions: say it once
    for r in reports:
        if r.result == "error":
            text = r.error.render()
            if text not in printed:
                printed.add(text)
                print(f"\n{err.diagnostic(text)}", file=sys.stderr)
        elif r.result == "fail" and r.check and r.check.counterexample:
            where = f" (line {r.line})" if r.line else ""
            print(f"\n{out.mark('fail')} {r.assertion.text}{where}")
            for line in counterexample_text(r.check.counterexample, show_tau=show_tau):
                print(textwrap.fill(line, COLUMNS, initial_indent="    ",
                                    subsequent_indent="      ", break_long_words=False,
                                    break_on_hyphens=False))
            if id(r) in explained:
                from procalg.cli.explain import print_explanation

                print_explanation(explained[id(r)], show_tau=show_tau)
        elif r.result in ("fail", "unknown"):
            where = f" (line {r.line})" if r.line else ""
            print(textwrap.fill(f"{out.mark(r.result)} {r.assertion.text}{where}: "
                                f"{r.check.message if r.check else ''}", COLUMNS,
                                initial_indent="\n", subsequent_indent="    ",
                                break_long_words=False, break_on_hyphens=False))
    if not reports:
        print("no assertions in this file")


def lts(args: argparse.Namespace) -> int:
    """``procalg lts FILE PROCESS [--stats] [--format F [-o OUT]] [--minimize E]``."""
    # lts and graph only: the export formats and minimisation are not check's start-up
    from procalg.api.export import export_chunks, lts_stats, process_lts, process_stats, reduced

    model = load(args.file)
    if args.output is not None and args.format is None:
        raise UsageError("-o needs --format to say what to write",
                           hint="add --format aut, dot, json or graphml")
    limits = {"max_states": args.max_states, "engine": args.engine,
              "reference_max_states": args.reference_max_states}
    if args.format is None and args.minimize is None:  # counts only: no LTS is built
        stats = process_stats(model, args.process, **limits)
    else:
        graph = reduced(process_lts(model, args.process, **limits), args.minimize)
        if args.format is not None:
            _write(export_chunks(graph, args.format), args.output)
        stats = lts_stats(args.process, graph) if args.stats or args.format is None else None
    if stats is not None:
        # with the export on stdout, the statistics go to stderr
        out = sys.stderr if args.format is not None and args.output is None else sys.stdout
        if args.json:
            import json  # only for --json

            print(json.dumps(stats), file=out)
        else:
            ends = ", ".join(f"{n} {o}" for o, n in stats["outcomes"].items())
            print(f"{args.process}: {_count(stats['states'], 'state')}, "
                  f"{_count(stats['transitions'], 'transition')}"
                  + (f"; terminal states: {ends}" if ends else ""), file=out)
    return 0


def graph(args: argparse.Namespace) -> int:
    """``procalg graph FILE PROCESS -o OUT [--minimize E] [--highlight-trace T]``."""
    from procalg.api.export import draw, parse_trace, process_lts, reduced

    model = load(args.file)
    names = args.minimize is None  # a quotient's states are blocks, not terms
    explored = process_lts(model, args.process, max_states=args.max_states,
                           reference_max_states=args.reference_max_states,
                           engine=args.engine, state_names=names)
    lts = reduced(explored, args.minimize)
    drawn = draw(lts, args.output, highlight_trace=parse_trace(args.highlight_trace))
    print(f"wrote {drawn.path} ({_count(drawn.states, 'state')}, "
          f"{_count(drawn.transitions, 'transition')})")
    if drawn.note:
        print(f"the LTS has {_count(lts.num_states, 'state')}, too many to draw: "
              f"drew {drawn.note}")
    return 0


def _count(n: int, noun: str) -> str:
    """``1 state``, ``2 states``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _write(chunks: Iterable[str], output: str | None) -> None:
    """Write the pieces of a text as they come, to ``output`` or stdout."""
    if output is None:
        for chunk in chunks:
            sys.stdout.write(chunk)
        return
    try:
        with open(output, "w", encoding="utf-8") as out:
            for chunk in chunks:
                out.write(chunk)
    except OSError as err:
        raise ProcalgError(f"cannot write {output}: {err.strerror}",
                           hint="check the directory exists and is writable") from None
