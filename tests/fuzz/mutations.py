"""Hypothesis strategies that turn a valid request body into a hostile one: a value anywhere in
the tree replaced by any JSON value an attacker or a broken ERP could send (wrong types, huge
integers, 1e30, NaN, control characters, foreign digits, '1_000', 1 MB strings, deep nesting)."""
from __future__ import annotations

import copy

from hypothesis import strategies as st

NASTY_TEXT = ["", " ", "\x00", "a\x01b", "\x1b[31m", "\u200b", "\ud7ff", "\ufffe", "1_000", "١٢٣", "१२३", "1e30",
              "1E400", "-0", "NaN", "Infinity", "-1", "0x10", "  12  ", "1,5", "9" * 5000, "x" * 300_000,
              "2026-02-30", "2026-13-01T00:00:00", "0000-00-00", "false", "null", "{}", "[]", "<a>&x;</a>",
              "]]>", "ñ" * 400, "\n\n", "12.345678901", "0.0000001"]


class HugeInt(int):
    """An int over Python's 4 300-digit str() limit that Hypothesis can still print."""

    def __repr__(self) -> str:
        return f"HugeInt(<{self.bit_length()} bits>)"


NASTY_NUMBERS = [0, -1, 1, 10 ** 30, -(10 ** 30), HugeInt(10 ** 5000), 1e30, 1e308, -1e308, float("nan"), float("inf"),
                 float("-inf"), 0.1, 1e-30, 2 ** 63, 12345678901234567890, 3.5, True, False]


class Deep(dict):
    """Very deep JSON (the top level of it) that Hypothesis can print without recursing."""

    def __repr__(self) -> str:
        return f"Deep(<{self.depth} levels>)"

    def _repr_pretty_(self, p, cycle) -> None:
        p.text(repr(self))


def _deep(depth: int):
    v: object = 1
    for i in range(depth):
        v = [v] if i % 2 else {"a": v}
    out = Deep(a=v)
    out.depth = depth
    return out


leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                 st.text(max_size=40), st.sampled_from(NASTY_TEXT), st.sampled_from(NASTY_NUMBERS))
json_value = st.recursive(leaf, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), kids, max_size=4)),
                          max_leaves=12)
hostile = st.one_of(json_value, json_value, st.sampled_from([50, 5000]).map(_deep))  # fresh each time


def paths(tree, prefix=(), max_depth: int = 12) -> list[tuple]:
    """Every position in a JSON tree (dict keys and list indices) down to `max_depth`."""
    out = [prefix]
    if len(prefix) >= max_depth:
        return out
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += paths(v, prefix + (k,), max_depth)
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += paths(v, prefix + (i,), max_depth)
    return out


def replaced(tree, path: tuple, value):
    if not path:
        return value
    node = tree
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return tree


@st.composite
def mutated(draw, base: dict, max_mutations: int = 3):
    """`base` with 1..max_mutations values replaced (or keys removed)."""
    body = copy.deepcopy(base)  # the base holds no deep value: deepcopy is safe here, never after
    for _ in range(draw(st.integers(1, max_mutations))):
        spots = paths(body)[1:] or [()]
        path = draw(st.sampled_from(spots))
        if path and draw(st.integers(0, 5)) == 0:  # drop the key / element
            parent = body
            for p in path[:-1]:
                parent = parent[p]
            del parent[path[-1]]
        else:
            body = replaced(body, path, draw(hostile))
            if not isinstance(body, dict):
                return body
    return body
