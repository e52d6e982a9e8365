"""`qzdsl.frozen.frozen` makes the class `@dataclass(frozen=True)` makes: the same fields,
equality, hash, repr, immutability, replace, pickle and errors — checked side by side on
twin classes, and on the compiled policy itself."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field
from functools import cached_property

import pytest

from qzdsl.frozen import frozen


def _twins():
    """The same class body under each decorator."""
    made = []
    for decorate in (dataclass(frozen=True), frozen, frozen(compiled_init=True)):
        @decorate
        class Node:
            """A node."""

            name: str
            children: tuple = ()
            span: object = field(default=None, compare=False)
            tags: list = field(default_factory=list, repr=False, hash=False)
            weight: int = field(default=1, hash=False)
            seen: int = field(default=0, init=False)
            origin: object = field(default=None, init=False, compare=False)

            def __post_init__(self):
                if self.name == "bad":
                    raise ValueError("bad name")

            @cached_property
            def size(self) -> int:
                return 1 + sum(c.size for c in self.children)

        @decorate
        class Empty:
            pass

        @decorate
        class Own:
            value: int

            def __eq__(self, other):
                return type(other) is type(self) and self.value % 10 == other.value % 10

            def __hash__(self):
                return self.value % 10

            def __repr__(self):
                return "own"

        made.append((Node, Empty, Own))
    return made


(REAL_NODE, REAL_EMPTY, REAL_OWN), (NODE, EMPTY, OWN), (COMPILED_NODE, COMPILED_EMPTY, COMPILED_OWN) = _twins()
OURS = pytest.mark.parametrize("ours", [NODE, COMPILED_NODE], ids=["shared", "compiled_init"])


@OURS
@pytest.mark.parametrize("build", [
    lambda N: N("a"),
    lambda N: N("a", (N("b"),), "span", ["t"], 3),
    lambda N: N(name="a", weight=2, children=(N("c", span=1),)),
    lambda N: N("a", tags=[1, 2]),
])
def test_instances_behave_alike(build, ours):
    real, ours = build(REAL_NODE), build(ours)
    assert repr(real) == repr(ours).replace(type(ours).__qualname__, REAL_NODE.__qualname__)
    assert hash(real) == hash(ours)
    assert list(vars(real)) == list(vars(ours)) and repr(vars(real)) == repr(vars(ours))
    assert [f.name for f in dataclasses.fields(real)] == [f.name for f in dataclasses.fields(ours)]
    assert dataclasses.asdict(real) == dataclasses.asdict(ours)
    assert real.size == ours.size
    again = dataclasses.replace(ours, weight=9)
    assert again.weight == 9 and again.name == ours.name and again != ours
    assert copy.deepcopy(ours) == ours and copy.copy(ours) == ours  # pickling: the policy test below
    for target in (real, ours):
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'name'"):
            target.name = "x"
        with pytest.raises(FrozenInstanceError, match="cannot assign to field 'other'"):
            target.other = 1
        with pytest.raises(FrozenInstanceError, match="cannot delete field 'name'"):
            del target.name


def test_equality_and_hash_follow_the_compared_and_hashed_fields():
    for N in (REAL_NODE, NODE, COMPILED_NODE):
        assert N("a", span=1) == N("a", span=2) and hash(N("a", span=1)) == hash(N("a", span=2))
        assert N("a", tags=[1]) != N("a", tags=[2]) and hash(N("a", tags=[1])) == hash(N("a", tags=[2]))
        assert N("a", weight=1) != N("a", weight=2) and hash(N("a", weight=1)) == hash(N("a", weight=2))
        assert N("a").__eq__("a") is NotImplemented
    assert NODE("a") != REAL_NODE("a")  # another class
    assert REAL_NODE.__match_args__ == NODE.__match_args__ == ("name", "children", "span", "tags", "weight")
    assert dataclasses.is_dataclass(NODE) and NODE.__dataclass_params__.frozen and NODE.__dataclass_params__.eq
    assert REAL_EMPTY() == REAL_EMPTY() and EMPTY() == EMPTY() and hash(EMPTY()) == hash(REAL_EMPTY()) == hash(())
    assert repr(EMPTY()).endswith("Empty()") and EMPTY.__doc__ == "Empty()" and COMPILED_EMPTY() == COMPILED_EMPTY()


def test_order_compares_the_compared_fields_as_tuples():
    made = []
    for decorate in (dataclass(frozen=True, order=True), frozen(order=True), frozen(order=True, compiled_init=True)):
        @decorate
        class At:
            line: int
            column: int
            note: str = field(default="", compare=False)

        made.append(At)
    for At in made:
        assert At(1, 2) < At(1, 3) <= At(1, 3, "x") and At(2, 0) > At(1, 9) >= At(1, 9)
        assert sorted([At(2, 1), At(1, 5), At(1, 2)]) == [At(1, 2), At(1, 5), At(2, 1)]
        assert At(1, 1).__lt__((1, 2)) is NotImplemented and At.__dataclass_params__.order


def test_a_class_keeps_its_own_methods():
    for Kept in (REAL_OWN, OWN, COMPILED_OWN):
        assert Kept(1) == Kept(11) and hash(Kept(3)) == 3 and repr(Kept(1)) == "own"


@pytest.mark.parametrize("call", [
    lambda N: N(),
    lambda N: N("a", (), None, [], 1, 2),
    lambda N: N("a", name="b"),
    lambda N: N("a", seen=1),
    lambda N: N("a", nope=1),
    lambda N: N("bad"),
])
def test_wrong_calls_fail_alike(call):
    errors = []
    for N in (REAL_NODE, NODE, COMPILED_NODE):
        with pytest.raises((TypeError, ValueError)) as caught:
            call(N)
        errors.append((type(caught.value), str(caught.value).split("__init__()")[-1]))
    assert errors[0] == errors[1] == errors[2]


def test_unsupported_shapes_are_refused():
    with pytest.raises(TypeError, match="keyword-only"):
        @frozen
        class KwOnly:
            a: int = field(kw_only=True)
    with pytest.raises(TypeError, match="dataclass base"):
        @frozen
        class Child(REAL_EMPTY):
            pass
    with pytest.raises(TypeError, match="Cannot overwrite attribute __setattr__"):
        @frozen
        class Settable:
            def __setattr__(self, name, value):
                pass


def test_the_compiled_policy_survives_pickle_and_replace():
    from qzdsl import load

    policy = load()
    assert pickle.loads(pickle.dumps(policy)) == policy
    clause = policy.clauses[0]
    assert dataclasses.replace(clause) == clause and hash(dataclasses.replace(clause)) == hash(clause)
    with pytest.raises(FrozenInstanceError):
        clause.id = "x"


def test_a_cached_hash_is_the_same_hash_and_stays_out_of_pickles_and_copies():
    from qzdsl.model import policy as m

    @frozen(cache_hash=True)
    class Pair:
        left: object
        right: object = None

    plain = REAL_NODE("a", (REAL_NODE("b"),))
    cached = Pair(Pair(1, "x"), (2, 3))
    assert hash(cached) == hash(Pair(Pair(1, "x"), (2, 3))) == hash((Pair(1, "x"), (2, 3)))
    assert hash(cached) == hash(cached) and "_frozen_hash" in vars(cached)
    assert "_frozen_hash" not in cached.__getstate__() and copy.deepcopy(cached) == cached
    assert "_frozen_hash" not in vars(copy.copy(cached)) and hash(plain) == hash(plain)
    expr = m.Cmp("==", m.FactRef("a", m.Type.BOOL, "a"), m.Const(True, m.Type.BOOL, "true"), m.Type.BOOL, "a == true")
    first = hash(expr)
    again = pickle.loads(pickle.dumps(expr))
    assert "_frozen_hash" not in vars(again) and again == expr and hash(again) == first
    with pytest.raises(TypeError, match="__getstate__"):
        @frozen(cache_hash=True)
        class Stateful:
            def __getstate__(self):
                return {}
