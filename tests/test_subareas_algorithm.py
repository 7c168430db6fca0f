"""hpcs:subareadelineation through processing.run (and qgis_process.bin).

The sample plan (data/sample, scripts/make_sample_plan.py) is run with
stand-in surfaces SURFACE_MAX = DEM + 20 m and SURFACE_MIN = DEM - 20 m, and
chained behind hpcs:earthworksurfaces.  Totals are checked against sums
computed here directly from the rasters (eq. 6 and 8 over the rasterised mine
area), coverage against the mine polygon's area.
"""
import csv
import json
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr

from hpcs_landform.core.grid import read_raster, write_raster

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
FLOOR = SAMPLE / "seam_floor.tif"
THICK = SAMPLE / "coal_thickness.tif"
AREA = SAMPLE / "mine_area.geojson"


@pytest.fixture(scope="module")
def standins(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("standins")
    z, g = read_raster(DEM)
    write_raster(tmp / "max.tif", z + 20.0, g, "float64")
    write_raster(tmp / "min.tif", z - 20.0, g, "float64")
    return tmp / "max.tif", tmp / "min.tif"


def _mine_mask_and_area():
    ds = ogr.Open(str(AREA))
    lyr = ds.GetLayer(0)
    feat = lyr.GetNextFeature()
    geom = feat.GetGeometryRef().Clone()
    z, g = read_raster(DEM)
    mem = gdal.GetDriverByName("MEM").Create("", g.shape[1], g.shape[0], 1, gdal.GDT_Byte)
    mem.SetGeoTransform(g.transform)
    gdal.RasterizeLayer(mem, [1], lyr, burn_values=[1])
    return mem.GetRasterBand(1).ReadAsArray().astype(bool), geom.GetArea(), g


def _params(standins, tmp_path, **kw):
    p = {"INPUT": str(DEM), "FLOOR": str(FLOOR), "THICKNESS": str(THICK),
         "SURFACE_MAX": str(standins[0]), "SURFACE_MIN": str(standins[1]),
         "MINE_AREA": str(AREA), "OUTPUT": str(tmp_path / "strips.gpkg"),
         "OUTPUT_TABLE": str(tmp_path / "table.csv"),
         "OUTPUT_CHART": str(tmp_path / "chart.html")}
    p.update(kw)
    return p


def _features(path):
    ds = ogr.Open(str(path))
    lyr = ds.GetLayer(0)
    out = []
    for f in lyr:
        d = {k: f.GetField(k) for k in ("period", "kind", "plan", "width_m", "v_supply",
                                        "v_fmin", "v_fmax", "safe_dist", "gap_m", "case",
                                        "status", "start_m", "end_m")}
        d["geom"] = f.GetGeometryRef().Clone()
        out.append(d)
    return out


def test_sample_plan_optimized(run_alg, standins, tmp_path):
    res = run_alg("hpcs:subareadelineation", _params(standins, tmp_path))
    mask, poly_area, g = _mine_mask_and_area()
    z, _ = read_raster(DEM)
    floor, _ = read_raster(FLOOR)
    th, _ = read_raster(THICK)
    feats = _features(res["OUTPUT"])
    n = int(res["N_PERIODS"])
    assert n > 20
    assert len(feats) == 2 * (2 * n + 2)
    opt = [f for f in feats if f["plan"] == "optimized"]
    mining = [f for f in opt if f["kind"] == "mining"]
    refill = [f for f in opt if f["kind"] == "refilling"]
    box = [f for f in opt if f["kind"] == "box cut"][0]
    pit = [f for f in opt if f["kind"] == "final pit"][0]
    assert len(mining) == len(refill) == n
    # eq. 6 over every mine cell = box cut + mining strips (k = 1)
    g_all = ((z - th - floor) * g.cell_area)[mask].sum()
    assert sum(f["v_supply"] for f in mining) == pytest.approx(res["TOTAL_SUPPLY"], rel=1e-9)
    assert res["TOTAL_SUPPLY"] + box["v_supply"] == pytest.approx(g_all, rel=1e-9)
    # eq. 8 over every mine cell = refilling strips + final pit
    f_all = ((z - 20.0 - floor) * g.cell_area)[mask].sum()
    assert res["TOTAL_FMIN"] + pit["v_fmin"] == pytest.approx(f_all, rel=1e-9)
    assert res["RATIO"] == pytest.approx(res["TOTAL_SUPPLY"] / res["TOTAL_FMIN"])
    # every constraint met after optimization
    assert res["N_OK"] == n
    for f in mining:
        assert f["v_fmin"] * (1 - 1e-9) <= f["v_supply"] <= f["v_fmax"] * (1 + 1e-9)
        assert abs(f["v_supply"] / f["v_fmin"] / res["RATIO"] - 1) <= 0.01 + 1e-9
        assert f["gap_m"] >= f["safe_dist"] - 1e-6
        assert f["status"] == "ok" and f["case"] in ("a", "b", "c", "d", "none")
    # coverage exactly once: mining strips + box cut, and refilling strips + final
    # pit, each tile the mine polygon without overlap
    for group in (mining + [box], refill + [pit]):
        total = sum(f["geom"].GetArea() for f in group)
        union = group[0]["geom"]
        for f in group[1:]:
            union = union.Union(f["geom"])
        assert total == pytest.approx(poly_area, rel=1e-6)
        assert union.GetArea() == pytest.approx(poly_area, rel=1e-6)
    # contiguous: each strip starts where the previous ended
    mining.sort(key=lambda f: f["period"])
    refill.sort(key=lambda f: f["period"])
    for a, b in zip(mining[:-1], mining[1:]):
        assert b["start_m"] == pytest.approx(a["end_m"], abs=1e-6)
    assert mining[0]["start_m"] == pytest.approx(box["end_m"])
    assert refill[-1]["end_m"] == pytest.approx(pit["start_m"])
    assert box["end_m"] == pytest.approx(res["PIT_LENGTH_USED"])
    # the strips are rectangles across the area: their width is the along extent
    for f in mining:
        assert f["width_m"] == pytest.approx(f["end_m"] - f["start_m"])
    # styled output and side outputs
    assert (tmp_path / "strips.qml").exists()
    assert "rule" in (tmp_path / "strips.qml").read_text()
    with open(res["OUTPUT_TABLE"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2 * n
    assert {r["plan"] for r in rows} == {"original", "optimized"}
    html = Path(res["OUTPUT_CHART"]).read_text()
    assert "data:image/png;base64," in html and "Optimized plan" in html


def test_mining_west_strips_run_north_south(run_alg, standins, tmp_path):
    """Direction 270: strips are north-south bands, the box cut at the east end."""
    res = run_alg("hpcs:subareadelineation", _params(standins, tmp_path, OPTIMIZE=False,
                                                     PIT_LENGTH=1600))
    feats = _features(res["OUTPUT"])
    assert {f["plan"] for f in feats} == {"original"}
    assert res["PIT_LENGTH_USED"] == 1600
    _, _, g = _mine_mask_and_area()
    ds = ogr.Open(str(AREA))
    xmin, xmax, ymin, ymax = ds.GetLayer(0).GetExtent()
    box = [f for f in feats if f["kind"] == "box cut"][0]
    bx0, bx1, _, _ = box["geom"].GetEnvelope()
    assert bx1 == pytest.approx(xmax) and bx0 == pytest.approx(xmax - 1600)
    first = [f for f in feats if f["kind"] == "refilling" and f["period"] == 1][0]
    fx0, fx1, _, _ = first["geom"].GetEnvelope()
    assert fx1 == pytest.approx(xmax) and fx0 == pytest.approx(xmax - 90)


def test_directions_give_consistent_totals(run_alg, standins, tmp_path):
    """The whole-area sums (box cut + strips) do not depend on the direction."""
    mask, _, g = _mine_mask_and_area()
    z, _ = read_raster(DEM)
    floor, _ = read_raster(FLOOR)
    th, _ = read_raster(THICK)
    g_all = ((z - th - floor) * g.cell_area)[mask].sum()
    for az in (270, 90, 0, 30):
        res = run_alg("hpcs:subareadelineation", _params(
            standins, tmp_path, DIRECTION=az, OPTIMIZE=False, PIT_LENGTH=300,
            DUMP_SLOPE=45, WORKING_SLOPE=60, OUTPUT=str(tmp_path / f"s{az}.gpkg"),
            OUTPUT_TABLE=None, OUTPUT_CHART=None))
        feats = _features(res["OUTPUT"])
        box = [f for f in feats if f["kind"] == "box cut"][0]
        assert res["TOTAL_SUPPLY"] + box["v_supply"] == pytest.approx(g_all, rel=1e-9), az


def _shift(src, dst, **changes):
    a, g = read_raster(src)
    write_raster(dst, a + changes.get("add", 0.0), g, "float64")
    return str(dst)


@pytest.mark.parametrize("case, expect", [
    ("negative", "negative"),
    ("outside", "outside the DEM"),
    ("infeasible", "Infeasible plan"),
])
def test_bad_inputs(run_alg, standins, tmp_path, case, expect):
    from qgis.core import QgsProcessingException
    kw = {}
    # (a floor above the DEM: tests/test_robustness.py, with the landform builders)
    if case == "negative":
        kw["THICKNESS"] = _shift(THICK, tmp_path / "t.tif", add=-20.0)
    elif case == "outside":
        path = tmp_path / "far.geojson"
        doc = json.loads(AREA.read_text())
        ring = doc["features"][0]["geometry"]["coordinates"][0]
        doc["features"][0]["geometry"]["coordinates"][0] = [[x + 50000.0, y] for x, y in ring]
        path.write_text(json.dumps(doc))
        kw["MINE_AREA"] = str(path)
    elif case == "infeasible":
        kw["K"] = 3.0
    with pytest.raises(QgsProcessingException) as err:
        run_alg("hpcs:subareadelineation", _params(standins, tmp_path, **kw))
    assert expect in str(err.value)
    if case == "infeasible":
        assert "m3" in str(err.value) and "%" in str(err.value)


def test_partly_outside_dem(run_alg, standins, tmp_path):
    from qgis.core import QgsProcessingException
    doc = json.loads(AREA.read_text())
    ring = doc["features"][0]["geometry"]["coordinates"][0]
    xs = [p[0] for p in ring]
    z, g = read_raster(DEM)
    shift = g.extent[2] - max(xs) + 1000.0     # 1 km beyond the east edge
    doc["features"][0]["geometry"]["coordinates"][0] = [[x + shift, y] for x, y in ring]
    path = tmp_path / "part.geojson"
    path.write_text(json.dumps(doc))
    with pytest.raises(QgsProcessingException, match="extends outside the DEM"):
        run_alg("hpcs:subareadelineation", _params(standins, tmp_path, MINE_AREA=str(path)))


def test_qgis_process_run(standins, tmp_path):
    """The batch path: qgis_process.bin run hpcs:subareadelineation (default
    parameters, PIT_LENGTH left blank)."""
    from qgis_process_util import parse_results, run_qgis_process
    out = tmp_path / "strips.gpkg"
    code, stdout, stderr = run_qgis_process("hpcs:subareadelineation", {
        "INPUT": DEM, "FLOOR": FLOOR, "THICKNESS": THICK, "SURFACE_MAX": standins[0],
        "SURFACE_MIN": standins[1], "MINE_AREA": AREA, "OUTPUT": out,
        "OUTPUT_TABLE": tmp_path / "t.csv", "OUTPUT_CHART": tmp_path / "c.html"}, tmp_path)
    assert code == 0, stdout + stderr
    res = parse_results(stdout)
    n = int(float(res["N_PERIODS"]))
    # the pit is at least the strip width plus the tracking distance
    assert float(res["PIT_LENGTH_USED"]) > 90 + 50
    assert int(float(res["N_OK"])) == n
    with open(tmp_path / "t.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # the table's optimized supply adds up to the reported total
    total = sum(float(r["v_supply_m3"]) for r in rows if r["plan"] == "optimized")
    assert total == pytest.approx(float(res["TOTAL_SUPPLY"]), rel=1e-6)
    assert (tmp_path / "strips.qml").exists()


def test_chained_behind_earthwork_surfaces(run_alg, tmp_path):
    """channelextraction -> classifycells -> earthworksurfaces (issue 3) ->
    subareadelineation on the sample plan, with the real surfaces."""
    c = run_alg("hpcs:channelextraction", {
        "INPUT": str(DEM), "OUTPUT_FLOWDIR": str(tmp_path / "fd.tif"),
        "OUTPUT_CHANNELS": str(tmp_path / "ch.tif"), "OUTPUT_RIDGES": str(tmp_path / "ri.tif"),
        "OUTPUT_CATCHMENTS": str(tmp_path / "cat.tif"), "OUTPUT_FILLED": None,
        "OUTPUT_ACCUMULATION": None})
    k = run_alg("hpcs:classifycells", {
        "INPUT": str(DEM), "AREA": str(AREA), "FLOWDIR": c["OUTPUT_FLOWDIR"],
        "CHANNELS": c["OUTPUT_CHANNELS"], "RIDGES": c["OUTPUT_RIDGES"],
        "CATCHMENTS": c["OUTPUT_CATCHMENTS"], "OUTPUT": str(tmp_path / "classes.tif")})
    e = run_alg("hpcs:earthworksurfaces", {
        "INPUT": str(DEM), "CLASSES": k["OUTPUT"], "FLOWDIR": c["OUTPUT_FLOWDIR"],
        "CATCHMENTS": c["OUTPUT_CATCHMENTS"], "OUTPUT_MAX": str(tmp_path / "max.tif"),
        "OUTPUT_MIN": str(tmp_path / "min.tif")})
    # k (swell) so that sum V_g = 1.03 sum V_fmin (the supply is linear in k, the
    # demands do not depend on it); every strip of these surfaces has
    # V_fmax / V_fmin > 1.03, so every period can meet the ratio
    first = run_alg("hpcs:subareadelineation", _params(
        (e["OUTPUT_MAX"], e["OUTPUT_MIN"]), tmp_path, OPTIMIZE=False,
        OUTPUT=str(tmp_path / "first.gpkg"), OUTPUT_TABLE=None, OUTPUT_CHART=None))
    k = 1.03 * first["TOTAL_FMIN"] / first["TOTAL_SUPPLY"]
    res = run_alg("hpcs:subareadelineation", _params(
        (e["OUTPUT_MAX"], e["OUTPUT_MIN"]), tmp_path, K=k))
    n = int(res["N_PERIODS"])
    assert n > 10 and res["N_OK"] == n
    assert res["RATIO"] == pytest.approx(1.03, rel=0.01)
    # eq. 8 / eq. 7 from the surfaces: refilling strips + final pit = every mine cell,
    # cells below the floor needing no fill
    mask, _, g = _mine_mask_and_area()
    floor, _ = read_raster(FLOOR)
    lo, _ = read_raster(e["OUTPUT_MIN"])
    feats = _features(res["OUTPUT"])
    pit = [f for f in feats if f["plan"] == "optimized" and f["kind"] == "final pit"][0]
    f_all = (np.maximum(lo - floor, 0) * g.cell_area)[mask].sum()
    assert res["TOTAL_FMIN"] + pit["v_fmin"] == pytest.approx(f_all, rel=1e-9)
    assert res["TOTAL_FMIN"] <= res["TOTAL_SUPPLY"] <= res["TOTAL_FMAX"]


def test_in_a_model_fed_by_the_surfaces(provider, tmp_path):
    """Modeler: channelextraction -> classifycells -> earthworksurfaces ->
    subareadelineation as one model; the strips' totals agree with eq. 8 summed
    over the surfaces the model wrote."""
    import processing
    from qgis.core import (
        QgsProcessing,
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
    m = QgsProcessingModelAlgorithm("HPCS sub-areas", "HPCS model")
    for name in ("dem", "floor", "thickness"):
        m.addModelParameter(QgsProcessingParameterRasterLayer(name, name),
                            QgsProcessingModelParameter(name))
    m.addModelParameter(QgsProcessingParameterFeatureSource(
        "area", "area", [QgsProcessing.TypeVectorPolygon]), QgsProcessingModelParameter("area"))
    par = QgsProcessingModelChildParameterSource.fromModelParameter
    out = QgsProcessingModelChildParameterSource.fromChildOutput
    static = QgsProcessingModelChildParameterSource.fromStaticValue

    def child(alg, cid, sources, outputs=()):
        c = QgsProcessingModelChildAlgorithm(alg)
        c.setChildId(cid)
        for k, v in sources.items():
            c.addParameterSources(k, [v])
        mo = {}
        for name, child_out in outputs:
            o = QgsProcessingModelOutput(name, name)
            o.setChildId(cid)
            o.setChildOutputName(child_out)
            mo[name] = o
        c.setModelOutputs(mo)
        m.addChildAlgorithm(c)

    child("hpcs:channelextraction", "channels", {"INPUT": par("dem")})
    child("hpcs:classifycells", "classify", {
        "INPUT": par("dem"), "AREA": par("area"),
        **{p: out("channels", "OUTPUT_" + p) for p in ("FLOWDIR", "CHANNELS", "RIDGES",
                                                        "CATCHMENTS")}})
    child("hpcs:earthworksurfaces", "surfaces", {
        "INPUT": par("dem"), "CLASSES": out("classify", "OUTPUT"),
        "FLOWDIR": out("channels", "OUTPUT_FLOWDIR"),
        "CATCHMENTS": out("channels", "OUTPUT_CATCHMENTS")},
        [("dem_min", "OUTPUT_MIN")])
    child("hpcs:subareadelineation", "subareas", {
        "INPUT": par("dem"), "FLOOR": par("floor"), "THICKNESS": par("thickness"),
        "SURFACE_MAX": out("surfaces", "OUTPUT_MAX"), "SURFACE_MIN": out("surfaces", "OUTPUT_MIN"),
        "MINE_AREA": par("area"), "OPTIMIZE": static(False)},
        [("strips", "OUTPUT")])
    m.updateDestinationParameters()
    res = processing.run(m, {
        "dem": str(DEM), "floor": str(FLOOR), "thickness": str(THICK), "area": str(AREA),
        "surfaces:dem_min": str(tmp_path / "min.tif"),
        "subareas:strips": str(tmp_path / "strips.gpkg")},
        context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    feats = _features(res["subareas:strips"])
    refill = [f for f in feats if f["kind"] in ("refilling", "final pit")]
    mask, _, g = _mine_mask_and_area()
    floor, _ = read_raster(FLOOR)
    lo, _ = read_raster(res["surfaces:dem_min"])
    f_all = (np.maximum(lo - floor, 0) * g.cell_area)[mask].sum()
    assert sum(f["v_fmin"] for f in refill) == pytest.approx(f_all, rel=1e-9)
    assert {f["plan"] for f in feats} == {"original"}
