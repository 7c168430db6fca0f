"""hpcs:erosioncomparison through processing.run and qgis_process."""
import csv
import re
from pathlib import Path

import numpy as np
import pytest
from osgeo import ogr, osr
from rasters import write_tif as _write_tif

from hpcs_landform.core.grid import read_raster

CELL = 10.0
ROWS, COLS = 24, 20
X0, Y0 = 500000.0, 4000000.0


def _write(path, array, epsg=32616, gt=None):
    return _write_tif(path, array, gt or (X0, CELL, 0, Y0, 0, -CELL), epsg=epsg)


def _polygons(path, boxes):
    """GeoPackage of rectangles given as (row0, row1, col0, col1) cell ranges."""
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    layer = ds.CreateLayer("polys", srs, ogr.wkbPolygon)
    for r0, r1, c0, c1 in boxes:
        xa, xb = X0 + c0 * CELL, X0 + c1 * CELL
        ya, yb = Y0 - r1 * CELL, Y0 - r0 * CELL
        feat = ogr.Feature(layer.GetLayerDefn())
        feat.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POLYGON(({xa} {ya},{xb} {ya},{xb} {yb},{xa} {yb},{xa} {ya}))"))
        layer.CreateFeature(feat)
    ds = None
    return str(path)


def _plane(slope):
    return 300.0 - slope * CELL * np.arange(ROWS)[:, None] + np.zeros((ROWS, COLS))


def _strips(path, original_too=False):
    """Three refilling strips (periods 3, 1, 2 in file order) and one mining strip;
    with ``original_too`` a field 'plan' and a decoy 'original' plan."""
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(str(path))
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(32616)
    layer = ds.CreateLayer("subareas", srs, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("period", ogr.OFTInteger))
    layer.CreateField(ogr.FieldDefn("kind", ogr.OFTString))
    layer.CreateField(ogr.FieldDefn("plan", ogr.OFTString))
    feats = [((14, 20), 3, "refilling", "optimized"), ((2, 8), 1, "refilling", "optimized"),
             ((8, 14), 2, "refilling", "optimized"), ((0, 24), 9, "mining", "optimized")]
    if original_too:
        feats += [((2, 20), 1, "refilling", "original"), ((0, 2), 4, "refilling", "original")]
    for (r0, r1), period, kind, plan in feats:
        xa, xb = X0 + 2 * CELL, X0 + 18 * CELL
        ya, yb = Y0 - r1 * CELL, Y0 - r0 * CELL
        feat = ogr.Feature(layer.GetLayerDefn())
        feat.SetGeometry(ogr.CreateGeometryFromWkt(
            f"POLYGON(({xa} {ya},{xb} {ya},{xb} {yb},{xa} {yb},{xa} {ya}))"))
        feat.SetField("period", period)
        feat.SetField("kind", kind)
        feat.SetField("plan", plan)
        layer.CreateFeature(feat)
    ds = None
    return str(path)


def _area(path):
    return _polygons(path, [(2, 20, 2, 18)])


def _read_csv(path):
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def test_rusle_planes_by_hand(run_alg, tmp_path):
    slopes = {"PNL": 0.10, "TDL": 0.25, "MNNDL": 0.04}
    files = [_write(tmp_path / f"{n}.tif", _plane(s)) for n, s in slopes.items()]
    res = run_alg("hpcs:erosioncomparison", {
        "LANDFORMS": files, "EVALUATION_AREA": _area(tmp_path / "area.gpkg"),
        "SUBAREAS": _strips(tmp_path / "strips.gpkg", original_too=True), "MODEL": 1,
        "YEARS": 10,
        "R_FACTOR": 300, "K_FACTOR": 0.04, "C_FACTOR": 0.04, "P_FACTOR": 1.0,
        "BULK_DENSITY": 1.5,
        "OUTPUT_TABLE": str(tmp_path / "t.csv"), "OUTPUT_REPORT": str(tmp_path / "r.html"),
        "OUTPUT_FOLDER": str(tmp_path / "out")})
    rows = _read_csv(res["OUTPUT_TABLE"])
    assert [r["landform"] for r in rows] == ["PNL", "TDL", "MNNDL"]
    assert {r["landform"]: int(r["rank"]) for r in rows} == {"MNNDL": 1, "PNL": 2, "TDL": 3}
    area_ha = 18 * 16 * CELL * CELL / 1e4
    for r in rows:
        s = slopes[r["landform"]]
        # by hand: Desmet & Govers on a plane dipping south, McCool S and m
        st = np.sin(np.arctan(s))
        beta = (st / 0.0896) / (3 * st ** 0.8 + 0.56)
        m = beta / (1 + beta)
        i = np.arange(ROWS)
        lfac = CELL ** m * ((i + 1) ** (m + 1) - i ** (m + 1)) / 22.13 ** m
        sfac = 10.8 * st + 0.03 if s < 0.09 else 16.8 * st - 0.5
        a = 300 * 0.04 * 0.04 * 1.0 * lfac * sfac                    # t/ha/yr per row
        vol = a[2:20].sum() * 16 * CELL * CELL / 1e4 / 1.5 * 10       # m3 in the area
        assert float(r["eroded_m3"]) == pytest.approx(vol, rel=1e-5)
        assert float(r["deposited_m3"]) == 0.0
        assert float(r["exported_m3"]) == pytest.approx(vol, rel=1e-5)
        assert float(r["mean_loss_t_ha_yr"]) == pytest.approx(vol * 1.5 / area_ha / 10,
                                                              rel=1e-5)
    # per-strip file: refilling periods 1, 2, 3 of the optimized plan (the mining strip
    # and the original plan are ignored)
    strips = _read_csv(tmp_path / "out" / "strips.csv")
    assert [s["strip"] for s in strips] == ["1", "2", "3"]
    total = sum(float(s["PNL_net_loss_m3"]) for s in strips)
    assert total == pytest.approx(float(rows[0]["eroded_m3"]), rel=1e-5)
    # outputs: evolved DEM lowered by the loss thickness; styled rasters; report images
    z, g = read_raster(tmp_path / "out" / "PNL_evolved.tif")
    chg, _ = read_raster(tmp_path / "out" / "PNL_change.tif")
    assert g.crs_wkt and g.shape == (ROWS, COLS)
    assert np.allclose(z - _plane(0.10), chg, atol=1e-4)
    assert np.all(chg <= 0)
    for name in ("PNL", "TDL", "MNNDL"):
        assert (tmp_path / "out" / f"{name}_change.qml").exists()
        assert (tmp_path / "out" / f"{name}_evolved.qml").exists()
    html = Path(res["OUTPUT_REPORT"]).read_text(encoding="utf-8")
    assert len(re.findall(r"data:image/png;base64,[A-Za-z0-9+/=]{200,}", html)) == 2
    assert "RUSLE" in html


def test_lem_budget_and_reference(run_alg, tmp_path):
    y, x = np.mgrid[0:ROWS, 0:COLS]
    mound = 100.0 - 0.02 * CELL * y + np.maximum(8.0 - 0.4 * np.hypot(y - 11.5, x - 9.5), 0)
    rng = np.random.default_rng(0)
    pnl = mound + rng.uniform(0, 0.01, mound.shape)
    steep = 100.0 - 0.02 * CELL * y + np.maximum(16.0 - 1.2 * np.hypot(y - 11.5, x - 9.5), 0)
    files = [_write(tmp_path / "PNL.tif", pnl), _write(tmp_path / "TDL.tif", steep)]
    res = run_alg("hpcs:erosioncomparison", {
        "LANDFORMS": files, "EVALUATION_AREA": _area(tmp_path / "area.gpkg"), "MODEL": 0,
        "YEARS": 5, "TIME_STEP": 1, "ERODIBILITY": 5e-3, "RUNOFF": 0.2,
        "OUTPUT_TABLE": str(tmp_path / "t.csv"), "OUTPUT_REPORT": str(tmp_path / "r.html"),
        "OUTPUT_FOLDER": str(tmp_path / "out")})
    rows = {r["landform"]: r for r in _read_csv(res["OUTPUT_TABLE"])}
    area = np.zeros((ROWS, COLS), dtype=bool)
    area[2:20, 2:18] = True
    for name, z0 in (("PNL", pnl), ("TDL", steep)):
        r = rows[name]
        ero, dep, exp = (float(r[k]) for k in ("eroded_m3", "deposited_m3", "exported_m3"))
        assert ero > 0
        assert ero - dep == pytest.approx(exp, rel=1e-6, abs=1e-6)
        # eroded / deposited from the written rasters, independently of the table
        z1, _ = read_raster(tmp_path / "out" / f"{name}_evolved.tif")
        d = (z1 - z0)[area]
        assert ero == pytest.approx(-d[d < 0].sum() * CELL * CELL, rel=1e-4)
    # the steeper, higher mound erodes more
    assert int(rows["TDL"]["rank"]) == 2 and int(rows["PNL"]["rank"]) == 1
    html = Path(res["OUTPUT_REPORT"]).read_text(encoding="utf-8")
    assert "Reference landform (first layer): <b>PNL</b>" in html


def test_buffer_window_outputs(run_alg, tmp_path):
    """BUFFER = 10 m: the window is the area's box (rows 2-19, columns 2-17) widened
    by one cell; the rasters are written on that window, georeferenced."""
    files = [_write(tmp_path / "PNL.tif", _plane(0.1)), _write(tmp_path / "TDL.tif",
                                                               _plane(0.3))]
    res = run_alg("hpcs:erosioncomparison", {
        "LANDFORMS": files, "EVALUATION_AREA": _area(tmp_path / "area.gpkg"), "MODEL": 0, "YEARS": 2,
        "BUFFER": 10.0, "OUTPUT_TABLE": str(tmp_path / "t.csv"),
        "OUTPUT_FOLDER": str(tmp_path / "out")})
    z, g = read_raster(tmp_path / "out" / "PNL_evolved.tif")
    assert g.shape == (20, 18)
    assert g.transform[0] == pytest.approx(X0 + CELL) and g.transform[3] == pytest.approx(
        Y0 - CELL)
    chg, _ = read_raster(tmp_path / "out" / "PNL_change.tif")
    assert np.allclose(z - _plane(0.1)[1:21, 1:19], chg, atol=1e-4)
    assert np.all(chg[0, :] == 0) and np.all(chg[:, -1] == 0)     # the window edge is fixed
    rows = _read_csv(res["OUTPUT_TABLE"])
    assert float(rows[0]["eroded_m3"]) == pytest.approx(
        -chg[1:19, 1:17][chg[1:19, 1:17] < 0].sum() * CELL * CELL, rel=1e-4)


def test_subareas_without_period_use_feature_ids(run_alg, tmp_path):
    files = [_write(tmp_path / "A.tif", _plane(0.1)), _write(tmp_path / "B.tif", _plane(0.2))]
    sub = _polygons(tmp_path / "s.gpkg", [(2, 10, 2, 18), (10, 20, 2, 18)])
    run_alg("hpcs:erosioncomparison", {
        "LANDFORMS": files, "EVALUATION_AREA": _area(tmp_path / "area.gpkg"), "SUBAREAS": sub,
        "MODEL": 1, "OUTPUT_FOLDER": str(tmp_path / "out"),
        "OUTPUT_TABLE": str(tmp_path / "t.csv"), "OUTPUT_REPORT": str(tmp_path / "r.html")})
    strips = _read_csv(tmp_path / "out" / "strips.csv")
    assert [s["strip"] for s in strips] == ["1", "2"]        # GeoPackage fids


def test_qgis_process(tmp_path):
    from qgis_process_util import parse_results, qgis_process
    files = [_write(tmp_path / "PNL.tif", _plane(0.1)), _write(tmp_path / "TDL.tif",
                                                               _plane(0.3))]
    args = ["run", "hpcs:erosioncomparison", "--"] + [f"LANDFORMS={f}" for f in files] + [
        f"EVALUATION_AREA={_area(tmp_path / 'area.gpkg')}", "MODEL=1", "YEARS=10",
        f"OUTPUT_TABLE={tmp_path / 't.csv'}", f"OUTPUT_REPORT={tmp_path / 'r.html'}",
        f"OUTPUT_FOLDER={tmp_path / 'out'}"]
    proc = qgis_process(args, tmp_path / "profile")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert parse_results(proc.stdout)["OUTPUT_TABLE"] == str(tmp_path / "t.csv")
    rows = _read_csv(tmp_path / "t.csv")
    assert [r["landform"] for r in rows] == ["PNL", "TDL"]
    assert [int(r["rank"]) for r in rows] == [1, 2]
    assert (tmp_path / "out" / "TDL_change.tif").exists()


def test_in_a_model(provider, tmp_path):  # noqa: ARG001
    """The Modeler: landforms and area as model inputs, the table as model output."""
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
        QgsProcessingParameterMultipleLayers,
    )
    files = [_write(tmp_path / "PNL.tif", _plane(0.1)), _write(tmp_path / "TDL.tif",
                                                               _plane(0.3))]
    model = QgsProcessingModelAlgorithm("erosion", "erosion")
    model.addModelParameter(QgsProcessingParameterMultipleLayers(
        "forms", "Landforms", QgsProcessing.TypeRaster), QgsProcessingModelParameter("forms"))
    model.addModelParameter(QgsProcessingParameterFeatureSource("area", "Area"),
                            QgsProcessingModelParameter("area"))
    src = QgsProcessingModelChildParameterSource
    child = QgsProcessingModelChildAlgorithm("hpcs:erosioncomparison")
    child.setChildId("erosion")
    child.addParameterSources("LANDFORMS", [src.fromModelParameter("forms")])
    child.addParameterSources("EVALUATION_AREA", [src.fromModelParameter("area")])
    child.addParameterSources("MODEL", [src.fromStaticValue(1)])
    out = QgsProcessingModelOutput("table")
    out.setChildOutputName("OUTPUT_TABLE")
    child.setModelOutputs({"table": out})
    model.addChildAlgorithm(child)
    res = processing.run(model, {"forms": files, "area": _area(tmp_path / "area.gpkg"),
                                 "erosion:table": str(tmp_path / "t.csv")},
                         context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    rows = _read_csv(res["erosion:table"])
    assert [(r["landform"], r["rank"]) for r in rows] == [("PNL", "1"), ("TDL", "2")]
