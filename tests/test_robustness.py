"""Hostile inputs, class by class (issue 15), through processing.run and
qgis_process.bin: each asserts the exit (an exception or exit code), the
message (what is wrong and how to fix it) and what is left on disk.

1. outputs: checked before the run, written with the umask, never replacing
   an earlier file unless the whole run succeeds;
2. nodata and undeclared nodata inside the area;
3. geometry: polygon type, validity, multi-part mines;
4. limits and cancel (a run cancelled after 1 s returns within 1 s more);
5. value checks (ESRI codes, 0/1 masks, CRS) and real causes in messages.
"""
import hashlib
import os
import shutil
import stat
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from osgeo import ogr, osr
from qgis_process_util import run_qgis_process
from rasters import write_tif

from hpcs_landform.core.grid import read_raster, write_raster

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
FLOOR = SAMPLE / "seam_floor.tif"
THICK = SAMPLE / "coal_thickness.tif"
MINE = SAMPLE / "mine_area.geojson"
#: a rectangle well inside the DEM (rows 100-139, cols 100-149)
ROWS, COLS = slice(100, 140), slice(100, 150)


def _exc():
    from qgis.core import QgsProcessingException
    return QgsProcessingException


def _digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _grid():
    return read_raster(DEM)


def _write_layer(path, geoms, geom_type=ogr.wkbPolygon, epsg=32616, fields=None):
    """A GeoPackage layer of WKT geometries (with optional attribute dicts)."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    lyr = ds.CreateLayer("layer", srs, geom_type)
    fields = fields or [{} for _ in geoms]
    for key, value in (fields[0] or {}).items():
        lyr.CreateField(ogr.FieldDefn(key, ogr.OFTInteger if isinstance(value, int)
                                      else ogr.OFTString))
    for wkt, attrs in zip(geoms, fields):
        feat = ogr.Feature(lyr.GetLayerDefn())
        feat.SetGeometry(ogr.CreateGeometryFromWkt(wkt))
        for key, value in (attrs or {}).items():
            feat.SetField(key, value)
        lyr.CreateFeature(feat)
    ds = None
    return str(path)


def _rect_wkt(grid, rows=ROWS, cols=COLS, inset=10.0):
    x0, dx, _, y0, _, dy = grid.transform
    xa, xb = x0 + cols.start * dx + inset, x0 + cols.stop * dx - inset
    ya, yb = y0 + rows.stop * dy + inset, y0 + rows.start * dy - inset
    return f"POLYGON(({xa} {ya},{xb} {ya},{xb} {yb},{xa} {yb},{xa} {ya}))"


@pytest.fixture(scope="module")
def surfaces(tmp_path_factory):
    """SURFACE_A = the DEM, SURFACE_B = DEM + 1 m, and a rectangle AREA."""
    tmp = tmp_path_factory.mktemp("robust")
    z, g = _grid()
    a = tmp / "a.tif"
    b = tmp / "b.tif"
    write_raster(a, z, g, "float64")
    write_raster(b, z + 1.0, g, "float64")
    area = _write_layer(tmp / "area.gpkg", [_rect_wkt(g)])
    return {"A": str(a), "B": str(b), "AREA": area, "z": z, "grid": g, "tmp": tmp}


def _cutfill(surfaces, tmp_path, **kw):
    p = {"SURFACE_A": surfaces["A"], "SURFACE_B": surfaces["B"],
         "EVALUATION_AREA": surfaces["AREA"],
         "OUTPUT": str(tmp_path / "d.tif"), "OUTPUT_TABLE": str(tmp_path / "t.csv")}
    p.update(kw)
    return p


def _refused(run_alg, alg, params, *fragments, feedback=None):
    with pytest.raises(_exc()) as err:
        run_alg(alg, params, feedback)
    text = str(err.value)
    for f in fragments:
        assert f in text, text
    assert "Traceback" not in text
    return text


# --- 1. outputs ----------------------------------------------------------

@pytest.mark.parametrize("case, fragments", [
    ("proc", ("system folder",)),
    ("is_folder", ("is an existing folder", "give a file name")),
    ("under_file", ("is an existing file, not a folder",)),
    ("extension", ("'.png'", ".tif, .tiff only")),
    ("table_extension", ("'.txt'", ".csv only")),
    ("same_path", ("are both", "own file name")),
    ("is_input", ("is the input SURFACE_B", "destroy the input")),
])
def test_destinations_refused_before_the_run(run_alg, surfaces, tmp_path, case, fragments):
    before = sorted(os.listdir(tmp_path))
    folder = tmp_path / "folder"
    folder.mkdir()
    plain = tmp_path / "plain.txt"
    plain.write_text("x")
    b_copy = tmp_path / "b.tif"
    shutil.copy(surfaces["B"], b_copy)
    digest = _digest(b_copy)
    kw = {"proc": {"OUTPUT": "/proc/hpcs_out.tif"},
          "is_folder": {"OUTPUT": str(folder)},
          "under_file": {"OUTPUT": str(plain / "d.tif")},
          "extension": {"OUTPUT": str(tmp_path / "d.png")},
          "table_extension": {"OUTPUT_TABLE": str(tmp_path / "t.txt")},
          "same_path": {"OUTPUT_TABLE": str(tmp_path / "x.csv"),
                        "OUTPUT": str(tmp_path / "x.csv")},
          "is_input": {"SURFACE_B": str(b_copy), "OUTPUT": str(b_copy)}}[case]
    if case == "same_path":
        # two outputs of one kind on one path: channel extraction's masks
        params = {"INPUT": surfaces["A"], "OUTPUT_CHANNELS": str(tmp_path / "m.tif"),
                  "OUTPUT_RIDGES": str(tmp_path / "m.tif")}
        _refused(run_alg, "hpcs:channelextraction", params, *fragments)
    else:
        _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path, **kw), *fragments)
    left = sorted(set(os.listdir(tmp_path)) - set(before) - {"folder", "plain.txt", "b.tif"})
    assert left == []                       # nothing written, no temporary left
    assert _digest(b_copy) == digest        # the input is intact
    assert plain.read_text() == "x"


def test_unwritable_folder(run_alg, surfaces, tmp_path, monkeypatch):
    """A folder the user cannot write to (as root every folder is writable, so
    the permission answer is taken from os.access, which the check uses)."""
    from hpcs_landform.algorithms import validation
    locked = tmp_path / "locked"
    locked.mkdir()
    real = os.access
    monkeypatch.setattr(validation.os, "access",
                        lambda p, mode: False if str(p) == str(locked) else real(p, mode))
    _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path,
                                               OUTPUT=str(locked / "d.tif")),
             "is not writable", "Choose another file or folder")
    assert os.listdir(locked) == []


def test_outputs_take_the_umask(run_alg, surfaces, tmp_path):
    old = os.umask(0o022)
    try:
        res = run_alg("hpcs:cutfill", _cutfill(surfaces, tmp_path))
    finally:
        os.umask(old)
    for path in (res["OUTPUT"], res["OUTPUT_TABLE"], str(tmp_path / "d.qml")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644, path
    # an existing file keeps its own mode
    os.chmod(res["OUTPUT"], 0o640)
    res = run_alg("hpcs:cutfill", _cutfill(surfaces, tmp_path))
    assert stat.S_IMODE(os.stat(res["OUTPUT"]).st_mode) == 0o640


class CancelAt:
    """A feedback that cancels once the progress reaches ``at`` percent."""

    def __new__(cls, at):
        from qgis.core import QgsProcessingFeedback

        class _Feedback(QgsProcessingFeedback):
            def __init__(self):
                super().__init__()
                self.errors = []
                self.warnings = []
                self.progressChanged.connect(self._on)

            def _on(self, p):
                if p >= at:
                    self.cancel()

            def reportError(self, error, fatalError=False):  # noqa: N802
                self.errors.append(error)
                super().reportError(error, fatalError)

            def pushWarning(self, warning):  # noqa: N802
                self.warnings.append(warning)
                super().pushWarning(warning)

        return _Feedback()


def test_cancel_after_the_first_output_keeps_earlier_files(run_alg, surfaces, tmp_path):
    """Cut/fill writes its raster, then its table; cancelled after the
    computation, no earlier complete file is replaced and the log says which
    outputs exist."""
    res = run_alg("hpcs:cutfill", _cutfill(surfaces, tmp_path))
    digests = {k: _digest(res[k]) for k in ("OUTPUT", "OUTPUT_TABLE")}
    params = _cutfill(surfaces, tmp_path, SURFACE_B=surfaces["A"])   # other results
    fb = CancelAt(80)
    _refused(run_alg, "hpcs:cutfill", params, "cancelled", feedback=fb)
    for k, d in digests.items():
        assert _digest(res[k]) == d
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".hpcs_tmp_")]
    log = " ".join(fb.errors)
    assert "OUTPUT: not written; the earlier file" in log and "is unchanged" in log
    # a new destination: 'does not exist'
    fb = CancelAt(80)
    _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path,
                                               OUTPUT=str(tmp_path / "new.tif")),
             "cancelled", feedback=fb)
    assert not (tmp_path / "new.tif").exists()
    assert "new.tif does not exist" in " ".join(fb.errors)


def test_qgis_process_refuses_a_folder_output(surfaces, tmp_path):
    folder = tmp_path / "existing"
    folder.mkdir()
    code, out, err = run_qgis_process("hpcs:cutfill", _cutfill(
        surfaces, tmp_path, OUTPUT=str(folder)), tmp_path)
    assert code != 0
    assert "is an existing folder" in out + err
    assert "Traceback" not in out + err
    assert os.listdir(folder) == []


# --- 2. nodata -----------------------------------------------------------

def test_nodata_block_in_the_area_is_refused(run_alg, surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    b = z + 1.0
    b[ROWS.start + 5:ROWS.start + 8, COLS.start + 3:COLS.start + 9] = np.nan
    path = write_tif(tmp_path / "holes.tif", b, g.transform)
    _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path, SURFACE_B=path),
             "SURFACE_B has no data", "18 of the 2000 cells of EVALUATION_AREA",
             f"row {ROWS.start + 5}, column {COLS.start + 3}", "Fill nodata")
    assert not (tmp_path / "d.tif").exists()


def test_qgis_process_refuses_nodata_in_the_area(surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    b = z + 1.0
    b[ROWS.start + 1, COLS.start + 1] = np.nan
    path = write_tif(tmp_path / "hole.tif", b, g.transform)
    code, out, err = run_qgis_process("hpcs:cutfill", _cutfill(surfaces, tmp_path,
                                                               SURFACE_B=path), tmp_path)
    assert code != 0
    assert "SURFACE_B has no data (nodata or not a number) on 1 of the 2000 cells" in out + err
    assert "Traceback" not in out + err
    assert not (tmp_path / "d.tif").exists() and not (tmp_path / "t.csv").exists()


def test_undeclared_nodata_is_refused(run_alg, surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    b = z + 1.0
    b[0, 0] = 1e30
    path = write_tif(tmp_path / "huge.tif", b, g.transform, nodata=None)
    _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path, SURFACE_B=path),
             "1e+30", "a nodata value that the raster does not declare",
             "Assign a specified nodata value")


def test_classification_refuses_nodata_in_the_area(run_alg, surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    zz = z.copy()
    zz[ROWS.start + 10, COLS] = np.nan         # a nodata row across the mine
    dem = write_tif(tmp_path / "dem.tif", zz, g.transform)
    ch = run_alg("hpcs:channelextraction", {
        "INPUT": surfaces["A"], "OUTPUT_FLOWDIR": str(tmp_path / "fd.tif"),
        "OUTPUT_CHANNELS": str(tmp_path / "ch.tif"), "OUTPUT_RIDGES": str(tmp_path / "ri.tif"),
        "OUTPUT_CATCHMENTS": str(tmp_path / "cat.tif")})
    params = {"INPUT": dem, "AREA": surfaces["AREA"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
              "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
              "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT": str(tmp_path / "cls.tif")}
    _refused(run_alg, "hpcs:classifycells", params, "The DEM (INPUT) has no data",
             "50 of the 2000 cells", "reshaping area")
    assert not (tmp_path / "cls.tif").exists()
    # the classes of the complete DEM, then surfaces on the DEM with the hole
    params["INPUT"] = surfaces["A"]
    cls = run_alg("hpcs:classifycells", params)
    _refused(run_alg, "hpcs:earthworksurfaces", {
        "INPUT": dem, "CLASSES": cls["OUTPUT"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
        "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT_MAX": str(tmp_path / "max.tif"),
        "OUTPUT_MIN": str(tmp_path / "min.tif")}, "The DEM (INPUT) has no data", "50 of")
    assert not (tmp_path / "max.tif").exists()


def _strips_layer(path, grid, kinds=(("mining", 1), ("refilling", 1))):
    """Two strips across the rectangle: a 'mining' west half and a
    'refilling' east half (fields period, kind)."""
    half = (COLS.start + COLS.stop) // 2
    wkts = [_rect_wkt(grid, cols=slice(COLS.start, half)),
            _rect_wkt(grid, cols=slice(half, COLS.stop))]
    return _write_layer(path, wkts, fields=[{"period": p, "kind": k} for k, p in kinds])


def test_all_nodata_landform_is_refused_by_the_fusion_rate(run_alg, surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    land = write_tif(tmp_path / "empty.tif", np.full(z.shape, np.nan), g.transform)
    strips = _strips_layer(tmp_path / "strips.gpkg", g)
    _refused(run_alg, "hpcs:fusionrate", {
        "PRISTINE": surfaces["A"], "LANDFORM": land, "SUBAREAS": strips,
        "OUTPUT_AGREEMENT": str(tmp_path / "agr.tif")},
        "The landform (LANDFORM) has no data", "1000 of the 1000 cells of the dump")
    assert not (tmp_path / "agr.tif").exists()


# --- 3. geometry ---------------------------------------------------------

def test_line_layer_refused_where_a_polygon_is_needed(run_alg, surfaces, tmp_path):
    g = surfaces["grid"]
    x0, dx, _, y0, _, dy = g.transform
    line = _write_layer(tmp_path / "line.gpkg",
                        [f"LINESTRING({x0 + 100 * dx} {y0 + 100 * dy},"
                         f"{x0 + 150 * dx} {y0 + 140 * dy})"], ogr.wkbLineString)
    _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path, EVALUATION_AREA=line),
             "Parameter EVALUATION_AREA", "Line", "a polygon layer is needed")


def test_self_intersecting_polygon_refused(run_alg, surfaces, tmp_path):
    g = surfaces["grid"]
    x0, dx, _, y0, _, dy = g.transform
    xa, xb = x0 + 100 * dx, x0 + 150 * dx
    ya, yb = y0 + 140 * dy, y0 + 100 * dy
    bowtie = _write_layer(tmp_path / "bowtie.gpkg",
                          [f"POLYGON(({xa} {ya},{xb} {yb},{xb} {ya},{xa} {yb},{xa} {ya}))"])
    text = _refused(run_alg, "hpcs:cutfill", _cutfill(surfaces, tmp_path, EVALUATION_AREA=bowtie),
                    "Parameter EVALUATION_AREA: feature 1 is not a valid polygon", "Fix geometries")
    mid_x, mid_y = (xa + xb) / 2, (ya + yb) / 2
    assert f"({mid_x:.2f}, {mid_y:.2f})" in text          # where the ring crosses itself


def _delineation(tmp_path, **kw):
    z, g = read_raster(DEM)
    smax = tmp_path / "smax.tif"
    smin = tmp_path / "smin.tif"
    if not smax.exists():
        write_raster(smax, z + 20.0, g, "float64")
        write_raster(smin, z - 20.0, g, "float64")
    p = {"INPUT": str(DEM), "FLOOR": str(FLOOR), "THICKNESS": str(THICK),
         "SURFACE_MAX": str(smax), "SURFACE_MIN": str(smin), "MINE_AREA": str(MINE),
         "OUTPUT": str(tmp_path / "strips.gpkg"), "OUTPUT_TABLE": str(tmp_path / "t.csv")}
    p.update(kw)
    return p


def test_multi_part_mine_refused(run_alg, tmp_path):
    _, g = read_raster(DEM)
    two = _write_layer(tmp_path / "two.gpkg", [
        _rect_wkt(g, rows=slice(100, 140), cols=slice(100, 150)),
        _rect_wkt(g, rows=slice(200, 240), cols=slice(100, 150))])
    _refused(run_alg, "hpcs:subareadelineation", _delineation(tmp_path, MINE_AREA=two),
             "2 separate pieces", "once per piece")
    assert not (tmp_path / "strips.gpkg").exists()


# --- 4. limits and cancel ------------------------------------------------

@pytest.mark.parametrize("alg, kw, fragments", [
    ("hpcs:earthworksurfaces", {"SWEEPS": 1e8}, ("Parameter SWEEPS = 1e+08", "1 to 100000")),
    ("hpcs:erosioncomparison", {"YEARS": 10000}, ("Parameter YEARS = 10000", "1 to 1000")),
    ("hpcs:erosioncomparison", {"DIFFUSIVITY": 1e9},
     ("Parameter DIFFUSIVITY = 1e+09", "sub-steps", "0.001 to 0.1 m2/yr")),
    ("hpcs:subareadelineation", {"STRIP_WIDTH": 0.5},
     ("Parameter STRIP_WIDTH = 0.5 m", "narrower than one cell")),
    ("hpcs:subareadelineation", {"STRIP_WIDTH": 1e6},
     ("STRIP_WIDTH", "not shorter than the mine area")),
])
def test_limits(run_alg, surfaces, tmp_path, alg, kw, fragments):
    t0 = time.monotonic()
    if alg == "hpcs:earthworksurfaces":
        params = {"INPUT": surfaces["A"], "CLASSES": surfaces["A"], "FLOWDIR": surfaces["A"],
                  "CATCHMENTS": surfaces["A"], "OUTPUT_MAX": str(tmp_path / "max.tif")}
    elif alg == "hpcs:erosioncomparison":
        params = {"LANDFORMS": [surfaces["A"], surfaces["B"]], "EVALUATION_AREA": surfaces["AREA"],
                  "MODEL": 0, "OUTPUT_TABLE": str(tmp_path / "e.csv")}
    else:
        params = _delineation(tmp_path)
    params.update(kw)
    _refused(run_alg, alg, params, *fragments)
    assert time.monotonic() - t0 < 30
    assert not [f for f in os.listdir(tmp_path) if f.endswith((".tif", ".csv", ".gpkg"))
                and not f.startswith("s")]


def _cancel_after(seconds):
    from qgis.core import QgsProcessingFeedback
    fb = QgsProcessingFeedback()
    state = {}

    def fire():
        state["at"] = time.monotonic()
        fb.cancel()
    timer = threading.Timer(seconds, fire)
    return fb, timer, state


@pytest.fixture(scope="module")
def chain(provider, tmp_path_factory, surfaces):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback
    tmp = tmp_path_factory.mktemp("chain")

    def run(alg, params):
        return processing.run(alg, params, context=QgsProcessingContext(),
                              feedback=QgsProcessingFeedback())
    ch = run("hpcs:channelextraction", {
        "INPUT": surfaces["A"], "OUTPUT_FLOWDIR": str(tmp / "fd.tif"),
        "OUTPUT_CHANNELS": str(tmp / "ch.tif"), "OUTPUT_RIDGES": str(tmp / "ri.tif"),
        "OUTPUT_CATCHMENTS": str(tmp / "cat.tif")})
    cls = run("hpcs:classifycells", {
        "INPUT": surfaces["A"], "AREA": surfaces["AREA"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
        "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
        "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT": str(tmp / "cls.tif")})
    return {"ch": ch, "cls": cls}


@pytest.mark.parametrize("alg", ["surfaces", "lem", "diffusion"])
def test_cancel_within_one_second(run_alg, surfaces, chain, tmp_path, alg):
    """Start a run that takes far longer than 1 s, cancel it after 1 s, and
    measure how long the run takes to return after the cancel."""
    if alg == "surfaces":
        alg_id = "hpcs:earthworksurfaces"
        params = {"INPUT": surfaces["A"], "CLASSES": chain["cls"]["OUTPUT"],
                  "FLOWDIR": chain["ch"]["OUTPUT_FLOWDIR"],
                  "CATCHMENTS": chain["ch"]["OUTPUT_CATCHMENTS"],
                  "INTERPOLATION": 0, "SWEEPS": 100000,    # the paper's sweeps, very many
                  "OUTPUT_MAX": str(tmp_path / "max.tif"),
                  "OUTPUT_MIN": str(tmp_path / "min.tif")}
    elif alg == "lem":
        # 1000 yearly steps of the landscape evolution model (the time loop)
        alg_id = "hpcs:erosioncomparison"
        params = {"LANDFORMS": [surfaces["A"]], "EVALUATION_AREA": surfaces["AREA"], "MODEL": 0,
                  "YEARS": 1000, "TIME_STEP": 1, "OUTPUT_TABLE": str(tmp_path / "e.csv")}
    else:
        # one 1000-year step whose diffusion needs 1000 x 19000 / (0.15 x 80^2) =
        # 19,792 explicit sub-steps (just under the limit of 20,000)
        alg_id = "hpcs:erosioncomparison"
        params = {"LANDFORMS": [surfaces["A"]], "EVALUATION_AREA": surfaces["AREA"], "MODEL": 0,
                  "YEARS": 1000, "TIME_STEP": 1000, "DIFFUSIVITY": 19000,
                  "OUTPUT_TABLE": str(tmp_path / "e.csv")}
    fb, timer, state = _cancel_after(1.0)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(_exc()) as err:
        run_alg(alg_id, params, fb)
    end = time.monotonic()
    timer.cancel()
    assert "cancelled" in str(err.value)
    assert "at" in state, f"the run ended after {end - t0:.1f} s, before the cancel"
    print(f"{alg_id} ({alg}): cancelled after {state['at'] - t0:.2f} s, returned "
          f"{end - state['at']:.3f} s later")
    assert end - state["at"] < 1.0, f"cancel took {end - state['at']:.2f} s"
    assert not [f for f in os.listdir(tmp_path) if not f.startswith(".")]
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".hpcs_tmp_")]


# --- 5. values, CRS, real causes ------------------------------------------

def test_flowdir_holding_a_dem_is_refused(run_alg, surfaces, chain, tmp_path):
    ch = chain["ch"]
    params = {"INPUT": surfaces["A"], "AREA": surfaces["AREA"], "FLOWDIR": surfaces["A"],
              "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
              "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT": str(tmp_path / "cls.tif")}
    _refused(run_alg, "hpcs:classifycells", params, "not ESRI D8 codes", "OUTPUT_FLOWDIR")
    params.update(FLOWDIR=ch["OUTPUT_FLOWDIR"], CHANNELS=surfaces["A"])
    _refused(run_alg, "hpcs:classifycells", params, "must be a 0/1 mask")
    assert not (tmp_path / "cls.tif").exists()


def test_missing_crs_is_said_in_the_log(run_alg, surfaces, tmp_path):
    z, g = surfaces["z"], surfaces["grid"]
    b = write_tif(tmp_path / "nocrs.tif", z + 1.0, g.transform, epsg=None)
    fb = CancelAt(1000)            # never cancels; records warnings
    res = run_alg("hpcs:cutfill", _cutfill(surfaces, tmp_path, SURFACE_B=b), fb)
    assert res["FILL"] == pytest.approx(2000 * g.cell_area)
    assert any("SURFACE_B" in w and "has no CRS" in w for w in fb.warnings), fb.warnings


def test_threshold_above_the_largest_accumulation(run_alg, surfaces, tmp_path):
    _refused(run_alg, "hpcs:channelextraction", {
        "INPUT": surfaces["A"], "THRESHOLD_METHOD": 2, "CHANNEL_THRESHOLD": 1e9,
        "RIDGE_THRESHOLD": 10, "OUTPUT_CHANNELS": str(tmp_path / "ch.tif")},
        "The threshold 1e+09 cells (CHANNEL_THRESHOLD) is above the largest accumulation")
    assert not (tmp_path / "ch.tif").exists()


def test_floor_above_the_dem_refused_by_the_landform_builders(run_alg, tmp_path):
    """The delineation refuses a floor above the DEM; so must both landform
    builders, with the same message (not "use narrower berms", not a 45 deg
    landform)."""
    z, g = read_raster(DEM)
    strips = run_alg("hpcs:subareadelineation", _delineation(tmp_path))["OUTPUT"]
    high = write_tif(tmp_path / "high_floor.tif", z + 5.0, g.transform)
    message = ("The seam floor (FLOOR) is above the pre-mining surface (INPUT) by up to "
               "5.00 m", "not a depth")
    _refused(run_alg, "hpcs:subareadelineation", _delineation(tmp_path, FLOOR=high,
                                                              OUTPUT=str(tmp_path / "x.gpkg")),
             *message)
    for alg, extra in (("hpcs:traditionallandform", {}),
                       ("hpcs:nearnaturallandform", {"SURFACE_MAX": str(tmp_path / "smax.tif"),
                                                     "SURFACE_MIN": str(tmp_path / "smin.tif"),
                                                     "SLOPE_MITIGATION": False})):
        params = {"INPUT": str(DEM), "FLOOR": high, "SUBAREAS": strips,
                  "OUTPUT": str(tmp_path / "lf.tif")}
        params.update(extra)
        _refused(run_alg, alg, params, *message)
        assert not (tmp_path / "lf.tif").exists()


def test_cancelled_delineation_keeps_the_earlier_layer(run_alg, tmp_path):
    """The strips layer (a QGIS feature sink) is staged like the files: a run
    cancelled after writing it leaves the earlier GeoPackage as it was."""
    res = run_alg("hpcs:subareadelineation", _delineation(tmp_path))
    digests = {k: _digest(res[k]) for k in ("OUTPUT", "OUTPUT_TABLE")}
    fb = CancelAt(92)                  # after the layer and before the table
    _refused(run_alg, "hpcs:subareadelineation", _delineation(tmp_path, STRIP_WIDTH=120),
             "cancelled", feedback=fb)
    for k, d in digests.items():
        assert _digest(res[k]) == d
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".hpcs_tmp_")]
    assert "OUTPUT: not written; the earlier file" in " ".join(fb.errors)
    ds = ogr.Open(res["OUTPUT"])
    assert ds.GetLayer(0).GetName() == "strips"
    ds = None


def test_pipeline_model_refuses_bad_outputs_before_its_first_step(tmp_path):
    """The shipped model checks all its outputs up front (provider.ShippedModel):
    a report under /proc and a landform on the input DEM's path are refused at
    once, before any step writes a file."""
    import time
    sample = Path(__file__).resolve().parents[1] / "data" / "sample"
    out = tmp_path / "out"
    out.mkdir()
    base = {"DEM": sample / "jacksboro_fault_dem_utm16n_80m.tif",
            "FLOOR": sample / "seam_floor.tif", "THICKNESS": sample / "coal_thickness.tif",
            "MINE_AREA": sample / "mine_area.geojson", "DIRECTION": 270, "STRIP_WIDTH": 240,
            "SUBAREAS:SUBAREAS": out / "subareas.gpkg", "NNDL:NNDL": out / "NNDL.tif"}
    for bad, fragment in ((dict(base, **{"REPORT:REPORT": "/proc/report.html"}),
                           "system folder"),
                          (dict(base, **{"TDL:TDL": base["DEM"]}), "would destroy the input")):
        t0 = time.time()
        code, stdout, err = run_qgis_process("hpcs:hpcs_pipeline", bad, tmp_path)
        assert code != 0
        assert fragment in stdout + err, (stdout + err)[-2000:]
        assert "Traceback" not in stdout + err
        assert time.time() - t0 < 60
        assert os.listdir(out) == []


# --- 1b. the shipped models are all or nothing ---------------------------------

#: the planner model's file outputs of the tests below (name -> file name)
MODEL_FILES = {"NNDL:NNDL": "nndl.tif", "MNNDL:MNNDL": "mnndl.tif", "TDL:TDL": "tdl.tif",
               "SUBAREAS:SUBAREAS": "subareas.shp", "REPORT:REPORT": "report.html",
               "REPORT:TABLE": "report.csv"}
#: the files a shapefile output is made of
SHP_PARTS = (".shp", ".shx", ".dbf", ".prj")


def _model_params(out):
    p = {"DEM": str(DEM), "FLOOR": str(FLOOR), "THICKNESS": str(THICK), "MINE_AREA": str(MINE)}
    p.update({k: str(out / v) for k, v in MODEL_FILES.items()})
    return p


def _earlier_files(out):
    """Complete earlier outputs in ``out`` (modes 0640 and 0600) and their
    (digest, mode)."""
    out.mkdir(exist_ok=True)
    (out / "mnndl.tif").write_bytes(b"earlier landform")
    os.chmod(out / "mnndl.tif", 0o640)
    (out / "report.csv").write_text("earlier,table\n")
    os.chmod(out / "report.csv", 0o600)
    for ext in SHP_PARTS:
        (out / ("subareas" + ext)).write_bytes(b"earlier " + ext.encode())
    return _snapshot(out)


def _snapshot(out):
    return {f: (_digest(out / f), stat.S_IMODE(os.stat(out / f).st_mode))
            for f in os.listdir(out) if (out / f).is_file()}


def _assert_untouched(out, before, text):
    assert _snapshot(out) == before                 # byte-identical, same modes, no new file
    assert not [f for f in os.listdir(out) if f.startswith(".hpcs_tmp_")]
    for name, file in MODEL_FILES.items():          # the message lists every output
        path = str(out / file)
        if os.path.exists(path):
            assert f"{name}: not written; the earlier file {path} is unchanged" in text, text
        else:
            assert f"{name}: not written ({path} does not exist)" in text, text


def test_model_failing_after_its_steps_writes_nothing(tmp_path):
    """qgis_process.bin: every step of the planner's model runs, but one output
    cannot be moved into place (a folder stands where a part of the shapefile
    goes, which no check before the run looks at): no earlier file changes, no
    new file appears, no staged temporary is left, and the message lists
    every output."""
    out = tmp_path / "out"
    before = _earlier_files(out)
    (out / "subareas.cpg").mkdir()                  # the part QGIS writes last
    code, stdout, err = run_qgis_process("hpcs:hpcs_pipeline", _model_params(out), tmp_path)
    text = stdout + err
    assert code != 0, text[-3000:]
    assert "Cannot replace" in text and "subareas.cpg" in text, text[-3000:]
    assert "Traceback" not in text
    assert "Comparison report" in text or "Report:" in text     # the last step ran
    assert os.path.isdir(out / "subareas.cpg")
    _assert_untouched(out, before, text)


def test_model_cancelled_at_a_late_step_writes_nothing(run_alg, tmp_path):
    """processing.run: the planner's model cancelled once 80 % is done (the
    landforms and the sub-areas are written by then) leaves the earlier files
    as they were and says which outputs exist (not 'no output was written')."""
    out = tmp_path / "out"
    before = _earlier_files(out)
    fb = CancelAt(80)
    text = _refused(run_alg, "hpcs:hpcs_pipeline", _model_params(out), feedback=fb)
    log = " ".join(fb.errors)
    assert "Cancelled: outputs of the model:" in log, log[-3000:]
    _assert_untouched(out, before, text + log)


def test_model_success_writes_every_output_with_the_umask(tmp_path):
    """qgis_process.bin under umask 027: a successful run of the planner's
    model puts every output (the shapefile with all its parts, the styles) on
    its final path, new files with mode 0640 (the umask's), replaced ones with
    the earlier file's mode (0600, 0640, 0644), and leaves no staged
    temporary."""
    out = tmp_path / "out"
    before = _earlier_files(out)
    old = os.umask(0o027)
    try:
        code, stdout, err = run_qgis_process("hpcs:hpcs_pipeline", _model_params(out), tmp_path)
    finally:
        os.umask(old)
    assert code == 0, (stdout + err)[-3000:]
    from qgis_process_util import parse_results
    res = parse_results(stdout)
    for name, file in MODEL_FILES.items():
        assert res[name] == str(out / file)
    assert not [f for f in os.listdir(out) if f.startswith(".hpcs_tmp_")]
    assert (out / "mnndl.tif").read_bytes()[:4] in (b"II*\x00", b"MM\x00*")
    after = _snapshot(out)
    for f, (digest, mode) in after.items():
        if f in before:         # replaced: new content, the earlier file's mode
            assert digest != before[f][0] and mode == before[f][1], f
        else:                   # new: the umask's mode
            assert mode == 0o640, (f, oct(mode))
    assert {f for f in after if f not in before} >= {"nndl.tif", "tdl.tif", "report.html",
                                                      "subareas.cpg", "subareas.qml"}
    for ext in SHP_PARTS + (".cpg", ".qml"):
        assert (out / ("subareas" + ext)).exists(), ext
    ds = ogr.Open(str(out / "subareas.shp"))
    assert ds.GetLayer(0).GetName() == "subareas" and ds.GetLayer(0).GetFeatureCount() > 0
    ds = None
    assert "hpcs_tmp" not in (out / "report.html").read_text(encoding="utf-8")


def test_shapefile_output_staged_with_all_its_parts(run_alg, tmp_path):
    """A shapefile sink (several files) is staged like the other outputs: a
    cancelled run leaves every part of the earlier shapefile byte-identical;
    a successful one replaces them all together."""
    shp = tmp_path / "strips.shp"
    res = run_alg("hpcs:subareadelineation", _delineation(tmp_path, OUTPUT=str(shp)))
    assert res["OUTPUT"] == str(shp)
    parts = {ext: _digest(tmp_path / ("strips" + ext)) for ext in SHP_PARTS}
    fb = CancelAt(92)                  # after the layer and before the table
    _refused(run_alg, "hpcs:subareadelineation",
             _delineation(tmp_path, OUTPUT=str(shp), STRIP_WIDTH=120), "cancelled", feedback=fb)
    assert {ext: _digest(tmp_path / ("strips" + ext)) for ext in SHP_PARTS} == parts
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".hpcs_tmp_")]
    assert "OUTPUT: not written; the earlier file" in " ".join(fb.errors)
    run_alg("hpcs:subareadelineation", _delineation(tmp_path, OUTPUT=str(shp), STRIP_WIDTH=120))
    changed = {ext: _digest(tmp_path / ("strips" + ext)) for ext in SHP_PARTS}
    assert changed[".shp"] != parts[".shp"] and changed[".dbf"] != parts[".dbf"]
    ds = ogr.Open(str(shp))
    assert ds.GetLayer(0).GetName() == "strips"
    ds = None


@pytest.mark.parametrize("dest", [
    "ogr:dbname='{tmp}/db.gpkg' table=\"strips\" (geom)",
    "postgres://user@localhost/mine",
    "{tmp}/db.gpkg|layername=strips",
])
def test_database_destinations_refused(run_alg, tmp_path, dest):
    dest = dest.format(tmp=tmp_path)
    _refused(run_alg, "hpcs:subareadelineation", _delineation(tmp_path, OUTPUT=dest),
             "Output OUTPUT", "database table or a layer inside an existing file",
             ".gpkg, .shp, .geojson or .fgb")
    assert not [f for f in os.listdir(tmp_path) if f.startswith(("db", ".hpcs_tmp_"))]


# --- messages --------------------------------------------------------------

def test_core_messages_are_translatable_with_the_same_english(provider):  # noqa: ARG001
    """The core's keyed InputErrors (core.grid.MESSAGES) have their templates,
    word for word, in the algorithms' translatable catalogue, and the message
    the user gets (untranslated locale) is the core's English text."""
    from hpcs_landform.algorithms import validation
    from hpcs_landform.core import grid as core_grid
    from hpcs_landform.core.errors import InputError
    assert validation.CORE_MESSAGES == core_grid.MESSAGES
    z = np.full((3, 3), np.nan)
    mask = np.ones((3, 3), bool)
    with pytest.raises(InputError) as err:
        core_grid.require_data("the DEM", z, mask)
    assert err.value.key == "grid.nodata"
    assert validation.message(err.value) == str(err.value)
    assert str(err.value).startswith("the DEM has no data (nodata or not a number) on 9 of the "
                                     "9 cells of the area (first at row 0, column 0).")
    plain = InputError("not keyed")
    assert validation.message(plain) == "not keyed"


# --- one grid (folded from the algorithm test modules) ----------------------------

@pytest.fixture(scope="module")
def plan(provider, tmp_path_factory):  # noqa: ARG001
    """The sample DEM's strips (the delineation on DEM +/- 20 m surfaces) and a
    raster on another grid: the DEM less its last 3 columns, and the DEM
    shifted 5 m east."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback
    tmp = tmp_path_factory.mktemp("grids")
    params = _delineation(tmp)
    strips = processing.run("hpcs:subareadelineation", params, context=QgsProcessingContext(),
                            feedback=QgsProcessingFeedback())["OUTPUT"]
    z, g = read_raster(DEM)
    small = write_tif(tmp / "small.tif", z[:, :-3], g.transform)
    x0, dx, rx, y0, ry, dy = g.transform
    shifted = write_tif(tmp / "shifted.tif", z, (x0 + 5.0, dx, rx, y0, ry, dy))
    return {"strips": strips, "small": small, "shifted": shifted, "tmp": tmp, **params}


#: every algorithm that reads two rasters refuses a second one on another grid,
#: naming the real cause (was: one test per algorithm module)
GRID_CASES = {
    "erosioncomparison": lambda p, o: {"LANDFORMS": [str(DEM), p["shifted"]], "EVALUATION_AREA": str(MINE),
                                       "MODEL": 1, "OUTPUT_TABLE": str(o / "t.csv")},
    "nearnaturallandform": lambda p, o: {"INPUT": str(DEM), "SURFACE_MAX": p["small"],
                                         "SURFACE_MIN": p["SURFACE_MIN"], "FLOOR": str(FLOOR),
                                         "SUBAREAS": p["strips"], "SLOPE_MITIGATION": False,
                                         "OUTPUT": str(o / "x.tif")},
    "cutfill": lambda p, o: {"SURFACE_A": str(DEM), "SURFACE_B": p["small"],
                             "OUTPUT": str(o / "d.tif")},
    "traditionallandform": lambda p, o: {"INPUT": str(DEM), "FLOOR": p["small"],
                                         "SUBAREAS": p["strips"], "OUTPUT": str(o / "t.tif")},
    "fusionrate": lambda p, o: {"PRISTINE": str(DEM), "LANDFORM": p["small"],
                                "SUBAREAS": p["strips"]},
}


@pytest.mark.parametrize("alg", sorted(GRID_CASES))
def test_second_raster_on_another_grid_is_refused(run_alg, plan, tmp_path, alg):
    _refused(run_alg, f"hpcs:{alg}", GRID_CASES[alg](plan, tmp_path), "not on the same grid")
    assert not [f for f in os.listdir(tmp_path) if not f.startswith("qgis")]


def test_model_outputs_open_from_their_final_paths(run_alg, tmp_path):
    """As from the dialog (outputs that open in the project): the layers the
    run queues for loading are the final files, not the staged ones, each
    with the run's layer placer (provider.RunLayerPlacer)."""
    import processing
    from qgis.core import (
        QgsProcessingContext,
        QgsProcessingFeedback,
        QgsProcessingOutputLayerDefinition,
        QgsProject,
    )

    from hpcs_landform.provider import RunLayerPlacer
    out = tmp_path / "out"
    out.mkdir()
    params = _model_params(out)
    for name in ("MNNDL:MNNDL", "SUBAREAS:SUBAREAS"):
        params[name] = QgsProcessingOutputLayerDefinition(params[name], QgsProject.instance())
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    res = processing.run("hpcs:hpcs_pipeline", params, context=context,
                         feedback=QgsProcessingFeedback())
    layers = context.layersToLoadOnCompletion()
    assert str(out / "mnndl.tif") in layers and str(out / "subareas.shp") in layers, list(layers)
    assert not [k for k in layers if "hpcs_tmp" in k]

    # load them as QGIS does at the end of a dialog run: each post-processor (the
    # placer, then the step's own style) runs on the layer of the final file
    from qgis.core import QgsRasterLayer, QgsRuleBasedRenderer, QgsVectorLayer
    project = QgsProject.instance()
    shown = {}
    for key, cls in ((str(out / "mnndl.tif"), QgsRasterLayer),
                     (str(out / "subareas.shp"), QgsVectorLayer)):
        placer = context.layerToLoadOnCompletionDetails(key).postProcessor()
        assert isinstance(placer, RunLayerPlacer), key
        layer = cls(key, "x") if cls is QgsRasterLayer else cls(key, "x", "ogr")
        assert layer.isValid(), key
        project.addMapLayer(layer)
        placer.postProcessLayer(layer, context, QgsProcessingFeedback())
        shown[key] = layer
    group = project.layerTreeRoot().findGroup(placer.group)
    assert group is not None
    assert [n.name() for n in group.findLayers()] == [
        "Sub-areas, original and optimized plans",
        "MNNDL: near-natural landform, optimized plan"]
    assert isinstance(shown[str(out / "subareas.shp")].renderer(), QgsRuleBasedRenderer)
    project.removeMapLayers([lyr.id() for lyr in shown.values()])
    project.layerTreeRoot().removeChildNode(group)
    assert res["MNNDL:MNNDL"] == str(out / "mnndl.tif")
    assert res["SUBAREAS:SUBAREAS"] == str(out / "subareas.shp")
    assert not [f for f in os.listdir(out) if f.startswith(".hpcs_tmp_")]


def test_model_stage_that_cannot_be_prepared_leaves_no_folder(provider, tmp_path):
    """A model whose outputs cannot be staged (here a file stands where the second
    output's folder goes) refuses before any step and removes the folders it made
    for the first output."""
    from qgis.core import QgsProcessingException

    from hpcs_landform.provider import ModelStage
    (tmp_path / "file").write_text("not a folder")
    with pytest.raises(QgsProcessingException, match="Cannot prepare the outputs"):
        ModelStage({"A": str(tmp_path / "new" / "deep" / "a.tif"),
                    "B": str(tmp_path / "file" / "b.tif")})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
