"""Turn a table of guarded edges into one `transitions` machine, fire it without binding, explain its guards.

Nothing here knows about cases: `workflows.cases` supplies the states, the edge table and the context
(facts, now, actor) that its guards read. The machine is built once, never mutated afterwards, and fired
on a throw-away cursor object, so it holds no models and is safe to share between threads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine, MachineError
from transitions.extensions.markup import MarkupMachine

Guard = Callable[[EventData], bool]
Step = tuple[str | None, str, str]

# Guard metadata lives beside the functions rather than on them, so guards stay plain typed functions.
_GUARD_INFO: dict[Guard, GuardInfo] = {}


@dataclass(frozen=True)
class GuardInfo:
    """What the user is told about a guard: its sentence, the record that satisfies it, the approval it checks."""

    name: str
    message: str
    record: str
    approval_for: str | None = None


def guard(record: str, *, message: str | None = None, approval_for: str | None = None) -> Callable[[Guard], Guard]:
    """Register a guard with the record key that satisfies it; its message defaults to its docstring's first
    paragraph."""

    def register(func: Guard) -> Guard:
        # The docstring's first paragraph, without its full stop: messages are shown as checklist items and
        # joined in sentences.
        first_paragraph = (func.__doc__ or "").strip().split("\n\n")[0]
        text = message or " ".join(line.strip() for line in first_paragraph.splitlines()).rstrip(".")
        if not text:
            raise ValueError(f"guard {func.__name__} needs a message or a docstring")
        _GUARD_INFO[func] = GuardInfo(func.__name__, text, record, approval_for)
        return func

    return register


def guard_info(func: Guard) -> GuardInfo:
    """Return the registered description of ``func``."""
    try:
        return _GUARD_INFO[func]
    except KeyError:
        raise ValueError(f"{getattr(func, '__name__', func)!r} is not a registered guard") from None


@dataclass(frozen=True)
class Edge:
    """One legal move: ``trigger`` takes a case from ``source`` to ``dest`` when every guard holds."""

    trigger: str
    source: str
    dest: str
    guards: tuple[Guard, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        """Return ``(source, trigger, dest)``, the form audit rows store."""
        return (self.source, self.trigger, self.dest)

    @property
    def approval(self) -> str | None:
        """Return the approval this edge always consumes, if any."""
        needed = [guard_info(g).approval_for for g in self.guards if guard_info(g).approval_for]
        return needed[0] if needed else None


def edges(trigger: str, sources: str | Iterable[str], dest: str, *guards: Guard) -> list[Edge]:
    """Return one edge per source, all sharing ``trigger``, ``dest`` and ``guards``."""
    sources = [sources] if isinstance(sources, str) else list(sources)
    return [Edge(trigger, str(source), str(dest), guards) for source in sources]


@dataclass(frozen=True)
class GuardResult:
    """One guard's verdict, ready to show as a ticked or a missing condition."""

    name: str
    met: bool
    message: str
    record: str


@dataclass(frozen=True)
class Option:
    """One way out of a stage: a trigger, where it leads and how each of its guards stands now."""

    trigger: str
    source: str
    target: str
    guards: tuple[GuardResult, ...]
    approval: str | None = None
    needs_target: bool = False

    @property
    def allowed(self) -> bool:
        """Return whether every guard is met."""
        return all(result.met for result in self.guards)

    @property
    def missing(self) -> list[str]:
        """Return the messages of the guards not yet met."""
        return [result.message for result in self.guards if not result.met]


class WorkflowError(Exception):
    """A move the workflow refuses; ``user_message`` is safe to show to the user."""

    @property
    def user_message(self) -> str:
        """Return a sentence for the user explaining the refusal."""
        return str(self)


class TransitionNotAllowed(WorkflowError):
    """The trigger does not apply from the current stage (or not to the requested destination)."""

    def __init__(self, trigger: str, stage: str, target: str | None = None, *, labels: Labels | None = None) -> None:
        self.trigger, self.stage, self.target = trigger, stage, target
        self._labels = labels or Labels()
        super().__init__(f"{trigger!r} is not allowed from {stage!r}" + (f" to {target!r}" if target else ""))

    @property
    def user_message(self) -> str:
        """Return e.g. "You cannot prosecute while the case is at risk."."""
        action = self._labels.trigger(self.trigger).lower()
        where = f" to {self._labels.state(self.target)}" if self.target else ""
        return f"You cannot {action}{where} while the case is at the stage “{self._labels.state(self.stage)}”."


class GuardFailed(WorkflowError):
    """The trigger applies but some of its guards are not met; ``reasons`` lists what is missing."""

    def __init__(self, trigger: str, reasons: list[str], *, labels: Labels | None = None) -> None:
        self.trigger, self.reasons = trigger, reasons
        self._labels = labels or Labels()
        super().__init__(f"{trigger!r} refused: " + "; ".join(reasons))

    @property
    def user_message(self) -> str:
        """Return the action followed by every condition still missing."""
        return f"{self._labels.trigger(self.trigger)}: not yet. Still needed: " + "; ".join(self.reasons) + "."


class DestinationRequired(WorkflowError):
    """The trigger leads to several stages from here and the caller did not say which."""

    def __init__(self, trigger: str, stage: str, choices: list[str], *, labels: Labels | None = None) -> None:
        self.trigger, self.stage, self.choices = trigger, stage, choices
        self._labels = labels or Labels()
        super().__init__(f"{trigger!r} from {stage!r} needs a target, one of {choices}")

    @property
    def user_message(self) -> str:
        """Return the action and the stages to choose from."""
        names = ", ".join(self._labels.state(choice) for choice in self.choices)
        return f"{self._labels.trigger(self.trigger)}: choose where the case goes next ({names})."


@dataclass(frozen=True)
class Labels:
    """Display names for states and triggers, falling back to the raw names."""

    states: Mapping[str, str] = field(default_factory=dict)
    triggers: Mapping[str, str] = field(default_factory=dict)

    def state(self, name: str | None) -> str:
        """Return the label of state ``name``."""
        return self.states.get(str(name), str(name))

    def trigger(self, name: str) -> str:
        """Return the label of trigger ``name``."""
        return self.triggers.get(name, name.replace("_", " ").capitalize())


class _Cursor:
    """The plain object the machine moves; it carries nothing but ``state``."""

    __slots__ = ("state",)

    def __init__(self, state: str) -> None:
        self.state = state


def _is_chosen_target(event: EventData) -> bool:
    """Let through only the edge the caller asked for when a trigger has several destinations."""
    target = event.kwargs.get("target")
    return target is None or target == event.transition.dest


class Workflow:
    """A named set of states and guarded edges, with one shared `transitions` machine built from them."""

    def __init__(self, name: str, states: Sequence[str], table: Sequence[Edge], *, start: str, labels: Labels) -> None:
        self.name, self.start, self.labels = name, start, labels
        self.states = [str(state) for state in states]
        self.table = tuple(table)
        self._check_table()
        self._edge_keys = {edge.key for edge in self.table}
        self.machine = Machine(
            model=None,
            states=self.states,
            transitions=self._machine_transitions(routing=True),
            initial=None,
            auto_transitions=False,
            send_event=True,
        )

    def _check_table(self) -> None:
        """Refuse unknown states, duplicate edges and unregistered guards at import time."""
        seen: set[tuple[str, str, str]] = set()
        for edge in self.table:
            unknown = {edge.source, edge.dest} - set(self.states)
            if unknown:
                raise ValueError(f"edge {edge.key} names unknown states {sorted(unknown)}")
            if edge.key in seen:
                raise ValueError(f"edge {edge.key} appears twice")
            seen.add(edge.key)
            for func in edge.guards:
                guard_info(func)

    def _machine_transitions(self, *, routing: bool) -> list[dict[str, Any]]:
        """Return the table in `transitions` form; routing adds the hidden check that honours ``target``."""
        routed: list[Guard] = [_is_chosen_target] if routing else []
        return [
            {"trigger": e.trigger, "source": e.source, "dest": e.dest, "conditions": [*routed, *e.guards]}
            for e in self.table
        ]

    def _state(self, stage: str | None) -> str:
        """Return ``stage`` as a registered state name (``None`` means not yet opened)."""
        name = self.start if stage is None else str(stage)
        if name not in self.states:
            raise ValueError(f"{stage!r} is not a state of the {self.name} workflow")
        return name

    def edges_from(self, stage: str | None, trigger: str | None = None) -> list[Edge]:
        """Return the edges leaving ``stage``, optionally only those of ``trigger``, in table order."""
        source = self._state(stage)
        return [e for e in self.table if e.source == source and (trigger is None or e.trigger == trigger)]

    def destinations(self, stage: str | None, trigger: str) -> list[str]:
        """Return where ``trigger`` can take a case from ``stage``."""
        return [edge.dest for edge in self.edges_from(stage, trigger)]

    def edge(self, stage: str | None, trigger: str, target: str | None = None) -> Edge:
        """Return the single edge a firing would take, or raise the workflow error explaining why there is none."""
        source = self._state(stage)
        candidates = self.edges_from(source, trigger)
        if target is not None:
            candidates = [edge for edge in candidates if edge.dest == str(target)]
        if not candidates:
            raise TransitionNotAllowed(trigger, source, target, labels=self.labels)
        if len(candidates) > 1:
            raise DestinationRequired(trigger, source, [e.dest for e in candidates], labels=self.labels)
        return candidates[0]

    def fire(self, stage: str | None, trigger: str, context: Mapping[str, Any], target: str | None = None) -> str:
        """Return the state reached by firing ``trigger`` from ``stage``, or raise a WorkflowError."""
        source = self._state(stage)
        event = self.machine.events.get(trigger)
        if event is None:
            raise TransitionNotAllowed(trigger, source, target, labels=self.labels)
        # With no edge from here, dest stays None and the machine itself refuses with a MachineError.
        dest = self.edge(source, trigger, target).dest if self.destinations(source, trigger) else None
        cursor = _Cursor(source)
        try:
            moved = event.trigger(cursor, **context, target=dest)
        except MachineError as exc:
            raise TransitionNotAllowed(trigger, source, target, labels=self.labels) from exc
        if not moved:
            missing = self.explain(self.edge(source, trigger, dest), context).missing
            raise GuardFailed(trigger, missing, labels=self.labels)
        return cursor.state

    def explain(self, edge: Edge, context: Mapping[str, Any]) -> Option:
        """Evaluate every guard of ``edge`` against ``context`` without firing anything."""
        event = self._event_data(edge, context)
        results = []
        for func in edge.guards:
            info = guard_info(func)
            results.append(GuardResult(info.name, bool(func(event)), info.message, info.record))
        multiple = len(self.destinations(edge.source, edge.trigger)) > 1
        return Option(edge.trigger, edge.source, edge.dest, tuple(results), edge.approval, multiple)

    def options(self, stage: str | None, context: Mapping[str, Any]) -> list[Option]:
        """Return every edge leaving ``stage`` with the current verdict of each of its guards."""
        return [self.explain(edge, context) for edge in self.edges_from(stage)]

    def _event_data(self, edge: Edge, context: Mapping[str, Any]) -> EventData:
        """Build the EventData a real firing along ``edge`` would hand to its guards."""
        machine_event = self.machine.events[edge.trigger]
        event = EventData(
            self.machine.get_state(edge.source),
            machine_event,
            self.machine,
            _Cursor(edge.source),
            args=(),
            kwargs={**context, "target": edge.dest},
        )
        event.transition = next(t for t in machine_event.transitions[edge.source] if t.dest == edge.dest)
        return event

    def is_edge(self, source: str | None, trigger: str, dest: str) -> bool:
        """Return whether ``source --trigger--> dest`` is an edge of this workflow."""
        start = self.start if source is None else str(source)
        return (start, trigger, str(dest)) in self._edge_keys

    def replay(self, steps: Sequence[Step], stored_stage: str | None) -> list[str]:
        """Return the problems found replaying an audit history against the table (empty when it is consistent)."""
        if not steps:
            return [] if self._or_start(stored_stage) == self.start else ["the case has no recorded transitions"]
        problems: list[str] = []
        previous = self.start
        for number, (source, trigger, dest) in enumerate(steps, start=1):
            source_name = self._or_start(source)
            if source_name != previous:
                expected = "the case's creation" if number == 1 else f"{previous!r}, where step {number - 1} ended"
                problems.append(f"step {number} starts from {source_name!r}, not from {expected}")
            if not self.is_edge(source_name, trigger, str(dest)):
                problems.append(f"step {number}: {source_name!r} --{trigger}--> {str(dest)!r} is not an edge")
            previous = str(dest)
        stored = self._or_start(stored_stage)
        if previous != stored:
            problems.append(f"the history ends at {previous!r} but the stored stage is {stored!r}")
        return problems

    def _or_start(self, stage: str | None) -> str:
        """Return ``stage`` as a string, reading ``None`` as the creation pseudo-state."""
        return self.start if stage is None else str(stage)

    def diagram(self) -> str:
        """Return the workflow as a Mermaid state diagram, guard names on the edges."""
        # Written from the table rather than by GraphMachine(graph_engine="mermaid"): in transitions 0.9.3 that
        # engine emits a front matter that is not YAML, a "Class" statement Mermaid does not define, and paints
        # the drawing model's current state as active, none of which belongs in a definition diagram.
        lines = ["---", f"title: {self.name}", "---", "stateDiagram-v2", "  direction LR"]
        for state in self.states:
            lines.append(f'  state "{self.labels.state(state)}" as {state}')
        lines.append(f"  [*] --> {self.start}")
        for edge in self.table:
            names = " & ".join(guard_info(g).name for g in edge.guards)
            lines.append(f"  {edge.source} --> {edge.dest}: {edge.trigger}" + (f" [{names}]" if names else ""))
        return "\n".join(lines) + "\n"

    def markup(self) -> dict[str, Any]:
        """Return the whole definition as `transitions`' MarkupMachine serialises it."""
        machine = MarkupMachine(
            states=self.states,
            transitions=self._machine_transitions(routing=False),
            initial=self.start,
            auto_transitions=False,
            send_event=True,
            name=self.name,
        )
        # A JSON round trip turns tuples into lists so the result compares equal to a stored snapshot.
        return json.loads(json.dumps(machine.markup))
