"""The shipped models hpcs:hpcs_pipeline (models/hpcs_pipeline.model3, issue 8, the
planner's outputs since issue 14) and hpcs:hpcs_pipeline_full
(models/hpcs_pipeline_full.model3, every intermediate).

* the planner's model exposes only the planner's outputs (and a hillshade), over
  the same chain as the full model; the README's command line writes every
  output it names, and the same landforms as the full model;
* the full model loads through the provider, every step resolves, it validates, every
  step's outputs are model outputs, and the file is what
  scripts/build_pipeline_model.py builds from the current algorithms;
* it opens in the Graphical Modeler of a real QGIS (Xvfb) without errors;
* it runs end to end through qgis_process.bin on the bundled sample plan, and
  the outputs have the properties the method promises, each checked from the
  files with numpy/GDAL (not from the numbers the algorithms print).
"""
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from qgis_process_util import parse_results, qgis_process, run_qgis_process

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
MODEL_ID = "hpcs:hpcs_pipeline_full"
PLANNER_ID = "hpcs:hpcs_pipeline"
#: what hpcs:hpcs_pipeline exposes (scripts/build_pipeline_model.py PLANNER_OUTPUTS)
PLANNER_OUTPUTS = {
    "HILLSHADE:OUTPUT", "CHANNELS:CHANNELS", "SUBAREAS:SUBAREAS", "NNDL:NNDL", "MNNDL:MNNDL",
    "TDL:TDL", "PNL:PNL", "FUSION_NNDL:CHANNELS", "FUSION_MNNDL:CHANNELS",
    "FUSION_TDL:CHANNELS", "REPORT:REPORT", "REPORT:TABLE"}
K = 1.05          # the model's default k (not given on the command line below)
FORMS = ("NNDL", "MNNDL", "TDL")
PLAN_OF = {"NNDL": "original", "MNNDL": "optimized", "TDL": "original"}
EXT = {"rasterDestination": "tif", "vectorDestination": "gpkg", "sink": "gpkg",
       "fileDestination": None, "folderDestination": ""}


# --- the model as loaded by the provider --------------------------------------------

@pytest.fixture(scope="module")
def model(provider):  # noqa: ARG001 (registers the provider)
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById(MODEL_ID)
    assert alg is not None, f"{MODEL_ID} is not registered (models/*.model3 not loaded)"
    return alg


def test_model_identity(model):
    assert model.id() == MODEL_ID
    assert model.displayName() == "HPCS pipeline, every intermediate output"
    assert model.group() == "HPCS model" and model.groupId() == "hpcsmodel"


@pytest.fixture(scope="module")
def planner(provider):  # noqa: ARG001 (registers the provider)
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById(PLANNER_ID)
    assert alg is not None, f"{PLANNER_ID} is not registered (models/*.model3 not loaded)"
    return alg


def test_runs_in_the_same_second_get_their_own_groups(planner, monkeypatch):
    """Two runs started in the same second (a batch) open their layers in two groups:
    "HPCS run <time>" and "HPCS run <time> (2)"; a group already in the project is
    not reused either."""
    from qgis.core import QgsProcessingContext, QgsProject

    from hpcs_landform import provider as pv
    monkeypatch.setattr(pv.time, "strftime", lambda fmt: "2026-12-07 10:00:00")
    monkeypatch.setattr(pv, "_GROUPS", set())
    project = QgsProject.instance()
    project.layerTreeRoot().addGroup("HPCS run 2026-12-07 10:00:00 (3)")
    try:
        context = QgsProcessingContext()
        context.setProject(project)
        for _ in range(3):
            planner.place_layers({}, context)
        assert pv._GROUPS == {"HPCS run 2026-12-07 10:00:00", "HPCS run 2026-12-07 10:00:00 (2)",
                              "HPCS run 2026-12-07 10:00:00 (4)"}
    finally:
        root = project.layerTreeRoot()
        root.removeChildNode(root.findGroup("HPCS run 2026-12-07 10:00:00 (3)"))
    assert pv.unique_name("a", {"a", "a (2)"}) == "a (3)"
    assert pv.unique_name("a", set()) == "a"


def test_planner_model_exposes_the_planners_outputs(planner, model):
    """The same chain as the full model plus a hillshade of the DEM; only the
    planner's outputs in the dialog; the same inputs and defaults."""
    assert planner.displayName() == "HPCS pipeline: pristine to optimized near-natural landform"
    assert planner.group() == "HPCS model" and planner.groupId() == "hpcsmodel"
    inst, full = planner.create({}), model.create({})
    ok, errors = inst.validate()
    assert ok, errors
    for cid in inst.childAlgorithms():
        ok, errors = inst.validateChildAlgorithm(cid)
        assert ok, (cid, errors)
    steps = {cid: c.algorithmId() for cid, c in inst.childAlgorithms().items()}
    full_steps = {cid: c.algorithmId() for cid, c in full.childAlgorithms().items()}
    assert steps == dict(full_steps, HILLSHADE="native:hillshade")
    for cid, child in full.childAlgorithms().items():       # the same wiring
        assert inst.childAlgorithm(cid).parameterSources() == child.parameterSources(), cid
    assert {d.name() for d in inst.destinationParameterDefinitions()} == PLANNER_OUTPUTS
    assert all(f"{c.childId()}:{o}" in PLANNER_OUTPUTS
               for c in inst.childAlgorithms().values() for o in c.modelOutputs())
    assert ({(d.name(), str(d.defaultValue())) for d in inst.parameterDefinitions()
             if not d.isDestination()}
            == {(d.name(), str(d.defaultValue())) for d in full.parameterDefinitions()
                if not d.isDestination()})
    # the report is an HTML output: the dialog lists it in the Results Viewer
    assert inst.outputDefinition("REPORT:REPORT").type() == "outputHtml"
    assert "hpcs:hpcs_pipeline_full" in inst.helpContent()["ALG_DESC"]


def test_every_step_resolves_and_validates(model):
    from qgis.core import QgsApplication
    reg = QgsApplication.processingRegistry()
    inst = model.create({})
    steps = inst.childAlgorithms()
    ids = {c.algorithmId() for c in steps.values()}
    assert {"hpcs:channelextraction", "hpcs:classifycells", "hpcs:earthworksurfaces",
            "hpcs:subareadelineation", "hpcs:nearnaturallandform", "hpcs:traditionallandform",
            "hpcs:fusionrate", "hpcs:hauldistance", "hpcs:pristinelandform",
            "hpcs:erosioncomparison",
            "hpcs:comparisonreport"} <= ids
    for cid, child in steps.items():
        assert child.algorithm() is not None, f"step {cid}: {child.algorithmId()} unresolved"
        assert reg.algorithmById(child.algorithmId()) is not None
        ok, errors = inst.validateChildAlgorithm(cid)
        assert ok, (cid, errors)
    ok, errors = inst.validate()
    assert ok, errors
    # every intermediate can be kept: each step's every destination is a model output
    # (of the plugin's steps; the dump's extraction also offers the non-matching features)
    for cid, child in steps.items():
        exposed = {o.childOutputName() for o in child.modelOutputs().values()}
        dests = {d.name() for d in child.algorithm().destinationParameterDefinitions()}
        if child.algorithmId().startswith("hpcs:"):
            assert dests == exposed, f"step {cid}: outputs not exposed: {dests - exposed}"
        else:
            assert exposed and exposed <= dests
    n_dest = sum(len(c.modelOutputs()) for c in steps.values())
    assert len(inst.destinationParameterDefinitions()) == n_dest == 37
    # the inputs of the issue, with the defaults of the sample plan
    p = {d.name(): d for d in inst.parameterDefinitions() if not d.isDestination()}
    assert {"DEM", "FLOOR", "THICKNESS", "MINE_AREA", "DIRECTION", "STRIP_WIDTH", "K",
            "THRESHOLD_METHOD"} <= set(p)
    assert (p["DIRECTION"].defaultValue(), p["STRIP_WIDTH"].defaultValue(),
            p["K"].defaultValue()) == (270.0, 90.0, 1.05)


def test_model_file_is_up_to_date():
    """models/hpcs_pipeline.model3 equals a fresh build from the current algorithms."""
    env = dict(os.environ, PYTHONPATH="/usr/share/qgis/python/plugins",
               QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(["/usr/bin/python3", str(ROOT / "scripts" / "build_pipeline_model.py"),
                           "--check"], env=env, capture_output=True, text=True, timeout=300,
                          check=False)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "is up to date" in proc.stdout


def test_left_out_inputs_and_outputs_are_completed(model):
    """qgis_process / processing.run leave out what the user does not give: the
    model fills in its own defaults (k = 1.05, not a step's 1.0) and temporary
    files named after the output (NNDL.tif, MNNDL.tif, TDL.tif: the erosion
    comparison names landforms after their files), keeping what is given."""
    from qgis.core import QgsProcessing, QgsProcessingOutputLayerDefinition
    inst = model.create({})
    given = QgsProcessingOutputLayerDefinition(QgsProcessing.TEMPORARY_OUTPUT)
    given.destinationName = "my NNDL"
    p = inst.completed({"DEM": "dem.tif", "K": 1.2, "CHANNELS:CHANNELS": "/data/ch.tif",
                        "NNDL:NNDL": given})
    assert p["DEM"] == "dem.tif" and p["K"] == 1.2 and p["CHANNELS:CHANNELS"] == "/data/ch.tif"
    assert inst.completed({})["K"] == 1.05
    assert p["DIRECTION"] == 270.0 and p["STRIP_WIDTH"] == 90.0
    nndl = p["NNDL:NNDL"]
    assert isinstance(nndl, QgsProcessingOutputLayerDefinition)
    assert nndl.destinationName == "my NNDL"
    assert Path(nndl.sink.staticValue()).name == "NNDL.tif"
    assert Path(p["MNNDL:MNNDL"]).name == "MNNDL.tif" and Path(p["TDL:TDL"]).name == "TDL.tif"
    assert Path(p["SUBAREAS:SUBAREAS"]).suffix == ".gpkg"
    assert Path(p["REPORT:REPORT"]).name == "REPORT.html"
    assert p["EROSION:FOLDER"] == QgsProcessing.TEMPORARY_OUTPUT
    paths = {k: v.sink.staticValue() if hasattr(v, "sink") else v for k, v in p.items()}
    assert len({v for k, v in paths.items() if ":" in k}) == 37     # 37 distinct outputs
    for d in inst.destinationParameterDefinitions():
        assert d.flags() & d.FlagOptional, d.name()


# --- the Graphical Modeler --------------------------------------------------------------

MODELER_CODE = r'''
import json, os, traceback
from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
OUT = os.environ["HPCS_MODELER_OUT"]
rep = {}

def finish(dlg):
    try:
        m = dlg.model()
        rep["children"] = {cid: c.algorithm() is not None for cid, c in m.childAlgorithms().items()}
        ok, errors = m.validate()
        rep["valid"], rep["errors"] = ok, errors
        rep["items"] = len(dlg.view().scene().items())
        rep["messages"] = [w.text() for w in dlg.messageBar().items()] if hasattr(
            dlg.messageBar(), "items") else []
        if hasattr(dlg, "actionZoomToItems"):
            dlg.actionZoomToItems().trigger()
        rep["saved"] = dlg.grab().save(os.path.join(OUT, "hpcs_pipeline_modeler.png"))
    except Exception:
        rep["error"] = traceback.format_exc()
    done()

def done():
    with open(os.path.join(OUT, "modeler.json"), "w") as fh:
        json.dump(rep, fh)
    QgsApplication.exit(0)

def start():
    try:
        from processing.modeler.ModelerDialog import ModelerDialog
        alg = QgsApplication.processingRegistry().algorithmById("hpcs:hpcs_pipeline")
        rep["found"] = alg is not None
        dlg = ModelerDialog.create(alg)
        dlg.resize(1600, 1100)
        dlg.show()
        QTimer.singleShot(2000, lambda: finish(dlg))
    except Exception:
        rep["error"] = traceback.format_exc()
        done()

QTimer.singleShot(2000, start)
'''


def test_model_opens_in_the_modeler(tmp_path):
    assert shutil.which("xvfb-run"), "xvfb-run is missing: apt-get install xvfb (make test does)"
    out = ROOT / "tests" / "_out" / "screenshots" / "en"
    out.mkdir(parents=True, exist_ok=True)
    (out / "modeler.json").unlink(missing_ok=True)
    code = tmp_path / "modeler_shot.py"
    code.write_text(MODELER_CODE, encoding="utf-8")
    profiles = tmp_path / "profiles"
    ini = profiles / "profiles" / "default" / "QGIS" / "QGIS3.ini"
    ini.parent.mkdir(parents=True)
    ini.write_text("[PythonPlugins]\nhpcs_landform=true\nprocessing=true\n"
                   "[qgis]\nshowTips=false\ncheckVersion=false\n")
    env = dict(os.environ, QGIS_PLUGINPATH=str(ROOT / "build"), HPCS_MODELER_OUT=str(out),
               XDG_RUNTIME_DIR=str(tmp_path))
    env.pop("QT_QPA_PLATFORM", None)
    proc = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1700x1200x24", "/usr/bin/qgis.bin",
                           "--nologo", "--noversioncheck", "--profiles-path", str(profiles),
                           "--code", str(code)], env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert (out / "modeler.json").exists(), proc.stdout[-2000:] + proc.stderr[-2000:]
    rep = json.loads((out / "modeler.json").read_text())
    assert "error" not in rep, rep["error"]
    assert rep["found"] and rep["valid"], rep
    assert len(rep["children"]) >= 15 and all(rep["children"].values()), rep["children"]
    # one item per step, input and output at least (plus their labels and sockets)
    assert rep["items"] >= len(rep["children"]) + 10 + len(PLANNER_OUTPUTS)
    assert rep["saved"]


# --- an end-to-end run through qgis_process.bin ------------------------------------------

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Run the model on the sample plan, every output to a file; k, direction,
    strip width and the threshold method left to the model's defaults."""
    sys.path.insert(0, str(ROOT / "build"))
    tmp = tmp_path_factory.mktemp("pipeline")
    out = tmp / "out"
    out.mkdir()
    help_code = qgis_process(["help", MODEL_ID], tmp / "qgis_profile")
    outputs = {}
    on = False
    for line in help_code.stdout.splitlines():
        if line.strip() == "Outputs":
            on = True
        elif on and ": <output" in line:
            name, kind = line.split(": <")
            outputs[name.strip()] = kind.strip(">")
    assert len(outputs) == 37, help_code.stdout[-3000:]
    params = {"DEM": DEM, "FLOOR": SAMPLE / "seam_floor.tif",
              "THICKNESS": SAMPLE / "coal_thickness.tif", "MINE_AREA": SAMPLE / "mine_area.geojson"}
    for name, kind in outputs.items():
        ext = {"outputRaster": ".tif", "outputVector": ".gpkg", "outputHtml": ".html",
               "outputFolder": ""}.get(kind, ".csv")
        params[name] = out / (name.replace(":", "_").lower() + ext)
    code, stdout, stderr = run_qgis_process(MODEL_ID, params, tmp, timeout=600)
    assert code == 0, stdout[-4000:] + stderr[-4000:]
    assert "Model processed OK" in stdout
    res = parse_results(stdout)
    return {"res": res, "outputs": outputs, "params": params, "log": stdout}


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def features(path):
    from osgeo import ogr
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer()
    return [(f.items(), f.GetGeometryRef().ExportToWkb()) for f in lyr]


def test_every_output_written(run):
    res = run["res"]
    for name in run["outputs"]:
        path = Path(res[name])
        assert path.exists(), name
        if name in run["params"]:
            assert path == Path(run["params"][name])
        if path.is_file():
            assert path.stat().st_size > 0, name


def test_optimized_plan_meets_every_constraint(run):
    feats = features(run["res"]["SUBAREAS:SUBAREAS"])
    opt = sorted((a for a, _ in feats if a["plan"] == "optimized" and a["kind"] == "mining"),
                 key=lambda a: a["period"])
    assert [a["period"] for a in opt] == list(range(1, len(opt) + 1)) and len(opt) > 10
    total = sum(a["v_supply"] for a in opt) / sum(a["v_fmin"] for a in opt)
    for a in opt:
        assert a["v_fmin"] * (1 - 1e-9) <= a["v_supply"] <= a["v_fmax"] * (1 + 1e-9), a
        assert a["gap_m"] >= a["safe_dist"] - 1e-6, a
        assert abs(a["v_supply"] / a["v_fmin"] - total) < 0.01 * total, a
        assert a["status"] == "ok"
    # the mining strips tile the plan: each starts where the previous one ends
    for a, b in zip(opt, opt[1:]):
        assert b["start_m"] == pytest.approx(a["end_m"], abs=1e-6)
    # the original plan of the same layer does not (that is why it is optimized)
    orig = [a for a, _ in feats if a["plan"] == "original" and a["kind"] == "mining"]
    assert len(orig) == len(opt)
    assert any(not a["v_fmin"] <= a["v_supply"] <= a["v_fmax"] for a in orig)


def test_k_of_the_model_reaches_the_delineation(run):
    """Supply = k x bank volume (eq. 6) with the model's default k = 1.05: bank
    volume (dem - floor - thickness) of the mining strips by area-weighted cells
    (strips rasterised on a grid 16 x finer)."""
    from hpcs_landform.core.grid import Grid, rasterize_polygons, read_raster
    dem, g = read_raster(str(DEM))
    floor, _ = read_raster(str(SAMPLE / "seam_floor.tif"))
    thick, _ = read_raster(str(SAMPLE / "coal_thickness.tif"))
    feats = features(run["res"]["SUBAREAS:SUBAREAS"])
    s = 16
    t = g.transform
    fine = Grid((t[0], t[1] / s, 0.0, t[3], 0.0, t[5] / s), (g.shape[0] * s, g.shape[1] * s),
                g.crs_wkt)
    column = np.nan_to_num(np.maximum(dem - floor - thick, 0.0))
    for plan in ("original", "optimized"):
        wkbs = [w for a, w in feats if a["plan"] == plan and a["kind"] == "mining"]
        cover = rasterize_polygons(wkbs, fine).reshape(g.shape[0], s, g.shape[1], s).mean(
            axis=(1, 3))
        bank = float((column * cover).sum()) * g.cell_area
        supply = sum(a["v_supply"] for a, _ in feats if a["plan"] == plan and a["kind"] == "mining")
        assert supply / bank == pytest.approx(K, rel=0.005)


def test_landforms_hold_the_supply_and_share_the_pit(run):
    """Each landform holds its plan's supply between the seam floor and its surface
    over the dump (within 0.1 %), and the three move the same net volume against
    PNL over the mine (same earth, same final pit)."""
    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    dem, g = read_raster(str(DEM))
    floor, _ = read_raster(str(SAMPLE / "seam_floor.tif"))
    feats = features(run["res"]["SUBAREAS:SUBAREAS"])
    nets = []
    for f in FORMS:
        z, gz = read_raster(run["res"][f"{f}:{f}"])
        assert gz.same_as(g)
        plan = PLAN_OF[f]
        dump = rasterize_polygons([w for a, w in feats if a["plan"] == plan
                                   and a["kind"] == "refilling"], g)
        mine = rasterize_polygons([w for a, w in feats if a["plan"] == plan], g)
        supply = sum(a["v_supply"] for a, _ in feats if a["plan"] == plan and a["kind"] == "mining")
        held = float(np.nansum((z - floor)[dump])) * g.cell_area
        assert held == pytest.approx(supply, rel=1e-3), f
        assert np.all(np.isfinite(z[mine]))
        assert np.array_equal(z[~mine & np.isfinite(dem)], dem[~mine & np.isfinite(dem)]), f
        nets.append(float(np.nansum((z - dem)[mine])) * g.cell_area)
    assert nets[1] == pytest.approx(nets[0], rel=1e-4)
    assert nets[2] == pytest.approx(nets[0], rel=1e-4)
    assert nets[0] < 0          # coal and the final void leave the mine lower than PNL


def test_evaluation_per_landform_agrees_with_the_report(run):
    res = run["res"]
    report = read_csv(res["REPORT:TABLE"])
    value = {(r["item"], r["quantity"]): float(r["value"]) for r in report
             if r["section"] == "landform"}
    plans = {r["item"]: r["plan"] for r in report if r["section"] == "landform"}
    html = Path(res["REPORT:REPORT"]).read_text(encoding="utf-8")
    for name in ("PNL",) + FORMS:
        assert name in html
        assert (name, "eroded") in value
    erosion = {r["landform"]: float(r["eroded_m3"]) for r in read_csv(res["EROSION:TABLE"])}
    # PNL first, the reference: the pristine landform with the final pit (section 1.4)
    assert list(erosion)[0] == Path(res["PNL:PNL"]).stem
    for f in FORMS:
        assert plans[f] == PLAN_OF[f]
        # the fusion rate step (PLAN given in the model) and the report (plan by name)
        # evaluate the same plan: the same eq. 10 rate
        rows = {r["period"]: r for r in read_csv(res[f"FUSION_{f}:TABLE"])}
        assert float(rows["all"]["fusion_rate"]) == pytest.approx(value[(f, "fusion_rate")],
                                                                  abs=1e-6)
        assert float(rows["all"]["fusion_rate_no_pit"]) == pytest.approx(
            value[(f, "fusion_rate_no_pit")], abs=1e-6)
        # haul distance: volume-weighted mean of the per-period table
        haul = read_csv(res[f"HAUL_{f}:TABLE"])
        per = [r for r in haul if r["period"].isdigit()]
        moved = np.array([float(r["moved_m3"]) for r in per])
        dist = np.array([float(r["mean_haul_distance_m"]) for r in per])
        assert float((moved * dist).sum() / moved.sum()) == pytest.approx(
            value[(f, "haul_distance")], rel=1e-6)
        # erosion over the dump: the erosion step (landforms named after their files)
        # and the report's own run agree
        stem = Path(res[f"{f}:{f}"]).stem
        assert erosion[stem] == pytest.approx(value[(f, "eroded")], rel=1e-9)


def test_erosion_reference_is_pnl_with_the_landforms_pit(run):
    """PNL of the erosion step: the DEM outside the final pit, the landforms' pit
    surface on it (cells mined and never refilled, same place for every landform)."""
    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    dem, g = read_raster(str(DEM))
    pnl, gp = read_raster(run["res"]["PNL:PNL"])
    assert gp.same_as(g)
    feats = features(run["res"]["SUBAREAS:SUBAREAS"])
    plan = [(a, w) for a, w in feats if a["plan"] == "optimized"]
    refilled = rasterize_polygons([w for a, w in plan if a["kind"] == "refilling"], g)
    mined = rasterize_polygons([w for a, w in plan if a["kind"] != "refilling"], g)
    pit = mined & ~refilled
    assert pit.sum() > 10
    keep = ~pit & np.isfinite(dem)
    np.testing.assert_allclose(pnl[keep], dem[keep], atol=1e-3)     # float32 file
    assert np.all(pnl[pit] <= dem[pit] + 1e-3) and np.mean(pnl[pit] < dem[pit] - 1.0) > 0.5
    for f in FORMS:
        z, _ = read_raster(run["res"][f"{f}:{f}"])
        np.testing.assert_allclose(z[pit], pnl[pit], atol=1e-3, err_msg=f)


def test_dump_is_the_refilling_strips(run):
    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    _, g = read_raster(str(DEM))
    feats = features(run["res"]["SUBAREAS:SUBAREAS"])
    dump = features(run["res"]["DUMP:DUMP"])
    assert all(a["kind"] == "refilling" and a["plan"] == "optimized" for a, _ in dump)
    opt = rasterize_polygons([w for a, w in feats if a["plan"] == "optimized"
                              and a["kind"] == "refilling"], g)
    orig = rasterize_polygons([w for a, w in feats if a["plan"] == "original"
                               and a["kind"] == "refilling"], g)
    assert np.array_equal(rasterize_polygons([w for _, w in dump], g), opt)
    assert np.array_equal(opt, orig)     # both plans refill the same ground


# --- the planner's model from the command line (the README's example) -------------------

@pytest.fixture(scope="module")
def planner_run(tmp_path_factory):
    """README.md's qgis_process example with the hillshade and the channels named too."""
    tmp = tmp_path_factory.mktemp("planner")
    out = tmp / "out"
    out.mkdir()
    files = {"SUBAREAS:SUBAREAS": "subareas.gpkg", "NNDL:NNDL": "NNDL.tif",
             "MNNDL:MNNDL": "MNNDL.tif", "TDL:TDL": "TDL.tif", "REPORT:REPORT": "report.html",
             "REPORT:TABLE": "report.csv", "HILLSHADE:OUTPUT": "hillshade.tif",
             "FUSION_MNNDL:CHANNELS": "mnndl_channels.tif"}
    params = {"DEM": DEM, "FLOOR": SAMPLE / "seam_floor.tif",
              "THICKNESS": SAMPLE / "coal_thickness.tif", "MINE_AREA": SAMPLE / "mine_area.geojson",
              "DIRECTION": 270, "STRIP_WIDTH": 90, "K": 1.05}
    params.update({k: out / v for k, v in files.items()})
    code, stdout, stderr = run_qgis_process(PLANNER_ID, params, tmp, timeout=600)
    assert code == 0, stdout[-4000:] + stderr[-4000:]
    return {"res": parse_results(stdout), "files": {k: out / v for k, v in files.items()}}


def test_planner_command_line_writes_every_named_output(planner_run):
    for name, path in planner_run["files"].items():
        assert path.exists() and path.stat().st_size > 0, name
        assert Path(planner_run["res"][name]) == path, name
    # outputs left out are temporary files, not left in the output folder
    assert sorted(p.name for p in planner_run["files"]["NNDL:NNDL"].parent.glob("*.tif")) == [
        "MNNDL.tif", "NNDL.tif", "TDL.tif", "hillshade.tif", "mnndl_channels.tif"]


def test_planner_model_gives_the_full_models_landforms(planner_run, run):
    """The same inputs (the full run takes the model's defaults, the README's values):
    the same landforms, cell for cell, and the same figures in the report table."""
    from osgeo import gdal
    for form in FORMS:
        a = gdal.Open(str(planner_run["files"][f"{form}:{form}"])).ReadAsArray()
        b = gdal.Open(str(run["params"][f"{form}:{form}"])).ReadAsArray()
        assert np.array_equal(a, b, equal_nan=True), form
    # (the settings rows name the input files, which differ: erosion table
    # OUTPUT_TABLE.csv, a temporary file, against erosion_table.csv)
    def figures(path):
        return [r for r in read_csv(path) if r["section"] != "setting"]
    planner_rows = figures(planner_run["files"]["REPORT:TABLE"])
    assert len(planner_rows) > 100
    assert planner_rows == figures(run["params"]["REPORT:TABLE"])
    # the hillshade is GDAL's of the DEM: 0-255, shaded (not flat)
    ds = gdal.Open(str(planner_run["files"]["HILLSHADE:OUTPUT"]))
    shade = ds.ReadAsArray().astype(float)
    nodata = ds.GetRasterBand(1).GetNoDataValue()
    if nodata is not None:
        shade[shade == nodata] = np.nan
    dem = gdal.Open(str(DEM)).ReadAsArray()
    assert shade.shape == dem.shape and np.isfinite(shade).mean() > 0.95
    assert 0 <= np.nanmin(shade) and np.nanmax(shade) <= 255
    assert np.nanstd(shade) > 5
