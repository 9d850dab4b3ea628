"""The 绩效自评表 of a unit's build, in the worker, after its 目标表: each project's
(``NN-项目-自评.docx/.xlsx``) and the unit's 自评 汇总 (``汇总-单位-自评.docx/.xlsx``), by the
same rules as the 目标表's files.

Which specs get one (the task's ``evaluations``): ``auto`` -- those carrying year-end data
(``year_end:``, or an ``actual:`` … next to an indicator); ``yes`` (``build --table 自评表``)
-- every spec, and one without year-end data is an error; ``no`` -- none are made, and a
file made before stays only while its spec is unchanged.

A spec whose year-end data has errors gets no 自评表 (its 目标表 is still made); its old one
is moved aside as 已过期.  A spec that no longer carries year-end data has its old 自评表
removed.  The 自评 汇总 holds every project of the unit or is not made: in ``auto``, while
some projects still have no year-end data, it waits with a warning (an old one is moved
aside); a project whose 自评表 cannot be made blocks it with an error.  Its workbook has a
summary sheet of every project's 执行率, 总分 and 等级.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheetgen.build.plan import combined_outputs, spec_outputs, unit_fingerprint
from sheetgen.build.tasks import (
    CombinedOutcome,
    Made,
    SpecJob,
    SpecOutcome,
    TableResult,
    UnitTask,
    make_files,
)
from sheetgen.errors import Diagnostic, Severity
from sheetgen.jurisdiction import SELF_EVALUATION_TABLE, Jurisdiction, Table

Built = tuple[SpecJob, SpecOutcome, Made | None]


def _note(outcome: SpecOutcome, code: str, severity: Severity, message: str) -> None:
    """Add a problem of the spec's 自评表 to what is reported (and recorded) of the spec."""
    outcome.diagnostics.append(Diagnostic(outcome.spec.display, 0, 0, code, severity, message))


def _selfeval(jurisdiction: Jurisdiction | None) -> Table | None:
    """Return the 自评表 of ``jurisdiction`` (None: it has none)."""
    if jurisdiction is None or not jurisdiction.has_table(SELF_EVALUATION_TABLE):
        return None
    return jurisdiction.table(SELF_EVALUATION_TABLE)


def _table_label(table: Table | None) -> str:
    return table.label if table is not None else SELF_EVALUATION_TABLE


def _spec(job: SpecJob, outcome: SpecOutcome, made_target: Made | None,
          task: UnitTask, taken: set[Path]) -> tuple[SpecOutcome, dict[str, Path]] | None:
    """Return what became of one spec's 自评表 and its files (None: it has none)."""
    mode = task.evaluations
    if mode == "no":  # not asked for: the old files stay while the spec is as it was
        kept = SpecOutcome(job.spec, [], outcome.fingerprint, outcome.jurisdiction)
        return (kept, {}) if job.evaluation is not None else None
    if made_target is None:  # the spec has errors: no 目标表, no 自评表
        wanted = job.evaluation is not None or mode == "yes" or outcome.year_end
        return (SpecOutcome(job.spec, []), {}) if wanted else None
    project, jurisdiction = made_target.project, made_target.jurisdiction
    table = _selfeval(jurisdiction)
    label = _table_label(table)
    if not outcome.year_end:
        if mode == "yes":
            _note(outcome, "no-year-end", Severity.ERROR,
                  f"没有年终数据，不能生成{label}：请在各指标下写实际完成值（actual），并写 year_end（全年执行数等）")
            return SpecOutcome(job.spec, []), {}
        return None
    if table is None or jurisdiction.self_evaluation is None:
        severity = Severity.ERROR if mode == "yes" else Severity.WARNING
        _note(outcome, "no-self-evaluation", severity,
              f"格式“{jurisdiction.name}”没有绩效自评表（jurisdiction.yaml 里没有 tables.selfeval 和 "
              "self_evaluation），年终数据没有印出")
        return (SpecOutcome(job.spec, []), {}) if mode == "yes" else None
    if outcome.year_end != "good" or project.evaluation is None:
        return SpecOutcome(job.spec, []), {}  # its errors are among the spec's diagnostics already
    made = SpecOutcome(job.spec, [], outcome.fingerprint, outcome.jurisdiction)
    outputs = spec_outputs(job.spec, task.output, task.kinds, table.suffix)
    clash = next((p for p in outputs.values() if p in taken), None)
    if clash is not None:
        _note(outcome, "name-clash", Severity.ERROR,
              f"{label}的文件 {clash.name} 与别的项目说明的文件同名；请改文件名")
        return SpecOutcome(job.spec, []), {}
    record = job.evaluation
    changed = task.force or record is None or outcome.fingerprint != record.expected
    present = record.present if record is not None else ()
    make_files(outputs.items(), lambda _kind, path: changed or str(path) not in present, [made_target],
               jurisdiction, made, SELF_EVALUATION_TABLE)
    return made, outputs


def _blocked(task: UnitTask, built: Sequence[Built], specs: Sequence[SpecOutcome | None], label: str,
             formats: int) -> tuple[str, bool]:
    """Return why the unit's 自评 汇总 cannot be made ("" when it can) and whether that is only
    a warning (projects still without year-end data, nothing wrong)."""
    waiting = [job.spec.path.name for (job, _o, _m), made in zip(built, specs, strict=True) if made is None]
    bad = [f"{job.spec.path.name}（{label}没有生成，见上面的错误）"
           for (job, _o, _m), made in zip(built, specs, strict=True) if made is not None and not made.good]
    bad += [f"{name}（与别的项目说明生成同名文件）" for name in task.excluded]
    if not waiting and not bad and formats > 1:
        return ("自评汇总没有生成：同一文件夹里的项目用了不同的格式，无法合成一份；"
                "请把不同格式的项目放进不同的文件夹"), False
    if not waiting and not bad:
        return "", False
    parts = bad + [f"{name}（还没有年终数据）" for name in waiting]
    more = f"等 {len(parts)} 个项目" if len(parts) > 5 else ""
    return (f"自评汇总没有生成：它要收入本单位全部 {len(built) + len(task.excluded)} 个项目的{label}，而 "
            f"{'；'.join(parts[:5])}{more}；填好后重新运行 build"), not bad


def build_evaluations(task: UnitTask, built: Sequence[Built]) -> TableResult | None:
    """Return what became of the unit's 自评表 files (None when it has none and had none)."""
    taken = {path for job, *_ in built for _kind, path in job.outputs}
    found = [_spec(job, outcome, made, task, taken) for job, outcome, made in built]
    specs = [made[0] if made is not None else None for made in found]
    outputs = [made[1] if made is not None else {} for made in found]
    unit_record = task.evaluation
    if all(made is None for made in specs) and unit_record is None:
        if all(job.evaluation is None for job, *_ in built):
            return None
        return TableResult(specs, None, outputs=outputs)
    fingerprint = unit_fingerprint((job.key, o.fingerprint) for job, o, _m in built)
    if task.evaluations == "no":
        combined = CombinedOutcome(fingerprint) if unit_record else None
        return TableResult(specs, combined, outputs=outputs)
    if all(made is None for made in specs):  # no project has year-end data (any more)
        return TableResult(specs, None, outputs=outputs)
    jurisdictions = {m.jurisdiction.name: m.jurisdiction for _job, _o, m in built if m is not None}
    label = _table_label(_selfeval(next(iter(jurisdictions.values()), None)))
    blocked, waiting = _blocked(task, built, specs, label, len(jurisdictions))
    combined = CombinedOutcome(blocked=blocked)
    if blocked:
        return TableResult(specs, combined, warning=waiting, outputs=outputs)
    jurisdiction = next(iter(jurisdictions.values()))
    table = _selfeval(jurisdiction)
    assert table is not None  # else the specs' 自评表 were not made
    projects = sorted((m for _job, _o, m in built if m is not None), key=lambda m: (m.project.number, m.project.key))
    unit_name = str((projects[0].project.header.get("unit") or {}).get("name") or task.folder.name)
    combined.outputs = combined_outputs(task.specs[0].spec, unit_name, task.output, task.kinds, table.suffix)
    combined.fingerprint = fingerprint
    changed = task.force or unit_record is None or fingerprint != unit_record.expected
    present = unit_record.present if unit_record is not None else ()
    make_files(combined.outputs.items(), lambda _kind, path: changed or str(path) not in present, projects,
               jurisdiction, combined, SELF_EVALUATION_TABLE)
    return TableResult(specs, combined, outputs=outputs)
