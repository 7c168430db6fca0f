"""hpcs:resilienceindex, hpcs:damagedegree, hpcs:fracturenetwork through processing.run
and one qgis_process.bin run each for the index and the fracture network.

Expected values are computed by hand in the tests (see test_ecology_core.py
for the derivations) or from the written outputs themselves with independent
formulas.
"""
import csv
import itertools

import numpy as np
import pytest
from osgeo import ogr
from qgis.core import QgsFeature, QgsGeometry, QgsProcessingException, QgsVectorLayer
from qgis_process_util import parse_results, run_qgis_process
from rasters import write_tif as _write_tif

from hpcs_landform.core.grid import read_raster

EPSG = 32616
R1 = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8]], float)
R2 = np.array([[10, 10, 10], [0, 0, 0], [5, 5, 5]], float)
R3 = np.array([[0, 0, 10], [0, 0, 10], [0, 0, 10]], float)
R_HAND = np.array([[3.0, 3.4, 6.8], [1.2, 1.6, 5.0], [3.9, 4.3, 7.7]])   # 0.4 R1 + .3 R2 + .3 R3
GT3 = (500000.0, 10.0, 0.0, 4000000.0, 0.0, -10.0)                     # 3 x 3 cells of 10 m


def _raster(path, array, gt, nodata=None, epsg=EPSG):
    return _write_tif(path, array, gt, epsg=epsg, nodata=nodata)


def _polygons(rects, field="name"):
    """Memory polygon layer from (value, xmin, ymin, xmax, ymax)."""
    layer = QgsVectorLayer(f"Polygon?crs=EPSG:{EPSG}&field={field}:string", "zones", "memory")
    feats = []
    for value, x0, y0, x1, y1 in rects:
        f = QgsFeature(layer.fields())
        f.setGeometry(QgsGeometry.fromWkt(
            f"POLYGON(({x0} {y0},{x1} {y0},{x1} {y1},{x0} {y1},{x0} {y0}))"))
        f.setAttributes([value])
        feats.append(f)
    layer.dataProvider().addFeatures(feats)
    return layer


def _csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {row[next(iter(row))]: row for row in csv.DictReader(fh)}


def _inputs(tmp_path):
    return {"RESISTANCE": _raster(tmp_path / "r1.tif", R1, GT3),
            "RESILIENCE": _raster(tmp_path / "r2.tif", R2, GT3),
            "ADAPTABILITY": _raster(tmp_path / "r3.tif", R3, GT3)}


# --- resilience index ------------------------------------------------------------

def test_resilience_3x3_with_zones_and_baseline(run_alg, tmp_path):
    params = _inputs(tmp_path)
    # zone 'top' covers the first row (y 3999990..4000000), 'right' the last column
    zones = _polygons([("top", 500000, 3999990, 500030, 4000000),
                       ("right", 500020, 3999970, 500030, 4000000)])
    params.update({"BREAKS": "3, 5", "ZONES": zones, "ZONE_FIELD": "name",
                   "BASELINE": _raster(tmp_path / "base.tif", np.full((3, 3), 3.0), GT3),
                   "OUTPUT": str(tmp_path / "r.tif"), "OUTPUT_CLASSES": str(tmp_path / "c.tif"),
                   "OUTPUT_CHANGE": str(tmp_path / "d.tif"),
                   "OUTPUT_TABLE": str(tmp_path / "t.csv")})
    res = run_alg("hpcs:resilienceindex", params)
    r, g = read_raster(res["OUTPUT"])
    np.testing.assert_allclose(r, R_HAND, atol=1e-6)
    c, _ = read_raster(res["OUTPUT_CLASSES"])
    np.testing.assert_array_equal(c, [[1, 2, 3], [1, 1, 2], [2, 2, 3]])
    d, _ = read_raster(res["OUTPUT_CHANGE"])
    np.testing.assert_allclose(d, R_HAND - 3.0, atol=1e-6)
    assert (tmp_path / "r.qml").exists() and (tmp_path / "c.qml").exists()
    assert 'label="3: high"' in (tmp_path / "c.qml").read_text()
    assert (res["BREAK_LOW_MEDIUM"], res["BREAK_MEDIUM_HIGH"]) == (3.0, 5.0)
    assert res["MEAN_R"] == pytest.approx(R_HAND.mean(), abs=1e-9)
    rows = _csv(res["OUTPUT_TABLE"])
    assert set(rows) == {"ALL", "top", "right"}
    top = rows["top"]
    assert float(top["area_m2"]) == 300.0                          # 3 cells of 100 m2
    assert float(top["mean_R"]) == pytest.approx((3.0 + 3.4 + 6.8) / 3)
    assert float(top["mean_change"]) == pytest.approx((3.0 + 3.4 + 6.8) / 3 - 3.0)
    right = rows["right"]                                           # 6.8, 5.0, 7.7
    assert float(right["min_R"]) == pytest.approx(5.0)
    assert [float(right[k]) for k in ("low_pct", "medium_pct", "high_pct")] == \
        pytest.approx([0.0, 100 / 3, 200 / 3])
    assert float(rows["ALL"]["low_pct"]) == pytest.approx(100 / 3)


def test_resilience_natural_breaks(run_alg, tmp_path):
    params = _inputs(tmp_path)
    params.update({"OUTPUT_CLASSES": str(tmp_path / "c.tif")})
    res = run_alg("hpcs:resilienceindex", params)
    # brute force: the 2-break split of the 9 values with the least within-class SSD
    v = np.sort(R_HAND.ravel())
    best = min(itertools.combinations(range(1, 9), 2),
               key=lambda cut: sum(((p - p.mean()) ** 2).sum() for p in np.split(v, cut)))
    expected = [v[best[0] - 1], v[best[1] - 1]]
    assert [res["BREAK_LOW_MEDIUM"], res["BREAK_MEDIUM_HIGH"]] == pytest.approx(expected)


def test_resilience_minmax(run_alg, tmp_path):
    params = _inputs(tmp_path)
    params.update({"NORMALIZE": 1, "BREAKS": "0.3,0.6", "OUTPUT": str(tmp_path / "r.tif")})
    r, _ = read_raster(run_alg("hpcs:resilienceindex", params)["OUTPUT"])
    # min-max scales R1 / 8, R2 / 10, R3 / 10
    np.testing.assert_allclose(r, 0.4 * R1 / 8 + 0.3 * R2 / 10 + 0.3 * R3 / 10, atol=1e-6)


@pytest.mark.parametrize("weights", [(0.5, 0.3, 0.3), (0.4, 0.3, 0.2)])
def test_resilience_weights_must_sum_to_one(run_alg, tmp_path, weights):
    params = _inputs(tmp_path)
    params.update(dict(zip(("W1", "W2", "W3"), weights)))
    with pytest.raises(QgsProcessingException, match="sum to 1"):
        run_alg("hpcs:resilienceindex", params)


def test_resilience_grid_mismatch(run_alg, tmp_path):
    params = _inputs(tmp_path)
    params["ADAPTABILITY"] = _raster(tmp_path / "shifted.tif", R3,
                                     (500005.0, 10.0, 0.0, 4000000.0, 0.0, -10.0))
    with pytest.raises(QgsProcessingException, match="same grid"):
        run_alg("hpcs:resilienceindex", params)


# --- land damage degree -------------------------------------------------------------

GT10 = (500000.0, 2.0, 0.0, 4000000.0, 0.0, -2.0)                  # 10 x 10 cells of 4 m2


def _damage_raster():
    """open pit rows 0-4: 20 / 20 / 10 / 50 %; underground rows 5-9: 70 / 20 / 10 / 0 %."""
    x = np.zeros((10, 10))
    x[:5, 0:2], x[:5, 2:4], x[:5, 4], x[:5, 5:] = 0.1, 0.4, 0.6, 0.9
    x[5:, 0:7], x[5:, 7:9], x[5:, 9] = 0.1, 0.4, 0.6
    return x


def test_damage_shares_by_mining_type(run_alg, tmp_path):
    x = _damage_raster()
    worse = _raster(tmp_path / "damage_index.tif", x, GT10)
    better = _raster(tmp_path / "vegetation.tif", 1.0 - x, GT10)
    # open pit as two polygons (rows 0-2 and 3-4) merged by the category field
    zones = _polygons([("open-pit", 500000, 3999994, 500020, 4000000),
                       ("open-pit", 500000, 3999990, 500020, 3999994),
                       ("underground", 500000, 3999980, 500020, 3999990)], field="kind")
    res = run_alg("hpcs:damagedegree", {
        "INDICATORS": [worse, better], "DIRECTIONS": "worse, better", "WEIGHTS": "0.5,0.5",
        "DEGREE_NORMALIZE": 1, "DEGREE_BREAKS": "0.25,0.5,0.75", "ZONES": zones,
        "CATEGORY_FIELD": "kind",
        "OUTPUT": str(tmp_path / "deg.tif"), "OUTPUT_SCORE": str(tmp_path / "score.tif"),
        "OUTPUT_TABLE": str(tmp_path / "deg.csv")})
    deg, _ = read_raster(res["OUTPUT"])
    expected = 1 + (x > 0.25).astype(int) + (x > 0.5) + (x > 0.75)
    np.testing.assert_array_equal(deg, expected)
    score, _ = read_raster(res["OUTPUT_SCORE"])
    np.testing.assert_allclose(score, x, atol=1e-6)
    assert 'label="4: extremely severe"' in (tmp_path / "deg.qml").read_text()
    rows = _csv(res["OUTPUT_TABLE"])
    assert set(rows) == {"ALL", "open-pit", "underground"}
    pit, under = rows["open-pit"], rows["underground"]
    keys = ("none_pct", "slight_pct", "severe_pct", "extremely_severe_pct")
    assert [float(pit[k]) for k in keys] == pytest.approx([20, 20, 10, 50])
    assert [float(under[k]) for k in keys] == pytest.approx([70, 20, 10, 0])
    assert float(pit["area_m2"]) == 200.0                          # 50 cells of 4 m2
    assert float(pit["extremely_severe_m2"]) == 100.0
    assert float(under["none_m2"]) == 140.0
    assert res["BREAKS_USED"] == "0.25, 0.5, 0.75"


def test_damage_minmax_default_equal_weights(run_alg, tmp_path):
    a = np.arange(100, dtype=float).reshape(10, 10)              # 0..99 -> a / 99
    b = np.full((10, 10), 5.0)
    b[0, 0] = np.nan
    res = run_alg("hpcs:damagedegree", {
        "INDICATORS": [_raster(tmp_path / "a.tif", a, GT10),
                       _raster(tmp_path / "b.tif", b, GT10, nodata=-9999)],
        "DIRECTIONS": "", "WEIGHTS": "", "OUTPUT_SCORE": str(tmp_path / "s.tif"),
        "OUTPUT": str(tmp_path / "d.tif")})
    s, _ = read_raster(res["OUTPUT_SCORE"])
    # over the 99 valid cells a runs 1..99 -> (a - 1) / 98; constant b scores 0.5
    expected = 0.5 * (a - 1) / 98 + 0.5 * 0.5
    expected[0, 0] = np.nan
    np.testing.assert_allclose(s, expected, atol=1e-6)
    d, _ = read_raster(res["OUTPUT"])
    assert np.isnan(d[0, 0])


@pytest.mark.parametrize("params, message", [
    ({"WEIGHTS": "0.5,0.6"}, "sum to 1"),
    ({"DIRECTIONS": "worse"}, "one direction per indicator"),
    ({"DEGREE_BREAKS": "0.5,0.2,0.9"}, "increase"),
])
def test_damage_errors(run_alg, tmp_path, params, message):
    x = _damage_raster()
    base = {"INDICATORS": [_raster(tmp_path / "a.tif", x, GT10),
                           _raster(tmp_path / "b.tif", x, GT10)],
            "OUTPUT": str(tmp_path / "d.tif")}
    base.update(params)
    with pytest.raises(QgsProcessingException, match=message):
        run_alg("hpcs:damagedegree", base)


# --- discrete fracture network ------------------------------------------------------

def _read_layer(path):
    ds = ogr.Open(str(path))
    layer = ds.GetLayer(0)
    feats = [(f.items(), f.GetGeometryRef().Clone()) for f in layer]
    gtype = layer.GetGeomType()
    return feats, gtype


def _dfn(run_alg, tmp_path, tag, **extra):
    params = {"EXTENT": f"0,200,0,100 [EPSG:{EPSG}]", "Z_MIN": 0, "Z_MAX": 100,
              "EXPONENT": 2.4, "D_MIN": 2, "D_MAX": 60, "DIP_DIRECTION": 135, "DIP": 50,
              "KAPPA": 15, "COUNT": 300, "SEED": 7, "TRACE_ELEVATION": 40,
              "OUTPUT_DISCS": str(tmp_path / f"discs_{tag}.gpkg"),
              "OUTPUT_TRACES": str(tmp_path / f"traces_{tag}.gpkg")}
    params.update(extra)
    return run_alg("hpcs:fracturenetwork", params)


def test_dfn_outputs(run_alg, tmp_path):
    res = _dfn(run_alg, tmp_path, "a")
    discs, gtype = _read_layer(res["OUTPUT_DISCS"])
    assert res["DISC_COUNT"] == 300 and len(discs) == 300
    assert ogr.GT_HasZ(gtype)
    d = np.array([a["diameter"] for a, _ in discs])
    assert d.min() >= 2 and d.max() <= 60
    # P32 from the written diameters
    assert res["P32_INTENSITY"] == pytest.approx(np.sum(np.pi * d ** 2 / 4) / (200 * 100 * 100))
    for a, geom in discs[:20]:
        assert (geom.GetX(), geom.GetY(), geom.GetZ()) == pytest.approx((a["x"], a["y"], a["z"]))
        assert 0 <= a["x"] <= 200 and 0 <= a["y"] <= 100 and 0 <= a["z"] <= 100
        n = np.array([a["nx"], a["ny"], a["nz"]])
        assert np.degrees(np.arccos(n[2])) == pytest.approx(a["dip"])
        assert np.degrees(np.arctan2(n[0], n[1])) % 360 == pytest.approx(a["dip_dir"])
    traces, _ = _read_layer(res["OUTPUT_TRACES"])
    assert res["TRACE_COUNT"] == len(traces) > 0
    # a disc is cut when its centre is within r sin(dip) of the plane z = 40
    by_id = {a["id"]: a for a, _ in discs}
    cut = {a["id"] for a in by_id.values()
           if abs(a["z"] - 40) < a["diameter"] / 2 * np.sin(np.radians(a["dip"]))}
    assert {a["disc_id"] for a, _ in traces} == cut
    total = 0.0
    for a, geom in traces:
        assert geom.Length() == pytest.approx(a["length"], rel=1e-9)
        disc = by_id[a["disc_id"]]
        # half-chord from the disc: sqrt(r^2 - (h / sin dip)^2)
        r, h = disc["diameter"] / 2, 40 - disc["z"]
        assert a["length"] == pytest.approx(
            2 * np.sqrt(r ** 2 - (h / np.sin(np.radians(disc["dip"]))) ** 2), rel=1e-7)
        total += a["length"]
    assert res["P21"] == pytest.approx(total / (200 * 100))
    # a QML beside each file output: QGIS opens the layers styled
    assert (tmp_path / "discs_a.qml").exists() and (tmp_path / "traces_a.qml").exists()
    layer = QgsVectorLayer(str(tmp_path / "traces_a.gpkg"), "traces", "ogr")
    assert layer.renderer().symbol().color().name() == "#b2182b"


def test_dfn_same_seed_same_network(run_alg, tmp_path):
    a, _ = _read_layer(_dfn(run_alg, tmp_path, "a")["OUTPUT_DISCS"])
    b, _ = _read_layer(_dfn(run_alg, tmp_path, "b")["OUTPUT_DISCS"])
    c, _ = _read_layer(_dfn(run_alg, tmp_path, "c", SEED=8)["OUTPUT_DISCS"])
    assert [f for f, _ in a] == [f for f, _ in b]
    assert [f for f, _ in a] != [f for f, _ in c]


def test_dfn_p32_and_probability_raster(run_alg, tmp_path):
    res = _dfn(run_alg, tmp_path, "p", TERMINATION=1, P32=0.01)
    assert res["P32_INTENSITY"] >= 0.01
    discs, _ = _read_layer(res["OUTPUT_DISCS"])
    d = np.array([a["diameter"] for a, _ in discs])
    areas = np.pi * d ** 2 / 4
    assert (areas.sum() - areas[-1]) / 2e6 < 0.01                 # stopped at the first crossing
    # probability raster: 1 in the west half (x < 100), 0 in the east half
    prob = np.zeros((10, 20))
    prob[:, :10] = 1.0
    path = _raster(tmp_path / "prob.tif", prob, (0.0, 10.0, 0.0, 100.0, 0.0, -10.0))
    res = _dfn(run_alg, tmp_path, "r", EXTENT=None, PROBABILITY=path)
    discs, _ = _read_layer(res["OUTPUT_DISCS"])
    xs = np.array([a["x"] for a, _ in discs])
    assert len(xs) == 300 and xs.max() < 100.0


def test_dfn_needs_a_box(run_alg, tmp_path):
    with pytest.raises(QgsProcessingException, match="EXTENT"):
        _dfn(run_alg, tmp_path, "x", EXTENT=None)
    with pytest.raises(QgsProcessingException, match="D_min"):
        _dfn(run_alg, tmp_path, "y", D_MIN=10, D_MAX=5)


# --- qgis_process.bin ----------------------------------------------------------------

def test_qgis_process_fracture_network(tmp_path):
    code, out, err = run_qgis_process("hpcs:fracturenetwork", {
        "EXTENT": f"0,200,0,100 [EPSG:{EPSG}]", "Z_MIN": 0, "Z_MAX": 100, "COUNT": 120,
        "SEED": 3, "TRACE_ELEVATION": 50, "OUTPUT_DISCS": tmp_path / "discs.gpkg",
        "OUTPUT_TRACES": tmp_path / "traces.gpkg"}, tmp_path)
    assert code == 0, out + err
    res = parse_results(out)
    assert float(res["DISC_COUNT"]) == 120
    discs, _ = _read_layer(tmp_path / "discs.gpkg")
    traces, _ = _read_layer(tmp_path / "traces.gpkg")
    assert len(discs) == 120 and len(traces) == int(float(res["TRACE_COUNT"]))


def test_qgis_process_resilience_index(tmp_path):
    params = _inputs(tmp_path)
    params.update({"BREAKS": "3,5", "OUTPUT_CLASSES": tmp_path / "c.tif",
                   "OUTPUT": tmp_path / "r.tif", "OUTPUT_TABLE": tmp_path / "t.csv"})
    code, out, err = run_qgis_process("hpcs:resilienceindex", params, tmp_path)
    assert code == 0, out + err
    c, _ = read_raster(tmp_path / "c.tif")
    np.testing.assert_array_equal(c, [[1, 2, 3], [1, 1, 2], [2, 2, 3]])
    assert float(_csv(tmp_path / "t.csv")["ALL"]["mean_R"]) == pytest.approx(R_HAND.mean())
    assert (tmp_path / "c.qml").exists()


# --- modeler -------------------------------------------------------------------------

def test_in_a_model(run_alg, tmp_path):
    """A model chaining the index into a model output, R1 as a model input."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
        QgsProcessingModelParameter,
        QgsProcessingParameterRasterLayer,
    )
    inputs = _inputs(tmp_path)
    model = QgsProcessingModelAlgorithm("eco", "ecology")
    model.addModelParameter(QgsProcessingParameterRasterLayer("r1", "R1"),
                            QgsProcessingModelParameter("r1"))
    child = QgsProcessingModelChildAlgorithm("hpcs:resilienceindex")
    child.setChildId("index")
    child.addParameterSources("RESISTANCE", [
        QgsProcessingModelChildParameterSource.fromModelParameter("r1")])
    for name in ("RESILIENCE", "ADAPTABILITY"):
        child.addParameterSources(name, [
            QgsProcessingModelChildParameterSource.fromStaticValue(inputs[name])])
    child.addParameterSources("BREAKS", [
        QgsProcessingModelChildParameterSource.fromStaticValue("3,5")])
    out = QgsProcessingModelOutput("classes")
    out.setChildOutputName("OUTPUT_CLASSES")
    child.setModelOutputs({"classes": out})
    model.addChildAlgorithm(child)
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback
    res = processing.run(model, {"r1": inputs["RESISTANCE"],
                                 "index:classes": str(tmp_path / "m.tif")},
                         context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    c, _ = read_raster(res["index:classes"])
    np.testing.assert_array_equal(c, [[1, 2, 3], [1, 1, 2], [2, 2, 3]])


@pytest.mark.parametrize("alg_id", ["hpcs:resilienceindex", "hpcs:damagedegree",
                                    "hpcs:fracturenetwork"])
def test_help_is_plain_text(provider, alg_id):
    """The dialog renders the help as HTML: a '<' would swallow the text after it."""
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById(alg_id)
    assert alg.group() == "Ecological assessment" and alg.groupId() == "ecology"
    text = alg.shortHelpString()
    where = text.find("<")
    assert len(text) > 500 and "<" not in text and ">" not in text, text[where - 80:where + 80]
