"""The worked example of docs/catalog.md as tests use it: the bundled source, the county's 101st service and
version from docs/examples/catalog-county/, and service 3's limit changed from 30 to 20 working days."""

from __future__ import annotations

import shutil
from pathlib import Path

from desktop.domain import paths
from desktop.storage.catalog_build import build

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "catalog-county"
OLD_NOTE = "新办残疾人证免收工本费；残疾评定所需时间不计入办理时限。"
NEW_NOTE = "新办残疾人证免收工本费；县残联承诺提速办结，残疾评定所需时间不计入办理时限。"


def county_source(tmp_path: Path, version: str = "") -> Path:
    src = tmp_path / "county-source"
    shutil.copytree(paths.catalog_source_dir(), src)
    shutil.copy(EXAMPLE / "catalog.toml", src / "catalog.toml")
    if version:
        (src / "catalog.toml").write_text(f'version = "{version}"\n', encoding="utf-8")
    shutil.copy(EXAMPLE / "services" / "101.toml", src / "services" / "101.toml")
    three = src / "services" / "03.toml"
    text = three.read_text(encoding="utf-8")
    changed = text.replace("[time_limit]\nworking_days = 30\n", "[time_limit]\nworking_days = 20\n").replace(
        f'note = "{OLD_NOTE}"', f'note = "{NEW_NOTE}"')
    assert changed.count("working_days = 20") == 1 and NEW_NOTE in changed, "services/03.toml changed: fix the example"
    three.write_text(changed, encoding="utf-8")
    return src


def county_catalog(tmp_path: Path, version: str = "") -> Path:
    """The county's build, as `catalog build --source … --out …` writes it."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    out = tmp_path / "county.sqlite"
    build(county_source(tmp_path, version), out)
    return out
