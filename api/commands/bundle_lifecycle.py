"""`papertrail bundles shadow | compare | activate | rollback`: a candidate runs in shadow, is
compared on what people reviewed since, and is promoted only through the gate; each step is
recorded with who took it (docs/lifecycle.md)."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from api.cli_support import console, handles_user_errors, settings, store

if TYPE_CHECKING:
    from agent.lifecycle.compare import Comparison
    from classifiers.bundle import Registry
    from evals.promotion import Verdict

ByOption = Annotated[str | None, typer.Option(
    "--by", help="Who takes this step (recorded); default: the OS user.")]


def _registry() -> Registry:
    from classifiers.bundle import Registry

    return Registry(settings().bundle_dir)


def _events():  # -> agent.store.bundle_events.BundleEventLog
    from agent.store.bundle_events import BundleEventLog

    return BundleEventLog(store().db)


def _actor(by: str | None) -> str:
    return by or getpass.getuser()


@handles_user_errors
def shadow(
    bundle_id: Annotated[str | None, typer.Argument(help="Candidate bundle id (or prefix).")]
    = None,
    off: Annotated[bool, typer.Option("--off", help="Stop shadowing.")] = False,
    by: ByOption = None,
) -> None:
    """Score new documents with a candidate too, without acting on its answers.

    The candidate also decides the PAPERTRAIL_CANARY_SHARE of documents; `--off` stops it.
    """
    from agent.lifecycle import LifecycleError

    registry, events = _registry(), _events()
    current = registry.shadow_id()
    if off or bundle_id is None:
        if not off:
            console.print(f"shadow bundle: {current or 'none'}")
            return
        registry.set_shadow(None)
        if current:
            events.record("shadow_off", current, _actor(by))
        console.print(f"no shadow bundle (was {current or 'none'})")
        return
    full = registry.resolve(bundle_id)
    if full == registry.active_id():
        raise LifecycleError(f"Bundle {full} is the active one; shadow a candidate instead.")
    registry.set_shadow(full)
    events.record("shadow", full, _actor(by), previous_id=current)
    share = settings().canary_share
    console.print(f"shadow bundle: {full}; workers score every new document with it"
                  + (f", and it decides {share:.0%} of them (canary)" if share else ""))


def comparison_for(registry: Registry, candidate: str) -> tuple[Comparison, Verdict]:
    from agent.lifecycle.compare import compare_bundles
    from classifiers.bundle import read_info
    from evals.promotion import Promise, judge

    active = registry.active_id()
    info = read_info(registry.path(candidate))
    since = info.trained_on.reviewed_through if info.trained_on else None
    comparison = compare_bundles(store(), active or "", candidate, since=since)
    promise = Promise(target_precision=info.gate.target_precision, delta=info.gate.delta) \
        if info.gate else None
    return comparison, judge(comparison, promise)


@handles_user_errors
def compare_cmd(
    candidate: Annotated[str | None, typer.Argument(
        help="Candidate bundle id (default: the shadow bundle).")] = None,
) -> None:
    """Candidate vs active on what people reviewed since, and the promotion gate.

    Agreement, accuracy, and precision and coverage of what each would auto-approve; exits 1
    when the gate refuses.
    """
    from agent.lifecycle import LifecycleError

    registry = _registry()
    chosen = candidate or registry.shadow_id()
    if chosen is None:
        raise LifecycleError("No candidate: name one, or shadow one first with "
                             "`papertrail bundles shadow ID`.")
    full = registry.resolve(chosen)
    if registry.active_id() is None:
        raise LifecycleError("No active bundle to compare with.")
    comparison, verdict = comparison_for(registry, full)
    print_comparison(comparison, verdict)
    if not verdict.allowed:
        raise typer.Exit(code=1)


def print_comparison(comparison: Comparison, verdict: Verdict) -> None:
    active, candidate = comparison.score("active"), comparison.score("candidate")
    console.print(f"active {comparison.active_id} vs candidate {comparison.candidate_id}: "
                  f"{comparison.n} reviewed documents scored by both"
                  + (f" (reviews after {comparison.since.isoformat()})" if comparison.since
                     else "")
                  + (f"; {sum(p.canary for p in comparison.pairs)} decided by the candidate "
                     "(canary)" if any(p.canary for p in comparison.pairs) else ""))
    if comparison.skipped:
        console.print(f"left out: {comparison.skipped}")
    agreement = comparison.agreement
    console.print(f"agreement {'-' if agreement is None else f'{agreement:.1%}'}")
    table = Table("bundle", "accuracy", "would auto-approve", "coverage", "precision")
    for name, score in (("active", active), ("candidate", candidate)):
        table.add_row(f"{name} {score.bundle_id}", _pct(score.accuracy),
                      f"{score.auto} of {score.n}", _pct(score.coverage), _pct(score.precision))
    console.print(table)
    if verdict.mcnemar_p is not None:
        console.print(f"McNemar one-sided p (candidate worse) = {verdict.mcnemar_p:.4f}")
    if verdict.allowed:
        console.print("[green]promotion gate: passed[/green]")
    else:
        console.print("[red]promotion gate: refused[/red]")
        for reason in verdict.reasons:
            console.print(f"  - {reason}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@handles_user_errors
def activate(
    bundle_id: str,
    by: ByOption = None,
    force: Annotated[bool, typer.Option(
        "--force", help="Promote although the gate refuses (an admin, with --reason).")] = False,
    reason: Annotated[str | None, typer.Option(help="Why (required with --force).")] = None,
) -> None:
    """Promote a bundle to active (verified; through the promotion gate).

    When another bundle is active the candidate must have been shadowed and pass the gate on
    documents reviewed since; an admin may --force it with a --reason.
    """
    from agent.lifecycle import LifecycleError, PromotionRefusedError

    if force and not (reason and reason.strip()):
        raise LifecycleError("--force needs --reason: say why the gate is overridden.")
    registry, events = _registry(), _events()
    full, previous = registry.resolve(bundle_id), registry.active_id()
    actor = _actor(by)
    if full == previous:
        registry.activate(full)  # verifies it again
        console.print(f"active bundle: {full} (already active)")
        return
    detail: dict[str, object] = {}
    if previous is not None:
        comparison, verdict = comparison_for(registry, full)
        print_comparison(comparison, verdict)
        detail = {"documents": comparison.n, "agreement": comparison.agreement,
                  "gate": "passed" if verdict.allowed else "refused",
                  "reasons": verdict.reasons}
        if not verdict.allowed and not force:
            raise PromotionRefusedError(
                f"Bundle {full} is not promoted: {' '.join(verdict.reasons)} An admin can "
                "override with --force --reason '...' --by NAME.")
        if not verdict.allowed:
            _require_admin(actor)
    registry.activate(full)
    forced = detail.get("gate") == "refused"
    if registry.shadow_id() == full:  # shadowing the active bundle would compare it to itself
        registry.set_shadow(None)
        detail["shadow"] = "cleared: the candidate is active now"
    events.record("activate", full, actor, previous_id=previous, forced=forced,
                  reason=reason, detail=detail)
    console.print(f"active bundle: {full} (was {previous or 'none'}), by {actor}"
                  + (" [yellow]forced past the gate[/yellow]" if forced else "")
                  + ". Workers switch at their next document.")


def _require_admin(actor: str) -> None:
    from agent.lifecycle import LifecycleError
    from api.auth import Role
    from api.users import UserRepository

    principal = UserRepository(store().db).principal(actor)
    if principal is None or principal.role < Role.admin:
        raise LifecycleError(
            f"--force is for admins: {actor!r} is "
            + ("not an account" if principal is None else f"a {principal.role.name}")
            + ". Create one with `papertrail user create NAME --role admin` and pass --by NAME.")


@handles_user_errors
def rollback(by: ByOption = None,
             reason: Annotated[str | None, typer.Option(help="Why (recorded).")] = None) -> None:
    """Return to the bundle that was active before the current one."""
    from agent.lifecycle import LifecycleError

    registry, events = _registry(), _events()
    current = registry.active_id()
    target = events.rollback_target(current)
    if target is None:
        raise LifecycleError(f"Nothing to roll back to: no bundle was active before "
                             f"{current or 'none'} (see `papertrail bundles list`).")
    registry.activate(target)
    events.record("rollback", target, _actor(by), previous_id=current, reason=reason)
    console.print(f"active bundle: {target} (rolled back from {current}), by {_actor(by)}. "
                  "Workers switch at their next document.")


def register_lifecycle(app: typer.Typer) -> None:
    app.command("shadow")(shadow)
    app.command("compare")(compare_cmd)
    app.command("activate")(activate)
    app.command("rollback")(rollback)
