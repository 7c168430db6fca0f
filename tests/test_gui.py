"""GUI check: real QGIS under Xvfb opens the plugin's Processing dialogs.

Screenshots go to tests/_out/screenshots/<lang>/ (kept out of git) for a
person to look at; the test checks that each dialog opened and that every
parameter's label is visible in it.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "_out" / "screenshots"
# every algorithm's dialog and the shipped model's, in English
DIALOGS = [f"hpcs:{cls.NAME}" for cls in __import__(
    "hpcs_landform.provider", fromlist=["ALGORITHMS"]).ALGORITHMS] + ["hpcs:hpcs_pipeline"]


def run_qgis_gui(alg_ids, out_dir, tmp_path, lang=None):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb (make test does)"
    out_dir.mkdir(parents=True, exist_ok=True)
    profiles = tmp_path / f"profiles_{lang or 'en'}"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True, exist_ok=True)
    ini.write_text("[PythonPlugins]\nhpcs_landform=true\nprocessing=true\n"
                   "[qgis]\nshowTips=false\ncheckVersion=false\n")
    env = dict(os.environ, QGIS_PLUGINPATH=str(ROOT / "build"), HPCS_SHOT_DIR=str(out_dir),
               HPCS_SHOT_ALGS=",".join(alg_ids), XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("QT_QPA_PLATFORM", None)          # a real X display (Xvfb), not offscreen
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", "/usr/bin/qgis.bin", "--nologo",
           "--noversioncheck", "--profiles-path", str(profiles),
           "--code", str(ROOT / "tests" / "gui_shot.py")]
    if lang:
        cmd[5:5] = ["--lang", lang]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    report = out_dir / "report.json"
    assert report.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    return json.loads(report.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    return run_qgis_gui(DIALOGS, SHOTS / "en", tmp_path_factory.mktemp("gui"))


def test_plugin_loaded_in_real_qgis(english):
    assert "hpcs_landform" in english["plugins"]


@pytest.mark.parametrize("alg_id", DIALOGS)
def test_dialog_shows_every_parameter_label(english, alg_id):
    d = english["dialogs"][alg_id]
    assert "error" not in d, d
    assert d["saved"] and d["width"] >= 800 and d["height"] >= 600
    shown = " | ".join(d["labels"])
    for desc in d["descriptions"]:
        assert desc in shown, f"label '{desc}' not visible in the {alg_id} dialog"
    assert d["display_name"] in d["title"] or d["display_name"] in shown


# --- the same dialogs in Simplified Chinese (qgis --lang zh_CN) --------------------------

ZH_DIALOGS = ["hpcs:subareadelineation", "hpcs:hpcs_pipeline", "hpcs:channelextraction"]


def has_cjk(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    return run_qgis_gui(ZH_DIALOGS, SHOTS / "zh_CN", tmp_path_factory.mktemp("gui_zh"),
                        lang="zh_CN")


@pytest.mark.parametrize("alg_id", ZH_DIALOGS)
def test_chinese_dialog_shows_every_label_in_chinese(chinese, provider, alg_id):
    """Each label is visible and is the Chinese one: it contains CJK characters and
    differs from the English description of the same parameter (read here, in the
    test process, which has no translator)."""
    from qgis.core import QgsApplication
    assert "hpcs_landform" in chinese["plugins"]
    d = chinese["dialogs"][alg_id]
    assert "error" not in d, d
    assert d["saved"] and d["width"] >= 800 and d["height"] >= 600
    alg = QgsApplication.processingRegistry().algorithmById(alg_id)
    params = [p for p in alg.parameterDefinitions() if not p.flags() & p.FlagHidden]
    assert len(d["descriptions"]) == len(params)
    shown = " | ".join(d["labels"])
    for zh, p in zip(d["descriptions"], params):
        en = p.description()
        assert zh in shown, f"label '{zh}' not visible in the {alg_id} dialog"
        assert zh != en and has_cjk(zh), f"label '{zh}' of {alg_id} is not translated"
    assert has_cjk(d["display_name"]) and d["display_name"] != alg.displayName()
    assert d["display_name"] in d["title"] or d["display_name"] in shown
