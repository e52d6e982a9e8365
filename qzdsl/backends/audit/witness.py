"""A z3 model -> a witness: a concrete case file that `qzdsl eval` accepts.

A witness gives a value to every fact its clauses need (and to the facts of the clauses
they compete with under 从优、从高、不重复, so that the evaluator can resolve them), in the
fact's own type: bool, count, whole yuan, ISO date, enumeration member name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import yaml
import z3

from qzdsl.model import policy as m
from qzdsl.backends.audit.smt import Translator

FactValue = bool | int | str | dt.date


@dataclass(frozen=True)
class Witness:
    """An applicant who qualifies: `name` doubles as the case file's stem."""

    name: str
    kind: str
    as_of: dt.date
    facts: tuple[tuple[str, FactValue], ...]

    @property
    def filename(self) -> str:
        return f"{self.name}.yaml"

    def case(self) -> dict:
        """The case as YAML-native data (dates as `datetime.date`)."""
        return {"name": self.name, "kind": self.kind, "as_of": self.as_of, "facts": dict(self.facts)}

    def to_json(self) -> dict:
        facts = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in self.facts}
        return {"name": self.name, "kind": self.kind, "as_of": self.as_of.isoformat(), "facts": facts}

    def yaml(self) -> str:
        return yaml.safe_dump(self.case(), allow_unicode=True, sort_keys=False, default_flow_style=False)


def witness_from_model(translator: Translator, model: z3.ModelRef, name: str, kind: str,
                       facts: tuple[str, ...]) -> Witness:
    """Read the values of `facts` (and as_of) from a model; facts the model left free get
    a valid value of their type (z3's model completion, within their domain)."""
    values = tuple((fact, _value(translator, model, translator.policy.facts[fact])) for fact in sorted(facts))
    return Witness(name, kind, translator.as_of.value(model), values)


def _value(translator: Translator, model: z3.ModelRef, fact: m.Fact) -> FactValue:
    if fact.type is m.Type.DATE:
        return translator.vars[fact.name].value(model)
    raw = model.eval(translator.vars[fact.name], model_completion=True)
    match fact.type:
        case m.Type.BOOL:
            return z3.is_true(raw)
        case m.Type.ENUM:
            return fact.members[raw.as_long()].name
    return raw.as_long()
