"""Values derived from a compiled policy once and kept while the policy object lives.

The evaluator's compiled clauses and the eval record's phrasing of conditions depend on
nothing but the policy (and, for words, the language): they are worked out on first use
and reused for every case. A `Policy` holds dicts, so it cannot be hashed; the cache is
keyed by the object's identity and a weak reference drops an entry with its policy.

What `build` returns must not hold a strong reference to the policy (keep a
`weakref.proxy` instead), or the policy, and the entry, would never be freed.
"""

from __future__ import annotations

import weakref
from typing import Callable, TypeVar

T = TypeVar("T")

_CACHE: dict[tuple[int, object], tuple[weakref.ref, object]] = {}


def derived(policy: object, key: object, build: Callable[[], T]) -> T:
    """The value `build()` for `policy` under `key`, built once per policy object."""
    slot = (id(policy), key)
    entry = _CACHE.get(slot)
    if entry is None or entry[0]() is not policy:
        forget = _CACHE.pop  # bound now: the callback may run while the interpreter shuts down
        entry = _CACHE[slot] = (weakref.ref(policy, lambda _, slot=slot: forget(slot, None)), build())
    return entry[1]  # type: ignore[return-value]


def cached(policy: object) -> list[object]:
    """The keys cached for `policy` (for tests)."""
    return [key for (ident, key), (ref, _) in list(_CACHE.items()) if ident == id(policy) and ref() is policy]
