"""What changed between two catalog versions, in a short Chinese list a clerk reads (catalog diff, the desk)."""

from __future__ import annotations

from desktop.domain.catalog import Catalog, Service


def diff(old: Catalog, new: Catalog) -> list[str]:
    """One line per change: 新增事项, 删除事项, 时限变更, 新增材料, 删除材料, 材料要求变更, 名称变更; [] if none."""
    lines = [f"新增事项：{n}. {new.services[n].name}" for n in sorted(set(new.services) - set(old.services))]
    lines += [f"删除事项：{n}. {old.services[n].name}" for n in sorted(set(old.services) - set(new.services))]
    for number in sorted(set(old.services) & set(new.services)):
        lines += _service_changes(old.services[number], new.services[number])
    return lines


def _service_changes(old: Service, new: Service) -> list[str]:
    label = f"{new.number}. {new.name}"
    lines = [f"名称变更：{old.number}. {old.name} → {new.name}"] if old.name != new.name else []
    if old.limit_words != new.limit_words:
        lines.append(f"时限变更：{label}：{old.limit_words} → {new.limit_words}")
    before, after = {m.id: m for m in old.materials}, {m.id: m for m in new.materials}
    lines += [f"新增材料：{label}：{after[m].name}" for m in after if m not in before]
    lines += [f"删除材料：{label}：{before[m].name}" for m in before if m not in after]
    lines += [f"材料要求变更：{label}：{after[m].name}" for m in after
              if m in before and _material_terms(before[m]) != _material_terms(after[m])]
    if [r.rule for r in old.eligibility] != [r.rule for r in new.eligibility]:
        lines.append(f"办理条件变更：{label}")
    return lines


def _material_terms(m) -> tuple:
    return (m.name, m.need, m.when, m.form, m.copies, m.note, m.tolerable)
