"""The periodic check (alerts, LEARNINGS.md, automatic rollback): `eros check`, `eros watch` and
the workers' every-minute task run this one function, so the three can never disagree."""

from __future__ import annotations

from eros.bootstrap import Container, learning_loop, pipeline_monitor, rollback_controller
from eros.services.rollback import RollbackResult


async def check_once(container: Container) -> tuple[list[str], RollbackResult | None]:
    """The alert codes raised now, and the automatic rollback if one fired."""
    monitor = pipeline_monitor(container)
    raised = [alert.code for alert in await monitor.evaluate_alerts()]
    learnings_alert = await learning_loop(container).check_file(monitor.alerts)
    if learnings_alert is not None:
        raised.append(learnings_alert.code)
    result = await rollback_controller(container, monitor=monitor).check_auto_rollback()
    return raised, result
