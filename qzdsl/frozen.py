"""`@frozen`: a frozen dataclass that costs no compiling when its module is imported.

`@dataclass(frozen=True)` writes the source of six functions for each class (`__init__`,
`__repr__`, `__eq__`, `__hash__`, `__setattr__`, `__delattr__`) and compiles each apart
(Python 3.11 and 3.12), about 0.5 ms a class. For the thirty classes of the compiled
policy that was 15–30 ms of every `qzdsl eval`'s start-up (docs/architecture.md,
"Start-up"). `@frozen` makes the same class out of functions shared by every class and
compiled once, with this module:

* a real dataclass: `dataclasses.fields`, `replace`, `asdict`, `is_dataclass`, `field(…)`
  with defaults, factories, `init=False`, `repr=False`, `compare=False` and `hash=`, and
  `__post_init__`, all as with `@dataclass(frozen=True)`;
* the same equality (same class, compared fields equal), hash (of the hashed fields'
  tuple), repr (`Name(field=value, …)`, `...` on recursion), immutability
  (`FrozenInstanceError`), `__match_args__`, attribute order and pickled form;
* what a class defines itself (`__eq__`, `__hash__`, `__repr__`, `__init__`) is kept.

Building an instance takes a little longer than with a generated `__init__` (a loop over
the fields instead of straight-line code), so it suits classes built when a policy is
compiled, and unpickled from the cache without `__init__`, not those built on every
evaluation. Not supported (refused): keyword-only fields, `InitVar`, slots, and bases
that are dataclasses.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, FrozenInstanceError
import operator
from operator import attrgetter
from reprlib import recursive_repr

__all__ = ["frozen", "FrozenInstanceError"]


def frozen(cls: type | None = None, /, *, order: bool = False, compiled_init: bool = False,
           cache_hash: bool = False):
    """`cls` as `@dataclass(frozen=True, order=order)` would make it, from shared functions.

    `compiled_init`: compile `__init__` for the class (one compile, not six), for classes
    built often, such as an evaluation's results, where the shared `__init__` would cost
    a microsecond an instance.

    `cache_hash`: an instance keeps its hash once computed (it cannot change: the fields
    are frozen and hashable), for trees hashed again and again — an expression's hash is
    otherwise its whole subtree's. Kept out of pickles and copies (`__getstate__`): a
    string's hash differs from one process to the next."""
    if cls is None:
        return lambda cls: _frozen_class(cls, order, compiled_init, cache_hash)
    return _frozen_class(cls, order, compiled_init, cache_hash)


_HASH = "_frozen_hash"  # where an instance keeps its hash (cache_hash)


def _frozen_class(cls: type, order: bool, compiled_init: bool, cache_hash: bool = False) -> type:
    if any(dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
        raise TypeError(f"@frozen {cls.__name__}: a dataclass base is not supported")
    documented = bool(cls.__dict__.get("__doc__"))
    own = set(cls.__dict__)
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)  # fields only: nothing compiled
    fields = dataclasses.fields(cls)  # the real fields: neither ClassVar nor InitVar
    initvars = [f for f in cls.__dataclass_fields__.values() if f._field_type is dataclasses._FIELD_INITVAR]
    if initvars or any(f.kw_only is True for f in fields):
        raise TypeError(f"@frozen {cls.__name__}: InitVar and keyword-only fields are not supported")
    params = cls.__dataclass_params__
    marked = object.__new__(type(params))
    for slot in type(params).__slots__:
        object.__setattr__(marked, slot, getattr(params, slot))
    for flag in ("init", "repr", "eq", "frozen"):
        object.__setattr__(marked, flag, True)
    object.__setattr__(marked, "order", order)
    cls.__dataclass_params__ = marked

    if "__init__" not in own:
        cls.__init__ = (_compiled_init if compiled_init else _init)(cls, fields)
    if "__repr__" not in own:
        cls.__repr__ = _repr(tuple(f.name for f in fields if f.repr))
    compared = _getter(tuple(f.name for f in fields if f.compare))
    if "__eq__" not in own:
        cls.__eq__ = _eq(compared)
    if order:
        for name, test in (("__lt__", operator.lt), ("__le__", operator.le), ("__gt__", operator.gt),
                           ("__ge__", operator.ge)):
            if name in own:
                raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}. "
                                "Consider using functools.total_ordering")
            setattr(cls, name, _compare(compared, test, name))
    for name in ("__setattr__", "__delattr__"):
        if name in own:
            raise TypeError(f"Cannot overwrite attribute {name} in class {cls.__name__}")
    cls.__setattr__, cls.__delattr__ = _frozen(cls, frozenset(f.name for f in fields))
    # As dataclasses decides: a __hash__ of the class's own is kept (an __eq__ of its own
    # without one leaves __hash__ None, which is not "its own").
    explicit = "__hash__" in own and not (cls.__dict__["__hash__"] is None and "__eq__" in own)
    if not explicit:
        hashed = _getter(tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash)))
        cls.__hash__ = _cached_hash(hashed) if cache_hash else _hash(hashed)
        if cache_hash:
            if "__getstate__" in own:
                raise TypeError(f"@frozen(cache_hash=True) {cls.__name__}: it defines __getstate__")
            cls.__getstate__ = _state_without_hash
    if not documented:
        cls.__doc__ = f"{cls.__name__}({', '.join(f.name for f in fields if f.init)})"
    return cls


def _getter(names: tuple[str, ...]):
    """self -> the tuple of those attributes (a tuple whatever their number, as dataclasses compares)."""
    if not names:
        return lambda self: ()
    if len(names) == 1:
        get = attrgetter(names[0])
        return lambda self: (get(self),)
    return attrgetter(*names)


def _init(cls: type, fields) -> object:
    """__init__(self, *positional, **named) setting the fields in their order, as dataclasses' does."""
    positional = tuple(f.name for f in fields if f.init)
    count, index = len(positional), {name: i for i, name in enumerate(positional)}
    plan = tuple((f.name, index.get(f.name), f.default, f.default_factory) for f in fields)
    post_init = hasattr(cls, "__post_init__")
    setter = object.__setattr__
    where = f"{cls.__qualname__}.__init__()"
    required = sum(1 for f in fields if f.init and f.default is MISSING and f.default_factory is MISSING)
    takes = f"{count + 1}" if required == count else f"from {required + 1} to {count + 1}"

    def __init__(self, *args, **kwargs):
        given = len(args)
        if given > count:
            raise TypeError(f"{where} takes {takes} positional arguments but {given + 1} were given")
        for name in kwargs:
            at = index.get(name)
            if at is None:
                raise TypeError(f"{where} got an unexpected keyword argument {name!r}")
            if at < given:
                raise TypeError(f"{where} got multiple values for argument {name!r}")
        missing = []
        for name, at, default, factory in plan:
            if at is not None and at < given:
                value = args[at]
            elif at is not None and name in kwargs:
                value = kwargs[name]
            elif factory is not MISSING:
                value = factory()
            elif at is None:
                continue  # init=False without a factory: the class attribute (its default), as dataclasses does
            elif default is not MISSING:
                value = default
            else:
                missing.append(name)
                continue
            setter(self, name, value)
        if missing:
            names = " and ".join(", ".join(repr(n) for n in missing).rsplit(", ", 1))
            raise TypeError(f"{where} missing {len(missing)} required positional argument"
                            f"{'s' if len(missing) > 1 else ''}: {names}")
        if post_init:
            self.__post_init__()

    return __init__


def _compiled_init(cls: type, fields) -> object:
    """__init__ compiled for the class, as dataclasses writes it for a frozen class: the
    fields set in order through object.__setattr__, defaults and factories, __post_init__."""
    if any(f.name == "self" or f.name.startswith("__") for f in fields):
        raise TypeError(f"@frozen {cls.__name__}: a field named 'self' or '__…' cannot be a parameter")
    values = {"__set": object.__setattr__, "__factory": _FACTORY}
    parameters, lines = [], []
    for i, f in enumerate(fields):
        if f.init:
            if f.default is not MISSING:
                values[f"__default_{i}"] = f.default
                parameters.append(f"{f.name}=__default_{i}")
            elif f.default_factory is not MISSING:
                parameters.append(f"{f.name}=__factory")
            else:
                parameters.append(f.name)
        if f.default_factory is not MISSING:
            values[f"__make_{i}"] = f.default_factory
            value = f"__make_{i}() if {f.name} is __factory else {f.name}" if f.init else f"__make_{i}()"
        elif f.init:
            value = f.name
        else:
            continue  # init=False without a factory: the class attribute
        lines.append(f"  __set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        lines.append("  self.__post_init__()")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + ("\n".join(lines) or "  pass") + "\n"
    namespace: dict = {}
    exec(compile(source, f"<frozen {cls.__qualname__}.__init__>", "exec"), values, namespace)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    return init


class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


_FACTORY = _Factory()


def _compare(compared, test, name: str):
    def method(self, other):
        if other.__class__ is self.__class__:
            return test(compared(self), compared(other))
        return NotImplemented

    method.__name__ = name
    return method


def _repr(names: tuple[str, ...]):
    @recursive_repr()
    def __repr__(self):
        return f"{self.__class__.__qualname__}({', '.join(f'{name}={getattr(self, name)!r}' for name in names)})"

    return __repr__


def _eq(compared):
    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    return __eq__


def _hash(hashed):
    def __hash__(self):
        return hash(hashed(self))

    return __hash__


def _cached_hash(hashed):
    def __hash__(self):
        state = self.__dict__
        value = state.get(_HASH)
        if value is None:
            value = state[_HASH] = hash(hashed(self))
        return value

    return __hash__


def _state_without_hash(self) -> dict:
    state = self.__dict__
    if _HASH in state:
        state = {name: value for name, value in state.items() if name != _HASH}
    return state


def _frozen(cls: type, names: frozenset[str]):
    def __setattr__(self, name, value):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def __delattr__(self, name):
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    return __setattr__, __delattr__
