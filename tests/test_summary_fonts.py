"""The summary's charts draw their Chinese with the font pinned in the project (the Noto Sans SC
of the pylopdf-fonts-zh-cn wheel), on a machine whose fontconfig has no font at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pylopdf_fonts_zh_cn

PROBE = """
import json, sys, warnings
from pathlib import Path
warnings.simplefilter("error")
from matplotlib import font_manager
from township.reports.summary import charts

found = charts.cjk_font(None)
labels = charts._Labels(found)
used = font_manager.findfont(
    font_manager.FontProperties(family=labels.families), fallback_to_default=False
)
print(json.dumps({
    "found": found,
    "used": used,
    "chinese": labels.fits("各村出生人口性别比复合村"),
    "fc": font_manager.get_fontconfig_fonts() if hasattr(font_manager, "get_fontconfig_fonts")
    else [],
}))
"""


def test_charts_use_the_packaged_noto_sans_sc_with_fontconfig_out_of_reach(tmp_path: Path):
    conf = tmp_path / "fonts.conf"  # a fontconfig with no font directory: fc-list lists nothing
    conf.write_text('<?xml version="1.0"?><fontconfig><cachedir>x</cachedir></fontconfig>')
    env = {
        "PATH": str(Path(sys.executable).parent),  # and no fc-list on the path either
        "HOME": str(tmp_path),
        "FONTCONFIG_FILE": str(conf),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),  # a fresh font cache
        "TOWNSHIP_CJK_FONT": "",
    }
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    packaged = str(Path(pylopdf_fonts_zh_cn.sans_path()))
    assert probe["found"] == packaged
    assert probe["used"] == packaged
    assert probe["chinese"] is True
    assert probe["fc"] == []
