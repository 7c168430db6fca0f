"""hpcs:comparisonreport through processing.run and qgis_process.bin on a small
synthetic case built here: a 30 x 40 DEM at 20 m (EPSG:32616), a sub-area
layer with an original and an optimized plan, and two landforms: MNNDL equal to
PNL (so its fusion rate and channel overlap are 1 and its catchments, channel
length, slope and erosion are PNL's, by definition) and NNDL, PNL with bumps
on the dump."""
import base64
import csv
import json
import re

import numpy as np
import pytest
from qgis_process_util import run_qgis_process
from rasters import write_tif as _write_tif

EPSG = 32616
ROWS, COLS, CELL = 30, 40, 20.0
X0, Y0 = 500000.0, 4000600.0
GT = (X0, CELL, 0.0, Y0, 0.0, -CELL)
ROW0, ROW1 = 5, 25                          # strips span these rows


def write_tif(path, array):
    return _write_tif(path, array, GT, epsg=EPSG)


def strip(period, kind, plan, c0, c1, vg=None, lo=None, hi=None, status="ok", fields=True):
    xa, xb = X0 + CELL * c0, X0 + CELL * c1
    ya, yb = Y0 - CELL * ROW1, Y0 - CELL * ROW0
    props = {"period": period, "kind": kind, "plan": plan}
    if fields:
        props.update(v_supply=vg, v_fmin=lo, v_fmax=hi, status=status,
                     ratio=vg / lo if vg and lo else None)
    if not fields:
        props = {"period": period, "plan": plan}
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [[
                [xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]]}}


#: (period, V_g, V_fmin, V_fmax) per plan, written into the layer
VOLUMES = {"original": [(1, 9.0e5, 1.0e6, 1.4e6), (2, 1.2e6, 1.0e6, 1.4e6),
                        (3, 1.6e6, 1.0e6, 1.4e6), (4, 1.1e6, 1.0e6, 1.4e6)],
           "optimized": [(1, 1.1e6, 1.0e6, 1.4e6), (2, 1.2e6, 1.0e6, 1.4e6),
                         (3, 1.3e6, 1.0e6, 1.4e6), (4, 1.2e6, 1.0e6, 1.4e6)]}


def write_subareas(path, fields=True):
    feats = []
    for plan, edges in (("original", [8, 12, 16, 20, 24]),
                        ("optimized", [8, 12.5, 16.5, 20.25, 24])):
        feats.append(strip(0, "box cut", plan, 8, 12, fields=fields))
        for n in range(1, 5):
            _, vg, lo, hi = VOLUMES[plan][n - 1]
            feats.append(strip(n, "refilling", plan, edges[n - 1], edges[n], vg, lo, hi,
                               fields=fields))
            feats.append(strip(n, "mining", plan, edges[n - 1] + 4, edges[n] + 4, vg, lo, hi,
                               fields=fields))
        feats.append(strip(5, "final pit", plan, 28, 32, fields=fields))
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{EPSG}"}},
           "features": feats}
    with open(path, "w") as fh:
        json.dump(doc, fh)
    return str(path)


@pytest.fixture
def case(tmp_path):
    r, c = np.mgrid[0:ROWS, 0:COLS].astype(float)
    pnl = 300.0 + 0.4 * c + 6.0 * np.sin(r / 3.0) + 3.0 * np.cos(c / 4.0)
    dump = (r >= ROW0) & (r < ROW1) & (c >= 8) & (c < 24)
    nndl = pnl + np.where(dump, 4.0 * np.sin(c * 1.3) * np.cos(r * 0.9), 0.0)
    paths = {
        "PRISTINE": write_tif(tmp_path / "pnl.tif", pnl),
        "NNDL": write_tif(tmp_path / "NNDL.tif", nndl),
        "MNNDL": write_tif(tmp_path / "MNNDL.tif", pnl.copy()),
        "FLOOR": write_tif(tmp_path / "floor.tif", pnl - 40.0),
        "THICKNESS": write_tif(tmp_path / "thick.tif", np.full(pnl.shape, 3.0)),
        "SUBAREAS": write_subareas(tmp_path / "subareas.geojson"),
    }
    return paths


def read_raster_array(path):
    from hpcs_landform.core.grid import read_raster
    return read_raster(str(path))


def read_table(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {(r["section"], r["item"], r["plan"], r["quantity"]): r["value"] for r in rows}


def params(case, tmp_path, **extra):
    p = {"PRISTINE": case["PRISTINE"], "LANDFORMS": [case["NNDL"], case["MNNDL"]],
         "FLOOR": case["FLOOR"], "THICKNESS": case["THICKNESS"],
         "SUBAREAS": case["SUBAREAS"], "CHANNEL_THRESHOLD": 4, "EROSION_MODEL": 1,
         "OUTPUT_REPORT": str(tmp_path / "report.html"),
         "OUTPUT_TABLE": str(tmp_path / "report.csv")}
    p.update(extra)
    return p


def test_report_through_processing(run_alg, case, tmp_path):
    res = run_alg("hpcs:comparisonreport", params(case, tmp_path))
    t = read_table(res["OUTPUT_TABLE"])
    # plan choice by name: MNNDL -> optimized, NNDL -> original
    assert ("landform", "MNNDL", "optimized", "fusion_rate") in t
    assert ("landform", "NNDL", "original", "fusion_rate") in t
    # MNNDL = PNL: fusion and overlap are 1, the rest equals PNL's
    m = {k[3]: float(v) for k, v in t.items() if k[:3] == ("landform", "MNNDL", "optimized")}
    p = {k[3]: float(v) for k, v in t.items() if k[:3] == ("landform", "PNL", "")}
    assert m["fusion_rate"] == 1.0 and m["fusion_rate_no_pit"] == 1.0
    assert m["channel_overlap"] == 1.0
    for key in ("catchments", "channel_length", "mean_slope", "eroded"):
        assert m[key] == pytest.approx(p[key], rel=1e-9), key
    assert t[("winner", "fusion_rate", "", "best")] == "MNNDL"
    assert t[("winner", "channel_overlap", "", "best")] == "MNNDL"
    # the dump: 20 rows x 16 columns of refilling strips; the pit: 20 x 8 (cols 24..32)
    assert float(t[("landform", "NNDL", "original", "dump_cells")]) == 320
    assert float(t[("landform", "NNDL", "original", "pit_cells")]) == 160
    # volumes straight from the layer's fields
    for plan, rows in VOLUMES.items():
        assert float(t[("plan", "all", plan, "v_supply")]) == pytest.approx(
            sum(r[1] for r in rows))
        assert float(t[("period", "3", plan, "v_fmax")]) == rows[2][3]
    assert float(t[("plan", "all", "original", "short")]) == 1      # 0.9e6 < 1.0e6
    assert float(t[("plan", "all", "original", "excess")]) == 1     # 1.6e6 > 1.4e6
    # haul: the optimized strips' supply; K x (dem - floor - thickness) = 37 m per cell,
    # 320 cells of mining strips (cols 12..28) x 400 m2
    assert float(t[("landform", "MNNDL", "optimized", "haul_supply_m3")]) == pytest.approx(
        37.0 * 320 * 400.0, rel=1e-9)
    with open(res["OUTPUT_REPORT"], encoding="utf-8") as fh:
        text = fh.read()
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", text)
    assert len(imgs) == 5          # + the 3-D perspective view
    assert all(base64.b64decode(s)[:4] == b"\x89PNG" for s in imgs)
    assert "<b>MNNDL</b> (optimized plan)" in text and "<b>NNDL</b> (original plan)" in text


def test_erosion_table_names_and_optimized_names(run_alg, case, tmp_path):
    table = tmp_path / "erosion.csv"
    table.write_text("landform,eroded_m3,deposited_m3,exported_m3,mean_loss_t_ha_yr,rank\n"
                     "pnl,400.0,0,400,1,2\nA,300.0,0,300,1,1\nB,900.0,0,900,1,3\n")
    # names given; 'B' marked as optimized; PNL's row found under the layer name 'pnl'
    res = run_alg("hpcs:comparisonreport", params(
        case, tmp_path, LANDFORM_NAMES="A, B", OPTIMIZED_NAMES="B", EROSION_TABLE=str(table)))
    t = read_table(res["OUTPUT_TABLE"])
    assert float(t[("landform", "A", "original", "eroded")]) == 300.0
    assert float(t[("landform", "B", "optimized", "eroded")]) == 900.0
    assert float(t[("landform", "PNL", "", "eroded")]) == 400.0
    assert t[("winner", "eroded", "", "best")] == "A"
    assert float(t[("winner", "eroded", "", "margin_percent")]) == pytest.approx(
        100 * 600 / 900)


def test_clear_errors(run_alg, case, tmp_path):
    from qgis.core import QgsProcessingException
    other = write_tif(tmp_path / "small.tif", np.ones((10, 10)) * np.arange(10.0))
    with pytest.raises(QgsProcessingException, match="not on the same grid"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path, LANDFORMS=[other]))
    bad = write_subareas(tmp_path / "nokind.geojson", fields=False)
    with pytest.raises(QgsProcessingException, match="no field kind"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path, SUBAREAS=bad))
    with pytest.raises(QgsProcessingException, match="1 name"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path, LANDFORM_NAMES="X"))
    with pytest.raises(QgsProcessingException, match="Set LANDFORM_NAMES"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path,
                                                LANDFORMS=[case["NNDL"], case["NNDL"]]))
    with pytest.raises(QgsProcessingException, match="both or neither"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path, FLOOR=None))


def test_qgis_process(case, tmp_path):
    table = tmp_path / "erosion.csv"
    table.write_text("landform,eroded_m3\nPNL,5\nNNDL,7\nMNNDL,5\n")
    out = tmp_path / "qp"
    out.mkdir()
    p = {"PRISTINE": case["PRISTINE"], "LANDFORMS": case["MNNDL"],
         "FLOOR": case["FLOOR"], "THICKNESS": case["THICKNESS"],
         "SUBAREAS": case["SUBAREAS"], "EROSION_TABLE": str(table),
         "OUTPUT_REPORT": str(out / "r.html"), "OUTPUT_TABLE": str(out / "r.csv")}
    rc, stdout, stderr = run_qgis_process("hpcs:comparisonreport", p, tmp_path)
    assert rc == 0, stdout[-2000:] + stderr[-2000:]
    t = read_table(out / "r.csv")
    assert float(t[("landform", "MNNDL", "optimized", "fusion_rate")]) == 1.0
    assert float(t[("landform", "MNNDL", "optimized", "eroded")]) == 5.0
    assert (out / "r.html").stat().st_size > 10000


def test_results_of_the_evaluation_steps_are_taken(run_alg, case, tmp_path):
    """With the tables and channel rasters of hpcs:fusionrate and hpcs:hauldistance
    (what the model feeds it) the report routes no landform again and gives the
    numbers it computes on its own (the tables hold 6 decimals), plus the
    shared / lost / new channel panels in place of the catchment maps."""
    own = read_table(run_alg("hpcs:comparisonreport", params(case, tmp_path / "own"))[
        "OUTPUT_TABLE"])
    tables = {"FUSION_TABLES": [], "CHANNEL_CLASSES": [], "HAUL_TABLES": []}
    for name, plan in (("NNDL", 1), ("MNNDL", 0)):          # PLAN 1 original, 0 optimized
        fr = run_alg("hpcs:fusionrate", {
            "PRISTINE": case["PRISTINE"], "LANDFORM": case[name], "SUBAREAS": case["SUBAREAS"],
            "CHANNEL_THRESHOLD": 4, "PLAN": plan,
            "OUTPUT_TABLE": str(tmp_path / f"fusion_{name}.csv"),
            "OUTPUT_CHANNELS": str(tmp_path / f"channels_{name}.tif"),
            "OUTPUT_AGREEMENT": str(tmp_path / f"agreement_{name}.tif")})
        haul = run_alg("hpcs:hauldistance", {
            "INPUT": case["PRISTINE"], "FLOOR": case["FLOOR"], "THICKNESS": case["THICKNESS"],
            "LANDFORM": case[name], "SUBAREAS": case["SUBAREAS"], "PLAN": plan,
            "OUTPUT_TABLE": str(tmp_path / f"haul_{name}.csv")})
        tables["FUSION_TABLES"].append(fr["OUTPUT_TABLE"])
        tables["CHANNEL_CLASSES"].append(fr["OUTPUT_CHANNELS"])
        tables["HAUL_TABLES"].append(haul["OUTPUT_TABLE"])
    res = run_alg("hpcs:comparisonreport", params(case, tmp_path / "given", **tables,
                                                  SURFACE_MIN=case["MNNDL"]))
    t = read_table(res["OUTPUT_TABLE"])
    for name, plan in (("NNDL", "original"), ("MNNDL", "optimized")):
        for key in ("mean_slope", "fusion_rate", "fusion_rate_no_pit", "channel_overlap",
                    "catchments", "channel_length", "haul_distance", "eroded",
                    "boundary_pairs", "dump_cells", "pit_cells", "haul_supply_m3"):
            k = ("landform", name, plan, key)
            assert float(t[k]) == pytest.approx(float(own[k]), rel=1e-6, abs=1e-6), k
    # design quality: dem_min given (here PNL itself), the same figures as PNL's
    for key in ("spikes", "horn_slope", "step_slope"):
        assert t[("quality", "dem_min", "", key)] == t[("quality", "PNL", "", key)]
    text = open(res["OUTPUT_REPORT"], encoding="utf-8").read()
    assert "channels shared, lost and new" in text and "alt='catchments'" not in text
    assert "id='quality'" in text and "id='perspective'" in text
    with pytest.raises(Exception, match="1 item"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path / "bad",
                                                HAUL_TABLES=tables["HAUL_TABLES"][:1]))


def test_pnl_flow_of_the_channel_step_is_taken(run_alg, case, tmp_path, monkeypatch):
    """FLOWDIR and ACCUMULATION of 'Channel and ridge extraction' on PNL (what the
    model feeds it, as it feeds the fusion steps): the report does not route PNL
    again and writes the same table and report, byte for byte; they are checked
    as the fusion step checks them (ESRI codes, one grid, both or neither)."""
    from qgis.core import QgsProcessingException

    from hpcs_landform.core import hydrology as hy
    ch = run_alg("hpcs:channelextraction", {
        "INPUT": case["PRISTINE"], "THRESHOLD_METHOD": 2, "CHANNEL_THRESHOLD": 4,
        "RIDGE_THRESHOLD": 4, "OUTPUT_FLOWDIR": str(tmp_path / "fd.tif"),
        "OUTPUT_ACCUMULATION": str(tmp_path / "acc.tif")})
    flow = {"FLOWDIR": ch["OUTPUT_FLOWDIR"], "ACCUMULATION": ch["OUTPUT_ACCUMULATION"]}
    pnl, _ = read_raster_array(case["PRISTINE"])
    routed = []
    real = hy.condition
    monkeypatch.setattr(hy, "condition", lambda z, *a, **k: routed.append(
        np.array_equal(z, pnl, equal_nan=True)) or real(z, *a, **k))
    own = run_alg("hpcs:comparisonreport", params(case, tmp_path / "own"))
    # PNL, then NNDL and MNNDL (= PNL here) with and without the pit
    assert routed == [True, False, False, True, True]
    routed.clear()
    given = run_alg("hpcs:comparisonreport", params(case, tmp_path / "given", **flow))
    assert routed == [False, False, True, True]     # the landforms only, not PNL
    for key in ("OUTPUT_TABLE", "OUTPUT_REPORT"):
        with open(own[key], "rb") as a, open(given[key], "rb") as b:
            assert a.read() == b.read(), key
    with pytest.raises(QgsProcessingException, match="or neither"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path / "one",
                                                FLOWDIR=ch["OUTPUT_FLOWDIR"]))
    with pytest.raises(QgsProcessingException, match="not ESRI D8 codes"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path / "dem",
                                                FLOWDIR=case["PRISTINE"],
                                                ACCUMULATION=ch["OUTPUT_ACCUMULATION"]))
    small = write_tif(tmp_path / "small.tif", np.ones((10, 10)))
    with pytest.raises(QgsProcessingException, match="not on the same grid"):
        run_alg("hpcs:comparisonreport", params(case, tmp_path / "grid",
                                                FLOWDIR=ch["OUTPUT_FLOWDIR"],
                                                ACCUMULATION=small))
