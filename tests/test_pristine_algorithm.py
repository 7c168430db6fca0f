"""hpcs:pristinelandform (PNL with the final pit) through processing.run, against values
derived by hand on a 10 x 20 grid of 10 m cells.

The plan: mining strips of periods 1, 2, 3 cover columns 12-15, 8-11 and 4-7 (mining
westwards), refilling strips of periods 1 and 2 cover columns 12-15 and 8-11, all on
rows 2-7.  The final pit (mined, never refilled) is columns 4-7 x rows 2-7: 24 cells.
Its rim: working side column 3 (west, the mining advance), dump side column 8 (the
refilled strip 2), end walls rows 1 and 8.
"""
import json

import numpy as np
import pytest
from rasters import write_tif

from hpcs_landform.core.grid import read_raster

D = 10.0
X0, Y0 = 500000.0, 4000000.0
GT = (X0, D, 0.0, Y0, 0.0, -D)
SHAPE = (10, 20)
PIT = (slice(2, 8), slice(4, 8))


def _rect(c0, c1, r0=2, r1=8):
    x0, x1 = X0 + c0 * D, X0 + c1 * D
    y0, y1 = Y0 - r1 * D, Y0 - r0 * D
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def _subareas(path, supply=36000.0, plans=(None,)):
    feats = []
    for plan in plans:
        for kind, period, c0 in (("mining", 1, 12), ("mining", 2, 8), ("mining", 3, 4),
                                 ("refilling", 1, 12), ("refilling", 2, 8)):
            v = supply.get(period) if isinstance(supply, dict) else supply
            props = {"period": period, "kind": kind,
                     "v_supply": v if kind == "refilling" else None}
            if plan:
                props["plan"] = plan
            feats.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "Polygon", "coordinates": _rect(c0, c0 + 4)}})
    doc = {"type": "FeatureCollection",
           "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32616"}},
           "features": feats}
    with open(path, "w") as fh:
        json.dump(doc, fh)
    return str(path)


def _files(tmp_path, dem, floor, **kw):
    return {"INPUT": write_tif(tmp_path / "dem.tif", dem, GT),
            "FLOOR": write_tif(tmp_path / "floor.tif", floor, GT),
            "SUBAREAS": _subareas(tmp_path / "sub.geojson", **kw)}


def _run(run_alg, tmp_path, files, name="pnl.tif", **kw):
    params = dict(files, OUTPUT=str(tmp_path / name), **kw)
    res = run_alg("hpcs:pristinelandform", params)
    z, g = read_raster(res["OUTPUT"])
    return res, z, g


def test_flat_dem_45_degree_walls_clamped_at_the_floor(run_alg, tmp_path):
    # DEM 100 m, floor 85 m, every wall at 45 degrees (tan = 1): a pit cell k cells
    # (centre to centre) from the nearest rim cell is at 100 - 10 k, not below 85.
    # The 16 cells on the pit's edge are k = 1 -> 90 m, the 8 inner ones k = 2 -> 85 m.
    files = _files(tmp_path, np.full(SHAPE, 100.0), np.full(SHAPE, 85.0))
    res, z, g = _run(run_alg, tmp_path, files, WORKING_ANGLE=45.0, END_ANGLE=45.0,
                     DUMP_ANGLE=45.0)
    expected = np.full(SHAPE, 100.0)
    expected[PIT] = [[90, 90, 90, 90],
                     [90, 85, 85, 90],
                     [90, 85, 85, 90],
                     [90, 85, 85, 90],
                     [90, 85, 85, 90],
                     [90, 90, 90, 90]]
    np.testing.assert_allclose(z, expected, atol=1e-9)
    assert g.shape == SHAPE and g.crs_wkt
    assert res["PIT_CELLS"] == 24
    # cut: 16 cells x 10 m + 8 cells x 15 m, times 100 m2
    assert res["PIT_VOLUME"] == pytest.approx(28000.0)
    assert res["MAX_DEPTH"] == pytest.approx(15.0)


def test_default_angles_each_side_at_its_own_angle(run_alg, tmp_path):
    # DEM 100 m, floor far below: z = 100 - min over the sides of L_s tan(A_s)
    # (working 20, end 13, dump 8 degrees); the refilled and outer cells stay 100.
    files = _files(tmp_path, np.full(SHAPE, 100.0), np.full(SHAPE, 0.0))
    res, z, _ = _run(run_alg, tmp_path, files)
    # (row 4, col 5): working 20 m x tan 20 = 7.2794, end (row 1) 30 m x tan 13 =
    # 6.9260, dump (col 8) 30 m x tan 8 = 4.2162 -> 95.7838
    assert z[4, 5] == pytest.approx(95.7838, abs=1e-4)
    # (row 2, col 4): working 10 m -> 3.6397, end 10 m -> 2.3087, dump 40 m -> 5.6216
    assert z[2, 4] == pytest.approx(97.6913, abs=1e-4)
    # (row 4, col 7): dump 10 m x tan 8 = 1.4054 -> 98.5946
    assert z[4, 7] == pytest.approx(98.5946, abs=1e-4)
    # (row 7, col 6): end (row 8) 10 m -> 2.3087 (working 30 m -> 10.92, dump 20 m -> 2.8108)
    assert z[7, 6] == pytest.approx(97.6913, abs=1e-4)
    outside = np.ones(SHAPE, bool)
    outside[PIT] = False
    assert np.array_equal(z[outside], np.full(int(outside.sum()), 100.0))
    assert res["PIT_CELLS"] == 24
    assert res["MAX_DEPTH"] == pytest.approx(100.0 - z[PIT].min())


def test_walls_start_at_the_dem_of_their_rim(run_alg, tmp_path):
    # DEM rising 1 m per column eastwards (100 + c), 45 degree walls, floor 0.
    # (row 4, col 4): working rim (4, 3) at 103 m, 10 m away -> 93; end (1, 4) 104 - 30 = 74;
    #   dump (4, 8) 108 - 40 = 68 -> 93.
    # (row 4, col 7): dump rim (4, 8) 108 - 10 = 98; end (1, 7) 107 - 30 = 77;
    #   working (4, 3) 103 - 40 = 63 -> 98.
    dem = 100.0 + np.broadcast_to(np.arange(SHAPE[1], dtype=float), SHAPE)
    files = _files(tmp_path, dem, np.zeros(SHAPE))
    _, z, _ = _run(run_alg, tmp_path, files, WORKING_ANGLE=45.0, END_ANGLE=45.0,
                   DUMP_ANGLE=45.0)
    assert z[4, 4] == pytest.approx(93.0)
    assert z[4, 7] == pytest.approx(98.0)
    assert np.all(z[PIT] <= dem[PIT])


def test_same_pit_as_the_traditional_landform(run_alg, tmp_path):
    # the landforms' pit and PNL's are one surface (same inputs, same angles)
    dem = 100.0 + 0.3 * np.broadcast_to(np.arange(SHAPE[1], dtype=float), SHAPE)
    # each refilling strip gets back the volume between the floor and the ground
    # (24 cells of 100 m2, mean DEM 104.05 m on columns 12-15, 102.85 m on 8-11)
    supply = {1: 24 * 100.0 * (104.05 - 80.0), 2: 24 * 100.0 * (102.85 - 80.0)}
    files = _files(tmp_path, dem, np.full(SHAPE, 80.0), supply=supply)
    _, z, _ = _run(run_alg, tmp_path, files, DUMP_ANGLE=10.0)
    tdl = run_alg("hpcs:traditionallandform",
                  dict(files, DUMP_ANGLE=10.0, OUTPUT=str(tmp_path / "tdl.tif")))
    zt, _ = read_raster(tdl["OUTPUT"])
    np.testing.assert_allclose(z[PIT], zt[PIT], atol=1e-9)
    assert np.all(z[PIT] < dem[PIT])


def test_plan_choice_and_errors(run_alg, tmp_path):
    from qgis.core import QgsProcessingException
    both = _files(tmp_path, np.full(SHAPE, 100.0), np.full(SHAPE, 85.0),
                  plans=("original", "optimized"))
    for plan in (0, 1):
        res, _, _ = _run(run_alg, tmp_path, both, name=f"p{plan}.tif", PLAN=plan)
        assert res["PIT_CELLS"] == 24
    floor = np.full(SHAPE, 85.0)
    floor[3, 5] = np.nan            # no floor under a pit cell
    bad = _files(tmp_path, np.full(SHAPE, 100.0), floor)
    with pytest.raises(QgsProcessingException, match="seam floor"):
        _run(run_alg, tmp_path, bad, name="bad.tif")
