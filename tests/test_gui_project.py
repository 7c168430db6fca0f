"""A Toolbox run of the pipeline ends in a readable project (issue 14, item 1).

A real QGIS window under Xvfb (tests/gui_project_run.py) opens the dialog of
hpcs:hpcs_pipeline on the bundled sample plan, clicks Run with the dialog's
default outputs, and saves the map canvas, the layer tree, the dialog and the
main window into tests/_out/project/ (kept out of git) for a person to look
at. The test reads the layer tree QGIS built: one group for the run, the
planner's layers in it in the order tables/channels > sub-areas > landforms >
hillshade, each styled, no intermediate opened, and the report in the Results
Viewer.
"""
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "_out" / "project"

#: the layers of the run, top to bottom, and whether each is shown
EXPECTED = [
    ("Channels shared/lost/new, MNNDL", "raster", True),
    ("Channels shared/lost/new, NNDL", "raster", False),
    ("Channels shared/lost/new, TDL", "raster", False),
    ("Channels (PNL)", "raster", False),
    ("Sub-areas, original and optimized plans", "vector", True),
    ("MNNDL: near-natural landform, optimized plan", "raster", True),
    ("NNDL: near-natural landform, original plan", "raster", False),
    ("TDL: traditional landform, original plan", "raster", False),
    ("PNL with the final pit (erosion reference)", "raster", False),
    ("Hillshade of PNL", "raster", True),
]
MULTIPLY = 13          # QPainter.CompositionMode_Multiply


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb (make test does)"
    tmp = tmp_path_factory.mktemp("gui_project")
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    profiles = tmp / "profiles"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nhpcs_landform=true\nprocessing=true\n"
                   "[qgis]\nshowTips=false\ncheckVersion=false\n")
    env = dict(os.environ, QGIS_PLUGINPATH=str(ROOT / "build"), HPCS_SHOT_DIR=str(OUT),
               HPCS_SAMPLE=str(ROOT / "data" / "sample"), XDG_RUNTIME_DIR=str(tmp))
    env.pop("QT_QPA_PLATFORM", None)          # a real X display (Xvfb), not offscreen
    cmd = ["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", "/usr/bin/qgis.bin", "--nologo",
           "--noversioncheck", "--profiles-path", str(profiles),
           "--code", str(ROOT / "tests" / "gui_project_run.py")]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=900)
    report = OUT / "project.json"
    assert report.exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    rep = json.loads(report.read_text(encoding="utf-8"))
    assert "error" not in rep, rep["error"]
    return rep


def test_dialog_lists_only_the_planners_outputs(project):
    assert sorted(project["dialog_outputs"]) == sorted([
        "CHANNELS:CHANNELS", "FUSION_MNNDL:CHANNELS", "FUSION_NNDL:CHANNELS",
        "FUSION_TDL:CHANNELS", "HILLSHADE:OUTPUT", "MNNDL:MNNDL", "NNDL:NNDL", "PNL:PNL",
        "REPORT:REPORT", "REPORT:TABLE", "SUBAREAS:SUBAREAS", "TDL:TDL"])


def test_run_succeeded_and_wrote_every_output(project):
    assert project["ok"] is True
    for name in project["dialog_outputs"]:
        path = project["results"][name]
        assert os.path.exists(path.split("|")[0]), (name, path)


def test_one_group_per_run_with_the_layers_in_order(project):
    tree = project["tree"]
    assert len(tree) == 1, [n.get("group", n.get("name")) for n in tree]   # nothing loose
    group = tree[0]
    assert group["group"].startswith("HPCS run 20")
    layers = group["children"]
    assert [(c["name"], c["type"], c["visible"]) for c in layers] == EXPECTED
    # every layer of the project is in the group (no second copy elsewhere)
    assert project["project_layers"] == sorted(name for name, _, _ in EXPECTED)
    # each layer is the model output of its name
    by_name = {c["name"]: c for c in layers}
    for name, out in (("MNNDL: near-natural landform, optimized plan", "MNNDL:MNNDL"),
                      ("Sub-areas, original and optimized plans", "SUBAREAS:SUBAREAS"),
                      ("Hillshade of PNL", "HILLSHADE:OUTPUT")):
        assert by_name[name]["source"].split("|")[0] == project["results"][out].split("|")[0]


def test_no_intermediate_is_opened(project):
    sources = " ".join(c["source"] for c in project["tree"][0]["children"])
    for intermediate in ("FLOWDIR", "FILLED", "ACCUMULATION", "CATCHMENTS", "RIDGES",
                         "CLASSES", "OUTPUT_MAX", "OUTPUT_MIN", "AGREEMENT", "LINES"):
        assert intermediate not in sources


def test_layers_are_styled(project):
    by_name = {c["name"]: c for c in project["tree"][0]["children"]}
    sub = by_name["Sub-areas, original and optimized plans"]
    assert sub["renderer"] == "RuleRenderer" and sub["labels"]
    # by plan and kind: the optimized strips filled, the original mining strips outlined;
    # by status: the strips of each plan whose period misses a constraint outlined in red
    assert all('"plan"' in r and '"kind"' in r for r in sub["rules"])
    assert any("'optimized'" in r for r in sub["rules"])
    assert any("'original'" in r for r in sub["rules"])
    status = [r for r in sub["rules"] if '"status"' in r]
    assert len(status) == 2 and all("<> 'ok'" in r for r in status)
    for form in ("MNNDL: near-natural landform, optimized plan",
                 "NNDL: near-natural landform, original plan",
                 "TDL: traditional landform, original plan"):
        # the elevation ramp, multiplied with the hillshade below
        assert by_name[form]["renderer"] == "singlebandpseudocolor"
        assert by_name[form]["blend_mode"] == MULTIPLY
    for ch in [n for n in by_name if n.startswith("Channels")]:
        assert by_name[ch]["renderer"] == "paletted"      # the class colours of the step
    assert by_name["Hillshade of PNL"]["renderer"] == "singlebandgray"


def test_report_in_the_results_viewer(project):
    entries = project["results_viewer"]
    assert [e["file"] for e in entries] == [project["results"]["REPORT:REPORT"]]
    html = Path(entries[0]["file"]).read_text(encoding="utf-8")
    assert "MNNDL" in html and "NNDL" in html and "TDL" in html


def test_screenshots_saved(project):
    for key in ("canvas_png", "tree_png"):
        path = Path(project[key])
        assert path.exists() and path.stat().st_size > 10_000, key
    assert project["canvas_colours"] > 100      # a drawn map, not an empty canvas
