"""hpcs:nearnaturallandform, hpcs:traditionallandform, hpcs:cutfill through processing.run
(and one qgis_process.bin run).  Inputs: the hand-checkable synthetic plan of
test_landform_core written as GeoTIFFs plus a sub-area GeoJSON built here."""
import csv
import json

import numpy as np
import pytest
from rasters import write_tif as _write_tif
from test_landform_core import AREA, D, horn_slope, make_plan

from hpcs_landform.core.grid import read_raster

X0, Y0 = 500000.0, 4000000.0
GT = (X0, D, 0.0, Y0, 0.0, -D)


def _tif(path, array, gt=GT, epsg=32616):
    return _write_tif(path, array, gt, epsg=epsg)


def _rect(c0, c1, r0, r1):
    x0, x1 = X0 + c0 * D, X0 + c1 * D
    y0, y1 = Y0 - r1 * D, Y0 - r0 * D
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _subareas(path, p, supply_on="refilling", fields=True, plans=None):
    """One feature per strip as hpcs:subareadelineation writes it: strip k covers
    columns [90 - 10 k, 100 - 10 k), rows 10-49; refilling strip n = strip n,
    mining strip of period n = strip n + 2."""
    feats = []
    for plan, scale in (plans or [(None, 1.0)]):
        for n in range(1, 7):
            for kind, k in (("refilling", n), ("mining", n + 2)):
                props = {"period": n, "kind": kind}
                if plan is not None:
                    props["plan"] = plan
                if fields:
                    v = scale * p["supply"][n] if kind == supply_on else None
                    props.update({"width_m": 100.0, "v_supply": v, "v_fmin": None,
                                  "v_fmax": None, "safe_dist": 50.0, "case": "",
                                  "status": "ok"})
                feats.append({"type": "Feature", "properties": props,
                              "geometry": {"type": "Polygon",
                                           "coordinates": _rect(90 - 10 * k, 100 - 10 * k,
                                                                10, 50)}})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32616"}},
           "features": feats}
    with open(path, "w") as fh:
        json.dump(doc, fh)
    return str(path)


@pytest.fixture
def plan_files(tmp_path):
    p = make_plan(t=(0.3, 0.8, 0.5, 0.2, 0.9, 0.4), rough=True, seed=4)
    files = {k: _tif(tmp_path / f"{k}.tif", p[k]) for k in ("dem", "zmax", "zmin", "floor")}
    files["cat"] = _tif(tmp_path / "cat.tif", p["cat"].astype(float))
    files["sub"] = _subareas(tmp_path / "sub.geojson", p)
    return p, files


def _nn_params(files, out, **kw):
    params = {"INPUT": files["dem"], "SURFACE_MAX": files["zmax"], "SURFACE_MIN": files["zmin"],
              "FLOOR": files["floor"], "CATCHMENTS": files["cat"], "SUBAREAS": files["sub"],
              "SLOPE_MITIGATION": True, "OUTPUT": str(out)}
    params.update(kw)
    return params


def test_near_natural_landform(run_alg, plan_files, tmp_path):
    p, files = plan_files
    res = run_alg("hpcs:nearnaturallandform", _nn_params(files, tmp_path / "mnndl.tif"))
    z, g = read_raster(res["OUTPUT"])
    assert g.shape == p["dem"].shape and g.crs_wkt
    dump = p["refill"] > 0
    for n, s in p["supply"].items():
        m = p["refill"] == n
        v = float(((z[m] - p["floor"][m]) * AREA).sum())
        assert abs(v - s) <= 1e-3 * s
    assert 0 <= res["VOLUME_ERROR_MAX"] < 1e-3
    # the plan is feasible (0 < t < 1): between the two surfaces (float64 rasters)
    assert np.all(z[dump] >= p["zmin"][dump] - 1e-6)
    assert np.all(z[dump] <= p["zmax"][dump] + 1e-6)
    assert np.array_equal(z[~p["mine"]], p["dem"][~p["mine"]])
    slope = horn_slope(z, D, D)[dump]
    assert res["MEAN_SLOPE"] == pytest.approx(slope.mean(), abs=1e-6)
    assert res["MAX_SLOPE"] == pytest.approx(slope.max(), abs=1e-6)
    # without mitigation: the same volumes, a mean slope that is not lower
    res0 = run_alg("hpcs:nearnaturallandform",
                   _nn_params(files, tmp_path / "nndl.tif", SLOPE_MITIGATION=False))
    assert res0["MEAN_SLOPE"] >= res["MEAN_SLOPE"] - 1e-12
    assert res0["VOLUME_ERROR_MAX"] < 1e-3
    # design quality over the dump's interior, before and after the mitigation
    from hpcs_landform.core.quality import design_quality
    z0, _ = read_raster(res0["OUTPUT"])
    q0, q1 = design_quality(z0, dump, D, D), design_quality(z, dump, D, D)
    assert res["STEP_SLOPE"] == pytest.approx(q1.step_slope, abs=1e-4)
    assert res["STEP_SLOPE_BEFORE"] == pytest.approx(q0.step_slope, abs=1e-4)
    assert res0["STEP_SLOPE"] == res0["STEP_SLOPE_BEFORE"] == res["STEP_SLOPE_BEFORE"]
    assert res["STEP_SLOPE"] <= res["STEP_SLOPE_BEFORE"]
    assert res["MEAN_SLOPE_BEFORE"] == pytest.approx(res0["MEAN_SLOPE"], abs=1e-9)
    assert res["SPIKES"] == q1.spikes <= res0["SPIKES"] == q0.spikes
    # the other blends (advanced BLEND) hold the same volumes
    for blend in (1, 2):
        r = run_alg("hpcs:nearnaturallandform", _nn_params(
            files, tmp_path / f"blend{blend}.tif", SLOPE_MITIGATION=False, BLEND=blend))
        assert r["VOLUME_ERROR_MAX"] < 1e-3
        assert r["STEP_SLOPE"] != pytest.approx(res0["STEP_SLOPE"], abs=1e-6)


def test_supply_taken_from_the_mining_strips(run_alg, plan_files, tmp_path):
    p, files = plan_files
    sub = _subareas(tmp_path / "sub_mining.geojson", p, supply_on="mining")
    a = run_alg("hpcs:nearnaturallandform",
                _nn_params(files, tmp_path / "a.tif", SLOPE_MITIGATION=False))
    b = run_alg("hpcs:nearnaturallandform",
                _nn_params(files, tmp_path / "b.tif", SLOPE_MITIGATION=False, SUBAREAS=sub))
    za, _ = read_raster(a["OUTPUT"])
    zb, _ = read_raster(b["OUTPUT"])
    np.testing.assert_allclose(za, zb, atol=1e-9, equal_nan=True)


@pytest.mark.parametrize("choice, scale", [(0, 1.02), (1, 1.0)])
def test_plan_choice(run_alg, plan_files, tmp_path, choice, scale):
    # one layer with both plans (as hpcs:subareadelineation writes it): the optimized
    # plan here carries 2 % more supply in every strip
    p, files = plan_files
    both = _subareas(tmp_path / "both.geojson", p,
                     plans=[("original", 1.0), ("optimized", 1.02)])
    res = run_alg("hpcs:nearnaturallandform",
                  _nn_params(files, tmp_path / "x.tif", SUBAREAS=both, PLAN=choice,
                             SLOPE_MITIGATION=False))
    z, _ = read_raster(res["OUTPUT"])
    for n, s in p["supply"].items():
        m = p["refill"] == n
        v = float(((z[m] - p["floor"][m]) * AREA).sum())
        assert abs(v - scale * s) <= 1e-6 * s


def test_traditional_landform(run_alg, plan_files, tmp_path):
    p, files = plan_files
    res = run_alg("hpcs:traditionallandform", {
        "INPUT": files["dem"], "FLOOR": files["floor"], "SUBAREAS": files["sub"],
        "BENCH_HEIGHT": 10, "FACE_ANGLE": 33, "BERM_WIDTH": 10,
        "OUTPUT": str(tmp_path / "tdl.tif")})
    levels = tmp_path / "tdl_levels.csv"
    assert res["OUTPUT_LEVELS"] == str(levels)
    z, _ = read_raster(res["OUTPUT"])
    dump = p["refill"] > 0
    total = sum(p["supply"].values())
    vol = float(((z[dump] - p["floor"][dump]) * AREA).sum())
    assert abs(vol - total) <= 1e-3 * total
    # per-strip design (the default): the CSV lists every strip's platform and volume
    with open(levels, newline="") as fh:
        rows = {int(r["period"]): r for r in csv.DictReader(fh)}
    assert sorted(rows) == list(range(1, 7))
    shared = 0
    for n, r in rows.items():
        m = p["refill"] == n
        v = float(((z[m] - p["floor"][m]) * AREA).sum())
        assert float(r["supply_m3"]) == pytest.approx(p["supply"][n], rel=1e-9)
        assert v == pytest.approx(float(r["volume_m3"]), rel=1e-6)
        assert float(r["error_vs_supply"]) == pytest.approx(
            abs(v - p["supply"][n]) / p["supply"][n], abs=1e-6)
        assert float(r["platform_error"]) < 1e-6
        assert int(r["cells"]) == int(m.sum())
        shared += r["platform_group"] != str(n)
        if r["platform_group"] == str(n):
            assert v == pytest.approx(p["supply"][n], rel=1e-6)
        # the platform is the strip's most common level (its flat top)
        vals, counts = np.unique(np.round(z[m], 3), return_counts=True)
        assert vals[np.argmax(counts)] == pytest.approx(float(r["platform_m"]), abs=2e-3)
    assert res["SHARED_STRIPS"] == shared
    assert res["TOP_ELEVATION"] == pytest.approx(max(float(r["platform_m"])
                                                     for r in rows.values()), abs=1e-5)
    assert res["MEAN_SLOPE"] == pytest.approx(horn_slope(z, D, D)[dump].mean(), abs=1e-6)
    assert res["SPIKES"] >= 0 and res["STEP_SLOPE"] > 0
    # same final pit as the near-natural landform
    nn = run_alg("hpcs:nearnaturallandform",
                 _nn_params(files, tmp_path / "nn.tif", SLOPE_MITIGATION=False))
    zn, _ = read_raster(nn["OUTPUT"])
    pit = (p["mining"] > 0) & ~dump
    assert np.array_equal(z[pit], zn[pit])
    assert np.array_equal(z[~p["mine"]], p["dem"][~p["mine"]])
    # the single-platform design: one top holding the total supply
    one = run_alg("hpcs:traditionallandform", {
        "INPUT": files["dem"], "FLOOR": files["floor"], "SUBAREAS": files["sub"],
        "DESIGN": 1, "BENCH_HEIGHT": 10, "FACE_ANGLE": 33, "BERM_WIDTH": 10,
        "OUTPUT": str(tmp_path / "tdl1.tif")})
    z1, _ = read_raster(one["OUTPUT"])
    assert float(((z1[dump] - p["floor"][dump]) * AREA).sum()) == pytest.approx(total,
                                                                                rel=1e-3)
    assert np.nanmax(z1[dump]) == pytest.approx(one["TOP_ELEVATION"], abs=1e-3)
    assert np.array_equal(z1[pit], zn[pit])


def test_cut_fill(run_alg, plan_files, tmp_path):
    p, files = plan_files
    nn = run_alg("hpcs:nearnaturallandform",
                 _nn_params(files, tmp_path / "nn.tif", SLOPE_MITIGATION=False))
    table = tmp_path / "cf.csv"
    area = tmp_path / "area.geojson"
    with open(area, "w") as fh:       # the dump: columns 30-89, rows 10-49
        json.dump({"type": "FeatureCollection",
                   "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32616"}},
                   "features": [{"type": "Feature", "properties": {},
                                 "geometry": {"type": "Polygon",
                                              "coordinates": _rect(30, 90, 10, 50)}}]}, fh)
    res = run_alg("hpcs:cutfill", {"SURFACE_A": files["dem"], "SURFACE_B": nn["OUTPUT"],
                                   "EVALUATION_AREA": str(area), "TOLERANCE": 0.5,
                                   "OUTPUT": str(tmp_path / "diff.tif"),
                                   "OUTPUT_TABLE": str(table)})
    zb, _ = read_raster(nn["OUTPUT"])
    dump = p["refill"] > 0
    diff = zb[dump] - p["dem"][dump]
    assert res["FILL"] == pytest.approx(np.maximum(diff, 0).sum() * AREA, rel=1e-9)
    assert res["CUT"] == pytest.approx(np.maximum(-diff, 0).sum() * AREA, rel=1e-9)
    assert res["CUT"] - res["FILL"] == pytest.approx(res["NET"], abs=1e-6)
    d, _ = read_raster(res["OUTPUT"])
    assert np.all(np.isnan(d[~dump]))
    np.testing.assert_allclose(d[dump], diff, atol=1e-4)       # float32 raster
    assert (tmp_path / "diff.qml").exists()
    qml = (tmp_path / "diff.qml").read_text()
    assert "#b2182b" in qml and "#2166ac" in qml and "#f0f0f0" in qml
    with open(table, newline="") as fh:
        rows = {r["quantity"]: float(r["value"]) for r in csv.DictReader(fh)}
    assert rows["net (cut - fill)"] == pytest.approx(res["NET"], rel=1e-9, abs=1e-6)
    assert rows["area within tolerance"] == pytest.approx((np.abs(diff) <= 0.5).sum() * AREA)


def test_layer_without_the_expected_fields(run_alg, plan_files, tmp_path):
    from qgis.core import QgsProcessingException
    p, files = plan_files
    bare = _subareas(tmp_path / "bare.geojson", p, fields=False)
    with pytest.raises(QgsProcessingException, match="v_supply"):
        run_alg("hpcs:nearnaturallandform",
                _nn_params(files, tmp_path / "x.tif", SUBAREAS=bare))
    with pytest.raises(QgsProcessingException, match="v_supply"):
        run_alg("hpcs:traditionallandform", {"INPUT": files["dem"], "FLOOR": files["floor"],
                                             "SUBAREAS": bare,
                                             "OUTPUT": str(tmp_path / "t.tif")})
    nofields = tmp_path / "nofields.geojson"
    with open(bare) as fh:
        doc = json.load(fh)
    for f in doc["features"]:
        f["properties"] = {"name": "strip"}
    with open(nofields, "w") as fh:
        json.dump(doc, fh)
    with pytest.raises(QgsProcessingException, match="period"):
        run_alg("hpcs:nearnaturallandform",
                _nn_params(files, tmp_path / "x.tif", SUBAREAS=str(nofields)))
    # mitigation without catchments
    params = _nn_params(files, tmp_path / "x.tif")
    del params["CATCHMENTS"]
    with pytest.raises(QgsProcessingException, match="CATCHMENTS"):
        run_alg("hpcs:nearnaturallandform", params)


def test_qgis_process_near_natural(plan_files, tmp_path):
    from qgis_process_util import parse_results, run_qgis_process
    p, files = plan_files
    out = tmp_path / "qp.tif"
    code, stdout, stderr = run_qgis_process("hpcs:nearnaturallandform",
                                            _nn_params(files, out), tmp_path)
    assert code == 0, stdout[-2000:] + stderr[-2000:]
    res = parse_results(stdout)
    assert float(res["VOLUME_ERROR_MAX"]) < 1e-3
    z, _ = read_raster(out)
    for n, s in p["supply"].items():
        m = p["refill"] == n
        assert abs(float(((z[m] - p["floor"][m]) * AREA).sum()) - s) <= 1e-3 * s


def test_in_a_model(provider, plan_files, tmp_path):  # noqa: ARG001
    """The Modeler: near-natural landform -> cut/fill against the DEM, chained."""
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
    p, files = plan_files
    model = QgsProcessingModelAlgorithm("landforms", "landforms")
    for name in ("dem", "zmax", "zmin", "floor", "cat"):
        model.addModelParameter(QgsProcessingParameterRasterLayer(name, name),
                                QgsProcessingModelParameter(name))
    model.addModelParameter(QgsProcessingParameterFeatureSource("sub", "sub"),
                            QgsProcessingModelParameter("sub"))
    src = QgsProcessingModelChildParameterSource
    nn = QgsProcessingModelChildAlgorithm("hpcs:nearnaturallandform")
    nn.setChildId("nn")
    for param, name in (("INPUT", "dem"), ("SURFACE_MAX", "zmax"), ("SURFACE_MIN", "zmin"),
                        ("FLOOR", "floor"), ("CATCHMENTS", "cat"), ("SUBAREAS", "sub")):
        nn.addParameterSources(param, [src.fromModelParameter(name)])
    nn.addParameterSources("SLOPE_MITIGATION", [src.fromStaticValue(False)])
    model.addChildAlgorithm(nn)
    cf = QgsProcessingModelChildAlgorithm("hpcs:cutfill")
    cf.setChildId("cf")
    cf.addParameterSources("SURFACE_A", [src.fromModelParameter("dem")])
    cf.addParameterSources("SURFACE_B", [src.fromChildOutput("nn", "OUTPUT")])
    cf.addParameterSources("TOLERANCE", [src.fromStaticValue(0.0)])
    out = QgsProcessingModelOutput("table")
    out.setChildOutputName("OUTPUT_TABLE")
    cf.setModelOutputs({"table": out})
    model.addChildAlgorithm(cf)
    res = processing.run(model, {"dem": files["dem"], "zmax": files["zmax"],
                                 "zmin": files["zmin"], "floor": files["floor"],
                                 "cat": files["cat"], "sub": files["sub"],
                                 "cf:table": str(tmp_path / "t.csv")},
                         context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    with open(res["cf:table"], newline="") as fh:
        rows = {r["quantity"]: float(r["value"]) for r in csv.DictReader(fh)}
    # net over the whole grid: the dump's earth minus what was taken out of the mine
    # area, all by hand from the plan (the pit holds no earth above its surface)
    dump = p["refill"] > 0
    total_supply = sum(p["supply"].values())
    from hpcs_landform.core.landform import pit_surface
    pz = pit_surface(p["dem"], p["floor"], p["mining"], p["refill"], D, D)
    pit = (p["mining"] > 0) & ~dump
    removed = float(((p["dem"][dump] - p["floor"][dump]) * AREA).sum()
                    + ((p["dem"][pit] - pz[pit]) * AREA).sum())
    assert rows["net (cut - fill)"] == pytest.approx(removed - total_supply, rel=1e-4)
