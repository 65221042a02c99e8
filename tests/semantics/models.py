"""Models as hand-built syntax trees (independent of the parser), shared by the tests."""

from __future__ import annotations

from procalg.syntax import ast


def name(n: str) -> ast.Name:
    return ast.Name(n)


def dot(*parts: ast.Node) -> ast.Dot:
    return ast.Dot(parts)


def prefix(event: ast.Node, then: ast.Node) -> ast.PrefixExpr:
    return ast.PrefixExpr(event, (), then)


def binop(op: str, left: ast.Node, right: ast.Node) -> ast.Binary:
    return ast.Binary(op, left, right)


def dining_philosophers(n: int) -> ast.Module:
    """The model of language.md section 1 (deadlocking variant) with N = n."""
    i, j, big_n = name("i"), name("j"), name("N")
    right_fork = binop("%", binop("+", i, ast.Int(1)), big_n)
    left_phil = binop("%", binop("-", binop("+", j, big_n), ast.Int(1)), big_n)
    phil_body = prefix(dot(name("think"), i), prefix(dot(name("pick"), i, i), prefix(
        dot(name("pick"), i, right_fork), prefix(dot(name("eat"), i), prefix(
            dot(name("put"), i, i), prefix(dot(name("put"), i, right_fork),
                                           ast.Apply(name("Phil"), (i,))))))))
    fork_again = ast.Apply(name("Fork"), (j,))
    fork_body = ast.ProcBinary(
        "[]",
        prefix(dot(name("pick"), j, j), prefix(dot(name("put"), j, j), fork_again)),
        prefix(dot(name("pick"), left_phil, j), prefix(dot(name("put"), left_phil, j),
                                                       fork_again)),
    )
    phils = ast.Replicated("|||", (ast.Generator(ast.PVar("i"), name("Id")),),
                           ast.Apply(name("Phil"), (i,)))
    forks = ast.Replicated("|||", (ast.Generator(ast.PVar("j"), name("Id")),),
                           ast.Apply(name("Fork"), (j,)))
    system = ast.GenParallel(phils, ast.EventSet((name("pick"), name("put"))), forks)
    return ast.Module((
        ast.Definition("N", None, ast.Int(n)),
        ast.Definition("Id", None, ast.SetRange(ast.Int(0), binop("-", big_n, ast.Int(1)))),
        ast.ChannelDecl(("think", "eat"), (name("Id"),)),
        ast.ChannelDecl(("pick", "put"), (name("Id"), name("Id"))),
        ast.Definition("Phil", (ast.PVar("i"),), phil_body),
        ast.Definition("Fork", (ast.PVar("j"),), fork_body),
        ast.Definition("System", None, system),
    ))
