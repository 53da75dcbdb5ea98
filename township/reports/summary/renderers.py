"""The summary's output formats, one renderer module each, registered in RENDERERS.

A renderer module (township/reports/summary/<module>.py) has `write(summary, path, settings)`,
which writes the file at `path` (and any beside it) and returns what it wrote, and, for a text
format the command line prints, `show(summary) -> str`. A new format is one such module and one
line below: `township summary --format` offers it, and `monthly=True` has each monthly run
write it into the outbox.

Modules are named, not imported, here: the charts' matplotlib loads only when they are drawn.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from township.config import Settings
    from township.reports.summary.build import Summary


@dataclass(frozen=True)
class Renderer:
    module: str  # township.reports.summary.<module>
    suffix: str  # of its file: summary_<PERIOD><suffix> in the outbox, unless a path is given
    shown: bool = False  # text `township summary` prints (show) rather than writes to a file
    beside: tuple[str, ...] = ()  # formats written beside this one's file (a workbook's charts)
    option: bool = True  # a `township summary --format` of its own
    monthly: bool = False  # written into the outbox by each monthly run
    detail: bool = False  # draws on the summary's detail (the workbook's tables)

    def _module(self):
        return importlib.import_module(f"{__package__}.{self.module}")

    def show(self, summary: Summary) -> str:
        return self._module().show(summary)

    def write(self, summary: Summary, path: Path, settings: Settings) -> list[Path]:
        return self._module().write(summary, path, settings)


RENDERERS: dict[str, Renderer] = {
    "text": Renderer("text", ".txt", shown=True, monthly=True),
    "json": Renderer("jsondoc", ".json", shown=True),
    "xlsx": Renderer("workbook", ".xlsx", beside=("png",), detail=True),
    "png": Renderer("charts", ".png", option=False, detail=True),
}
# What `township summary --format` offers, and of those the ones written to a file.
FORMATS = [name for name, r in RENDERERS.items() if r.option]
FILE_FORMATS = [name for name in FORMATS if not RENDERERS[name].shown]
MONTHLY = [name for name, r in RENDERERS.items() if r.monthly]


def needs_detail(names: list[str]) -> bool:
    """Whether these formats (or what goes beside them) draw on the summary's detail: with
    build_summary(..., detail=needs_detail(names)) nothing is read that they do not show."""
    return any(RENDERERS[n].detail for name in names for n in (name, *RENDERERS[name].beside))


def outbox_path(summary: Summary, name: str, outbox: Path) -> Path:
    return Path(outbox) / f"summary_{summary.period.key}{RENDERERS[name].suffix}"


def write(summary: Summary, name: str, path: Path, settings: Settings) -> list[Path]:
    """Write format `name` at `path`, and the formats that go beside it; every file written,
    the first at `path`."""
    renderer = RENDERERS[name]
    if summary.detail is None and needs_detail([name]):
        raise ValueError(f"the {name} summary needs build_summary(..., detail=True)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    written = renderer.write(summary, path, settings)
    for other in renderer.beside:
        written += RENDERERS[other].write(summary, path, settings)
    return written
