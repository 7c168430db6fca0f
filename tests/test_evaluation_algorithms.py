"""hpcs:fusionrate and hpcs:hauldistance through processing.run and qgis_process.bin."""
import csv
import json
import math

import numpy as np
import pytest
from qgis_process_util import parse_results, run_qgis_process
from rasters import write_tif as _write_tif

from hpcs_landform.core.grid import read_raster

EPSG = 32616


def write_tif(path, array, gt):
    return _write_tif(path, array, gt, epsg=EPSG)


def write_strips(path, strips, gt):
    """GeoJSON sub-area layer; strips = [(period, kind, row0, row1, col0, col1)]
    (cell index ranges, end exclusive), polygons on the cell edges."""
    x0, dx, _, y0, _, dy = gt
    feats = []
    for period, kind, r0, r1, c0, c1, *plan in strips:
        xa, xb = x0 + dx * c0, x0 + dx * c1
        ya, yb = y0 + dy * r1, y0 + dy * r0
        props = {"period": period, "kind": kind, "width_m": xb - xa, "v_supply": None,
                 "status": "ok"}
        if plan:
            props["plan"] = plan[0]
        feats.append({"type": "Feature", "properties": props,
                      "geometry": {"type": "Polygon", "coordinates": [[
                          [xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]]}})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{EPSG}"}},
           "features": feats}
    with open(path, "w") as fh:
        json.dump(doc, fh)
    return str(path)


# --------------------------------------------------------------------------
# fusion rate
# --------------------------------------------------------------------------

HAND_GT = (0.0, 10.0, 0.0, 50.0, 0.0, -10.0)


def hand_case(tmp_path):
    """The 5 x 6 south-falling plane of test_fusion_core with the dump (row 2,
    cols 2-3) raised to 99.5 m: fusion rate 0.5 (worked out there by hand)."""
    pnl = np.repeat(100.0 - np.arange(5.0)[:, None], 6, axis=1)
    land = pnl.copy()
    land[2, 2:4] = 99.5
    return (write_tif(tmp_path / "pnl.tif", pnl, HAND_GT),
            write_tif(tmp_path / "land.tif", land, HAND_GT),
            write_strips(tmp_path / "strips.geojson", [(1, "refilling", 2, 3, 2, 4)], HAND_GT))


def test_fusionrate_hand_grid(run_alg, tmp_path):
    pnl, land, strips = hand_case(tmp_path)
    res = run_alg("hpcs:fusionrate", {
        "PRISTINE": pnl, "LANDFORM": land, "SUBAREAS": strips, "CHANNEL_THRESHOLD": 2,
        "OUTPUT_AGREEMENT": str(tmp_path / "agree.tif"),
        "OUTPUT_CHANNELS": str(tmp_path / "channels.tif"),
        "OUTPUT_TABLE": str(tmp_path / "fusion.csv")})
    assert res["FUSION_RATE"] == pytest.approx(0.5, abs=1e-12)
    assert res["FUSION_RATE_NO_PIT"] == pytest.approx(0.5, abs=1e-12)   # no pit here
    # threshold 2: PNL's two dump cells (accumulation 2) are channels, the raised dump has none
    assert res["CHANNEL_OVERLAP"] == 0.0
    assert res["CHANNEL_LENGTH_PRISTINE"] == pytest.approx(20.0)
    assert res["CHANNEL_LENGTH_LANDFORM"] == 0.0
    assert res["CATCHMENTS_PRISTINE"] == 2 and res["CATCHMENTS_LANDFORM"] == 2
    ag, g = read_raster(res["OUTPUT_AGREEMENT"])
    assert g.shape == (5, 6) and g.crs_wkt
    assert ag[1, 2] == 2 and ag[1, 3] == 2 and ag[1, 1] == 1 and ag[2, 2] == 3
    assert int((ag == 1).sum()) == 8 and int((ag == 2).sum()) == 2
    ch, _ = read_raster(res["OUTPUT_CHANNELS"])
    assert ch[2, 2] == 2 and ch[2, 3] == 2
    assert (tmp_path / "agree.qml").exists() and (tmp_path / "channels.qml").exists()
    with open(res["OUTPUT_TABLE"]) as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["period"] == "1" and rows[0]["normaliser_cells"] == "2"
    assert (rows[0]["bbox_rows"], rows[0]["bbox_cols"]) == ("1", "2")
    assert rows[0]["boundary_cells"] == "10" and rows[0]["agree_cells"] == "8"
    assert float(rows[0]["fusion_rate"]) == pytest.approx(0.5)
    assert rows[-1]["period"] == "all"


def test_fusionrate_pnl_against_itself(run_alg, data_dir, tmp_path):
    z, _ = read_raster(data_dir / "r_stars_olinda_dem_utm25s.tif")
    gt = (500000.0, 90.0, 0.0, 4000000.0, 0.0, -90.0)
    dem = write_tif(tmp_path / "dem.tif", z, gt)
    strips = write_strips(tmp_path / "s.geojson", [
        (1, "refilling", 40, 70, 30, 40), (2, "refilling", 40, 70, 40, 50),
        (1, "mining", 40, 70, 70, 80), (2, "mining", 40, 70, 80, 90)], gt)
    res = run_alg("hpcs:fusionrate", {"PRISTINE": dem, "LANDFORM": dem, "SUBAREAS": strips,
                                       "OUTPUT_TABLE": str(tmp_path / "t.csv")})
    assert res["FUSION_RATE"] == 1.0 and res["FUSION_RATE_NO_PIT"] == 1.0
    assert res["CHANNEL_OVERLAP"] == 1.0
    assert res["CATCHMENTS_LANDFORM"] == res["CATCHMENTS_PRISTINE"] > 0
    assert res["CHANNEL_LENGTH_LANDFORM"] == res["CHANNEL_LENGTH_PRISTINE"] > 0
    with open(res["OUTPUT_TABLE"]) as fh:
        rows = list(csv.DictReader(fh))
    assert [r["period"] for r in rows] == ["1", "2", "all"]
    assert [r["normaliser_cells"] for r in rows[:2]] == ["300", "300"]


def test_fusionrate_final_pit_feature(run_alg, tmp_path):
    """A 'final pit' feature (mined, never refilled) east of the dump, dug to
    80 m in the landform: without the pit's influence the rate is the hand
    value 0.5 again; with it lower."""
    pnl, _, _ = hand_case(tmp_path)
    land = np.repeat(100.0 - np.arange(5.0)[:, None], 6, axis=1)
    land[2, 2:4] = 99.5
    land[1:4, 4] = 80.0
    land = write_tif(tmp_path / "pit.tif", land, HAND_GT)
    strips = write_strips(tmp_path / "pit.geojson", [
        (1, "refilling", 2, 3, 2, 4, "original"), (2, "final pit", 1, 4, 4, 5, "original")],
        HAND_GT)
    res = run_alg("hpcs:fusionrate", {"PRISTINE": pnl, "LANDFORM": land, "SUBAREAS": strips,
                                       "CHANNEL_THRESHOLD": 2})
    assert res["FUSION_RATE_NO_PIT"] == pytest.approx(0.5, abs=1e-12)
    assert res["FUSION_RATE"] < 0.5


def test_fusionrate_bad_inputs(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    # (a landform on another grid: tests/test_robustness.py, every algorithm at once)
    pnl, land, strips = hand_case(tmp_path)
    nofield = tmp_path / "nofield.geojson"
    with open(strips) as fh:
        doc = json.load(fh)
    for f in doc["features"]:
        f["properties"].pop("kind")
    nofield.write_text(json.dumps(doc))
    with pytest.raises(QgsProcessingException, match="kind"):
        run_alg("hpcs:fusionrate", {"PRISTINE": pnl, "LANDFORM": land,
                                     "SUBAREAS": str(nofield)})


# --------------------------------------------------------------------------
# haul distance
# --------------------------------------------------------------------------

HAUL_GT = (0.0, 10.0, 0.0, 40.0, 0.0, -10.0)   # 4 x 12 cells; x centres 5..115, y 35..5


def haul_case(tmp_path):
    """Two periods with uniform blocks (see test_haul_core for the lift centres):
    period 1 mining cols 8-9 surface 135, refilling cols 2-5 landform 112.5;
    period 2 mining cols 10-11 surface 120, refilling cols 6-7 landform 110;
    floor 100, coal 10 m thick everywhere."""
    dem = np.full((4, 12), 150.0)
    land = np.full((4, 12), 150.0)
    dem[:, 8:10] = 135.0
    dem[:, 10:12] = 120.0
    land[:, 2:6] = 112.5
    land[:, 6:8] = 110.0
    paths = {
        "INPUT": write_tif(tmp_path / "dem.tif", dem, HAUL_GT),
        "FLOOR": write_tif(tmp_path / "floor.tif", np.full((4, 12), 100.0), HAUL_GT),
        "THICKNESS": write_tif(tmp_path / "thick.tif", np.full((4, 12), 10.0), HAUL_GT),
        "LANDFORM": write_tif(tmp_path / "land.tif", land, HAUL_GT),
        "SUBAREAS": write_strips(tmp_path / "strips.geojson", [
            (1, "mining", 0, 4, 8, 10), (1, "refilling", 0, 4, 2, 6),
            (2, "mining", 0, 4, 10, 12), (2, "refilling", 0, 4, 6, 8)], HAUL_GT),
    }
    p1 = (8000 * math.hypot(50, 25) + 8000 * math.hypot(50, 15)
          + 4000 * math.hypot(50, 1.25)) / 20000
    p2 = math.hypot(40, 10)
    return paths, p1, p2, (20000 * p1 + 8000 * p2) / 28000


def test_hauldistance_two_periods(run_alg, tmp_path):
    from qgis.core import QgsVectorLayer
    params, p1, p2, mean = haul_case(tmp_path)
    params.update({"BENCH_HEIGHT": 10, "K": 1.0, "OUTPUT_TABLE": str(tmp_path / "haul.csv"),
                   "OUTPUT_LINES": str(tmp_path / "moves.gpkg")})
    res = run_alg("hpcs:hauldistance", params)
    assert res["MEAN_HAUL_DISTANCE"] == pytest.approx(mean, rel=1e-9)
    with open(res["OUTPUT_TABLE"]) as fh:
        rows = list(csv.DictReader(fh))
    assert [r["period"] for r in rows] == ["1", "2", "all"]
    assert float(rows[0]["mean_haul_distance_m"]) == pytest.approx(p1, rel=1e-6)
    assert float(rows[1]["mean_haul_distance_m"]) == pytest.approx(p2, rel=1e-6)
    # moved volume = supply = (8 cells x 25 m + 8 cells x 10 m) x 100 m2
    assert float(rows[2]["moved_m3"]) == pytest.approx(28000)
    assert float(rows[2]["supply_m3"]) == pytest.approx(28000)
    layer = QgsVectorLayer(res["OUTPUT_LINES"], "moves", "ogr")
    assert layer.isValid() and layer.featureCount() == 4
    feats = sorted(layer.getFeatures(), key=lambda f: (f["period"], f["src_lift"]))
    assert sum(f["volume_m3"] for f in feats) == pytest.approx(28000)
    first = feats[0].geometry().constGet()
    assert (first.xAt(0), first.yAt(0), first.zAt(0)) == pytest.approx((90, 20, 130))
    assert (first.xAt(1), first.yAt(1), first.zAt(1)) == pytest.approx((40, 20, 105))
    assert feats[0]["dist_m"] == pytest.approx(math.hypot(50, 25))
    assert layer.crs().authid() == f"EPSG:{EPSG}"


def test_hauldistance_k_and_bench(run_alg, tmp_path):
    """K = 2 doubles the supply: period 1 has 40000 m3 for 20000 m3 of room,
    all of it placed into the room's shape; bench 25 m puts its overburden
    [110, 135] in one lift and its fill [100, 112.5] in one lift."""
    params, _, _, _ = haul_case(tmp_path)
    params.update({"BENCH_HEIGHT": 25, "K": 2.0, "OUTPUT_TABLE": str(tmp_path / "k.csv")})
    res = run_alg("hpcs:hauldistance", params)
    with open(res["OUTPUT_TABLE"]) as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["source_lifts"] == "1" and rows[0]["destination_lifts"] == "1"
    assert float(rows[0]["supply_m3"]) == pytest.approx(40000)
    assert float(rows[0]["room_m3"]) == pytest.approx(20000)
    assert float(rows[0]["moved_m3"]) == pytest.approx(40000)
    assert float(rows[0]["room_over_supply"]) == pytest.approx(0.5)
    # period 2: 8000 m3 of overburden x 2 into 8000 m3 of room
    assert float(rows[1]["moved_m3"]) == pytest.approx(16000)
    assert float(rows[2]["moved_m3"]) == pytest.approx(56000)
    # period 1: source centre (90, 20, 122.5) -> destination (40, 20, 106.25)
    assert float(rows[0]["mean_haul_distance_m"]) == pytest.approx(math.hypot(50, 16.25))


def test_hauldistance_plan_choice_and_box_cut(run_alg, tmp_path):
    """One layer with two plans (field 'plan') and a box cut: the original plan
    is period 1 of haul_case, the optimized plan its period 2 geometry; the box
    cut (cols 0-1, 50 m of overburden) is mined but feeds no refilling strip."""
    params, p1, p2, _ = haul_case(tmp_path)
    params["SUBAREAS"] = write_strips(tmp_path / "plans.geojson", [
        (0, "box cut", 0, 4, 0, 2, "original"),
        (1, "mining", 0, 4, 8, 10, "original"), (1, "refilling", 0, 4, 2, 6, "original"),
        (0, "box cut", 0, 4, 0, 2, "optimized"),
        (1, "mining", 0, 4, 10, 12, "optimized"), (1, "refilling", 0, 4, 6, 8, "optimized")],
        HAUL_GT)
    res = run_alg("hpcs:hauldistance", dict(params))
    assert res["MEAN_HAUL_DISTANCE"] == pytest.approx(p2, rel=1e-9)
    res = run_alg("hpcs:hauldistance", dict(params, PLAN=1))
    assert res["MEAN_HAUL_DISTANCE"] == pytest.approx(p1, rel=1e-9)


def test_hauldistance_strip_edge_inside_a_cell(run_alg, tmp_path):
    """The mining strip's polygon ends in the middle of column 9 (x 80 to 95):
    area shares 1 (col 8) and 0.5 (col 9). Supply 6 cells x 100 m2 x 25 m =
    15000 m3: lifts of 6000 (z 130), 6000 (z 120), 3000 (z 112.5) at
    x = (85 + 0.5 x 95) / 1.5; the room (20000 m3: 16000 at z 105, 4000 at
    z 111.25, x 40) scaled by 0.75 to 12000 and 3000."""
    params, _, _, _ = haul_case(tmp_path)
    params["SUBAREAS"] = write_strips(tmp_path / "half.geojson", [
        (1, "mining", 0, 4, 8, 9.5), (1, "refilling", 0, 4, 2, 6)], HAUL_GT)
    params["OUTPUT_TABLE"] = str(tmp_path / "half.csv")
    res = run_alg("hpcs:hauldistance", params)
    dx = (85 + 0.5 * 95) / 1.5 - 40
    expect = (6000 * math.hypot(dx, 25) + 6000 * math.hypot(dx, 15)
              + 3000 * math.hypot(dx, 1.25)) / 15000
    assert res["MEAN_HAUL_DISTANCE"] == pytest.approx(expect, rel=1e-9)
    with open(res["OUTPUT_TABLE"]) as fh:
        row = next(csv.DictReader(fh))
    assert float(row["supply_m3"]) == pytest.approx(15000)
    assert float(row["moved_m3"]) == pytest.approx(15000)
    assert float(row["room_m3"]) == pytest.approx(20000)


def test_hauldistance_bad_input(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    params, _, _, _ = haul_case(tmp_path)
    neg = np.full((4, 12), -1.0)
    params["THICKNESS"] = write_tif(tmp_path / "neg.tif", neg, HAUL_GT)
    with pytest.raises(QgsProcessingException, match="negative"):
        run_alg("hpcs:hauldistance", params)


def test_qgis_process_hauldistance_and_fusionrate(tmp_path):
    params, _, _, mean = haul_case(tmp_path)
    params["OUTPUT_TABLE"] = tmp_path / "q.csv"
    code, out, err = run_qgis_process("hpcs:hauldistance", params, tmp_path)
    assert code == 0, out + err
    res = parse_results(out)
    assert float(res["MEAN_HAUL_DISTANCE"]) == pytest.approx(mean, rel=1e-6)
    assert (tmp_path / "q.csv").exists()
    pnl, land, strips = hand_case(tmp_path)
    code, out, err = run_qgis_process("hpcs:fusionrate", {
        "PRISTINE": pnl, "LANDFORM": land, "SUBAREAS": strips, "CHANNEL_THRESHOLD": 2,
        "OUTPUT_CHANNELS": tmp_path / "qch.tif"}, tmp_path)
    assert code == 0, out + err
    res = parse_results(out)
    assert float(res["FUSION_RATE"]) == pytest.approx(0.5)
    assert (tmp_path / "qch.qml").exists()


# --------------------------------------------------------------------------
# modeler
# --------------------------------------------------------------------------

def test_both_in_a_model(provider, tmp_path):  # noqa: ARG001
    """A model feeding one sub-area layer and one landform to both algorithms."""
    import processing
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterRasterLayer,
    )
    params, _, _, mean = haul_case(tmp_path)
    model = QgsProcessingModelAlgorithm("evaluation", "evaluation")
    model.addModelParameter(QgsProcessingParameterRasterLayer("landform", "Landform"),
                            QgsProcessingModelParameter("landform"))
    model.addModelParameter(QgsProcessingParameterFeatureSource("strips", "Strips"),
                            QgsProcessingModelParameter("strips"))
    src = QgsProcessingModelChildParameterSource
    haul = QgsProcessingModelChildAlgorithm("hpcs:hauldistance")
    haul.setChildId("haul")
    for name in ("INPUT", "FLOOR", "THICKNESS"):
        haul.addParameterSources(name, [src.fromStaticValue(params[name])])
    haul.addParameterSources("LANDFORM", [src.fromModelParameter("landform")])
    haul.addParameterSources("SUBAREAS", [src.fromModelParameter("strips")])
    fus = QgsProcessingModelChildAlgorithm("hpcs:fusionrate")
    fus.setChildId("fusion")
    fus.addParameterSources("PRISTINE", [src.fromStaticValue(params["INPUT"])])
    fus.addParameterSources("LANDFORM", [src.fromModelParameter("landform")])
    fus.addParameterSources("SUBAREAS", [src.fromModelParameter("strips")])
    fus.addParameterSources("CHANNEL_THRESHOLD", [src.fromStaticValue(3)])
    for child, name in ((haul, "haul_table"), (fus, "fusion_table")):
        out = QgsProcessingModelOutput(name)
        out.setChildOutputName("OUTPUT_TABLE")
        child.setModelOutputs({name: out})
        model.addChildAlgorithm(child)
    res = processing.run(model, {"landform": params["LANDFORM"], "strips": params["SUBAREAS"],
                                 "haul:haul_table": str(tmp_path / "h.csv"),
                                 "fusion:fusion_table": str(tmp_path / "f.csv")},
                         context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    with open(res["haul:haul_table"]) as fh:
        rows = list(csv.DictReader(fh))
    assert float(rows[-1]["mean_haul_distance_m"]) == pytest.approx(mean, rel=1e-6)
    with open(res["fusion:fusion_table"]) as fh:
        rows = list(csv.DictReader(fh))
    assert [r["period"] for r in rows] == ["1", "2", "all"]
    # refilling strip 1 (cols 2-5, all 4 rows): box 4 x 4; strip 2 (cols 6-7): 4 x 2
    assert [r["normaliser_cells"] for r in rows[:2]] == ["16", "8"]
