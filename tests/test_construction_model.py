"""Construction outputs (issue 14, item 3): hpcs:earthworkschedule and the shipped model
hpcs:hpcs_construction (models/hpcs_construction.model3).

The pipeline runs once on the bundled sample plan (qgis_process.bin) for its
landforms and sub-areas; the construction model then runs on them, and every
output is checked from the files with GDAL/OGR and numpy:

* the design contours (GDAL's own gdal_contour) are 3-D lines at multiples of
  the interval, their vertices lie on the landform (bilinear interpolation of
  the landform at each vertex gives its z), inside the mine area; the DXF holds
  the same lines with the same elevations;
* the cut/fill against PNL equals numpy's sums over the mine area (rasterised
  by GDAL, cell centres);
* the schedule moves the sub-area layer's supply (v_supply of the optimized
  mining strips, computed by the delineation, another code path), its steps
  add up to each period's volume, strips are stripped top-down and built
  bottom-up, and its mean haul is hpcs:hauldistance's.
"""
import csv
from pathlib import Path

import numpy as np
import pytest
from qgis_process_util import parse_results, run_qgis_process

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
FLOOR = SAMPLE / "seam_floor.tif"
THICK = SAMPLE / "coal_thickness.tif"
MINE = SAMPLE / "mine_area.geojson"
K = 1.05
INTERVAL = 10.0


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    out = tmp_path_factory.mktemp("pipeline")
    files = {"NNDL:NNDL": out / "NNDL.tif", "MNNDL:MNNDL": out / "MNNDL.tif",
             "TDL:TDL": out / "TDL.tif", "SUBAREAS:SUBAREAS": out / "subareas.gpkg",
             "HAUL_MNNDL:TABLE": out / "haul_mnndl.csv"}
    params = {"DEM": DEM, "FLOOR": FLOOR, "THICKNESS": THICK, "MINE_AREA": MINE,
              "STRIP_WIDTH": 240, "K": K}
    params.update(files)
    rc, so, se = run_qgis_process("hpcs:hpcs_pipeline_full", params, out)
    assert rc == 0, so[-3000:] + se[-3000:]
    return files


@pytest.fixture(scope="module")
def construction(pipeline, tmp_path_factory):
    out = tmp_path_factory.mktemp("construction")
    files = {"CONTOURS_MNNDL:CONTOURS": out / "mnndl_contours.gpkg",
             "DXF_MNNDL:CONTOURS": out / "mnndl_contours.dxf",
             "CUTFILL_MNNDL:TABLE": out / "mnndl_cutfill.csv",
             "CUTFILL_TDL:TABLE": out / "tdl_cutfill.csv",
             "SCHEDULE_MNNDL:TABLE": out / "mnndl_schedule.csv",
             "SCHEDULE_MNNDL:STEPS": out / "mnndl_steps.csv"}
    params = {"DEM": DEM, "FLOOR": FLOOR, "THICKNESS": THICK, "MINE_AREA": MINE,
              "SUBAREAS": pipeline["SUBAREAS:SUBAREAS"], "NNDL": pipeline["NNDL:NNDL"],
              "MNNDL": pipeline["MNNDL:MNNDL"], "TDL": pipeline["TDL:TDL"],
              "INTERVAL": INTERVAL, "K": K}
    params.update(files)
    rc, so, se = run_qgis_process("hpcs:hpcs_construction", params, out)
    assert rc == 0, so[-3000:] + se[-3000:]
    res = parse_results(so)
    for name, path in files.items():
        assert Path(res[name]) == path and path.exists(), name
    return files


def read(path):
    from osgeo import gdal
    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    a = band.ReadAsArray().astype(float)
    if band.GetNoDataValue() is not None:
        a[a == band.GetNoDataValue()] = np.nan
    return a, ds.GetGeoTransform()


def mine_mask(like):
    from osgeo import gdal, ogr
    src = gdal.Open(str(like))
    mem = gdal.GetDriverByName("MEM").Create("", src.RasterXSize, src.RasterYSize, 1,
                                             gdal.GDT_Byte)
    mem.SetGeoTransform(src.GetGeoTransform())
    mem.SetProjection(src.GetProjection())
    vec = ogr.Open(str(MINE))
    gdal.RasterizeLayer(mem, [1], vec.GetLayer(), burn_values=[1])
    return mem.GetRasterBand(1).ReadAsArray() == 1


def vertices(path, driver=None):
    from osgeo import ogr
    ds = ogr.Open(str(path))
    assert ds is not None, path
    lyr = ds.GetLayer(0)
    out = []
    for f in lyr:
        g = f.GetGeometryRef()
        elev = f.GetField("ELEV") if f.GetFieldIndex("ELEV") >= 0 else None
        pts = np.array(g.GetPoints())
        out.append((elev, pts))
    return out


def bilinear(a, gt, x, y):
    c = (x - gt[0]) / gt[1] - 0.5
    r = (y - gt[3]) / gt[5] - 0.5
    c0 = np.clip(np.floor(c).astype(int), 0, a.shape[1] - 2)
    r0 = np.clip(np.floor(r).astype(int), 0, a.shape[0] - 2)
    fc, fr = c - c0, r - r0
    return ((1 - fr) * ((1 - fc) * a[r0, c0] + fc * a[r0, c0 + 1])
            + fr * ((1 - fc) * a[r0 + 1, c0] + fc * a[r0 + 1, c0 + 1]))


def test_contours_lie_on_the_landform(pipeline, construction):
    land, gt = read(pipeline["MNNDL:MNNDL"])
    lines = vertices(construction["CONTOURS_MNNDL:CONTOURS"])
    assert len(lines) > 20
    pts = np.concatenate([p for _, p in lines])
    assert pts.shape[1] == 3                                  # 3-D lines
    for elev, p in lines:
        assert np.all(p[:, 2] == elev)
    z = pts[:, 2]
    assert np.allclose(z / INTERVAL, np.round(z / INTERVAL))
    mask = mine_mask(pipeline["MNNDL:MNNDL"])
    inside = land[mask]
    assert z.min() >= np.nanmin(inside) and z.max() <= np.nanmax(inside)
    # gdal_contour interpolates linearly between cell centres, so bilinear
    # interpolation of the landform at a vertex gives its z exactly; at the edge of
    # the clipped area (a neighbour outside the mine area) it extends the border
    # cells by half a cell, which no interpolation reproduces: those are left out
    zi = bilinear(np.where(mask, land, np.nan), gt, pts[:, 0], pts[:, 1])
    ok = np.isfinite(zi)
    assert ok.mean() > 0.8
    assert np.abs(zi[ok] - z[ok]).max() < 1e-3 * INTERVAL
    # every contour elevation the landform crosses inside the mine area is drawn
    levels = np.arange(np.ceil(np.nanmin(inside) / INTERVAL),
                       np.floor(np.nanmax(inside) / INTERVAL) + 1) * INTERVAL
    assert set(np.unique(z)) >= set(levels[1:-1])


def test_dxf_holds_the_same_lines(construction):
    gpkg = vertices(construction["CONTOURS_MNNDL:CONTOURS"])
    dxf = vertices(construction["DXF_MNNDL:CONTOURS"])
    assert len(dxf) == len(gpkg)
    zg = sorted(float(p[0, 2]) for _, p in gpkg)
    zd = sorted(float(p[0, 2]) for _, p in dxf)
    assert zd == pytest.approx(zg)
    assert sum(len(p) for _, p in dxf) == sum(len(p) for _, p in gpkg)


@pytest.mark.parametrize("form", ["MNNDL", "TDL"])
def test_cutfill_against_pnl(pipeline, construction, form):
    pnl, gt = read(DEM)
    land, _ = read(pipeline[f"{form}:{form}"])
    mask = mine_mask(DEM) & np.isfinite(pnl) & np.isfinite(land)
    d = (land - pnl)[mask]
    area = abs(gt[1] * gt[5])
    with open(construction[f"CUTFILL_{form}:TABLE"], encoding="utf-8") as fh:
        got = {r["quantity"]: float(r["value"]) for r in csv.DictReader(fh)}
    assert got["cut"] == pytest.approx(-d[d < 0].sum() * area, rel=1e-6)
    assert got["fill"] == pytest.approx(d[d > 0].sum() * area, rel=1e-6)


def test_schedule(pipeline, construction):
    from osgeo import ogr
    with open(construction["SCHEDULE_MNNDL:TABLE"], encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    with open(construction["SCHEDULE_MNNDL:STEPS"], encoding="utf-8") as fh:
        steps = list(csv.DictReader(fh))
    periods, total = rows[:-1], rows[-1]
    assert total["period"] == "all"
    ds = ogr.Open(str(pipeline["SUBAREAS:SUBAREAS"]))     # (kept: the layer needs it)
    lyr = ds.GetLayer(0)
    v_supply = {int(f.GetField("period")): f.GetField("v_supply") for f in lyr
                if f.GetField("plan") == "optimized" and f.GetField("kind") == "mining"}
    assert [int(r["period"]) for r in periods] == sorted(v_supply)
    for r in periods:
        p = int(r["period"])
        mine = [s for s in steps if int(s["period"]) == p]
        moved = float(r["moved_m3"])
        assert moved == pytest.approx(v_supply[p], rel=0.02)       # the delineation's supply
        assert sum(float(s["volume_m3"]) for s in mine) == pytest.approx(moved, rel=1e-6)
        assert float(mine[-1]["cumulative_m3"]) == pytest.approx(moved, rel=1e-6)
        mean = sum(float(s["volume_m3"]) * float(s["haul_distance_m"]) for s in mine) / moved
        assert float(r["mean_haul_distance_m"]) == pytest.approx(mean, rel=1e-3)
        src = [int(s["source_lift"]) for s in mine]
        dst = [int(s["destination_lift"]) for s in mine]
        assert src == sorted(src) and dst == sorted(dst)            # in order, lift by lift
        tops = [float(s["source_top_m"]) for s in mine]
        bottoms = [float(s["destination_bottom_m"]) for s in mine]
        assert tops == sorted(tops, reverse=True) and bottoms == sorted(bottoms)
        assert float(r["stripped_top_m"]) == pytest.approx(max(tops), abs=1e-3)
        assert float(r["built_bottom_m"]) == pytest.approx(min(bottoms), abs=1e-3)
        assert float(r["mining_strip_start_m"]) < float(r["mining_strip_end_m"])
    with open(pipeline["HAUL_MNNDL:TABLE"], encoding="utf-8") as fh:
        haul = {r["period"]: r for r in csv.DictReader(fh)}
    assert float(total["mean_haul_distance_m"]) == pytest.approx(
        float(haul["all"]["mean_haul_distance_m"]), rel=1e-6)


def test_shipped_model_is_up_to_date():
    """models/hpcs_construction.model3 is what scripts/build_construction_model.py builds."""
    import subprocess
    import sys
    proc = subprocess.run([sys.executable if "qgis" in sys.executable else "/usr/bin/python3",
                           str(ROOT / "scripts" / "build_construction_model.py"), "--check"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "is up to date" in proc.stdout


def test_model_listed_with_its_steps(provider):  # noqa: ARG001
    from qgis.core import QgsApplication
    alg = QgsApplication.processingRegistry().algorithmById("hpcs:hpcs_construction")
    assert alg is not None and alg.groupId() == "hpcsmodel"
    steps = alg.create({}).childAlgorithms().values()
    ids = sorted(c.algorithmId() for c in steps)
    assert ids.count("gdal:contour") == 3 and ids.count("gdal:convertformat") == 3
    assert ids.count("hpcs:cutfill") == 3 and ids.count("hpcs:earthworkschedule") == 3
    outs = {d.name() for d in alg.destinationParameterDefinitions()}
    for form in ("NNDL", "MNNDL", "TDL"):
        assert {f"CONTOURS_{form}:CONTOURS", f"DXF_{form}:CONTOURS", f"CUTFILL_{form}:TABLE",
                f"SCHEDULE_{form}:TABLE", f"SCHEDULE_{form}:STEPS"} <= outs
