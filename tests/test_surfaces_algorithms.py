"""hpcs:classifycells and hpcs:earthworksurfaces through processing.run,
qgis_process.bin and a .model3 chain (channel extraction -> classification ->
surfaces) on the jacksboro sample with a rectangular mine area."""
from pathlib import Path

import numpy as np
import pytest
from osgeo import gdal, ogr, osr
from qgis_process_util import parse_results, run_qgis_process

from hpcs_landform.core.grid import read_raster

HERE = Path(__file__).resolve().parent
MODEL = HERE / "models" / "hpcs_surfaces_chain.model3"
DEM_NAME = "jacksboro_fault_dem_utm16n_80m.tif"
#: the mine rectangle: rows 344-383 (the DEM's south edge) x cols 270-319
ROWS, COLS = slice(344, 384), slice(270, 320)
CODES = {"OTHER": 0, "FIXED": 1, "CONFLUENCE": 1.5, "SEMI_FIXED": 2, "WATERSHED": 3,
         "FLOATING": 4, "BOUNDARY": 5}


def write_polygon(path, x0, y0, x1, y1, epsg=32616):
    """A one-rectangle polygon layer (GeoPackage) in the given CRS."""
    srs = osr.SpatialReference()
    srs.ImportFromEPSG(epsg)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("area", srs, ogr.wkbPolygon)
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)):
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    feat = ogr.Feature(layer.GetLayerDefn())
    feat.SetGeometry(poly)
    layer.CreateFeature(feat)
    ds = None
    return str(path)


def mine_polygon(path, grid):
    """The rectangle ROWS x COLS, edges 10 m inside the cell edges (so the cell
    centres decide unambiguously); it runs 200 m past the DEM's south edge."""
    x0, dx, _, y0, _, dy = grid.transform
    return write_polygon(path, x0 + COLS.start * dx + 10, y0 + ROWS.stop * dy - 200,
                         x0 + COLS.stop * dx - 10, y0 + ROWS.start * dy - 10)


@pytest.fixture(scope="module")
def chain(provider, tmp_path_factory, data_dir):
    """Channel extraction, classification and surfaces of the mine area."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback

    def run(alg, params):
        return processing.run(alg, params, context=QgsProcessingContext(),
                              feedback=QgsProcessingFeedback())

    tmp = tmp_path_factory.mktemp("surfaces")
    dem = str(data_dir / DEM_NAME)
    z, grid = read_raster(dem)
    ch = run("hpcs:channelextraction", {
        "INPUT": dem, "OUTPUT_FLOWDIR": str(tmp / "fd.tif"),
        "OUTPUT_CHANNELS": str(tmp / "ch.tif"), "OUTPUT_RIDGES": str(tmp / "ri.tif"),
        "OUTPUT_CATCHMENTS": str(tmp / "cat.tif")})
    area = mine_polygon(tmp / "mine.gpkg", grid)
    cls = run("hpcs:classifycells", {
        "INPUT": dem, "AREA": area, "FLOWDIR": ch["OUTPUT_FLOWDIR"],
        "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
        "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT": str(tmp / "classes.tif")})
    surf = run("hpcs:earthworksurfaces", {
        "INPUT": dem, "CLASSES": cls["OUTPUT"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
        "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT_MAX": str(tmp / "max.tif"),
        "OUTPUT_MIN": str(tmp / "min.tif")})
    return {"tmp": tmp, "dem": dem, "z": z, "grid": grid, "ch": ch, "cls": cls,
            "surf": surf, "area": area}


def area_mask(shape):
    m = np.zeros(shape, dtype=bool)
    m[ROWS, COLS] = True
    return m


def test_classes_output(chain):
    classes, g = read_raster(chain["cls"]["OUTPUT"])
    assert g.same_as(chain["grid"]) and g.source_dtype == "Float32"
    inside = area_mask(classes.shape)
    assert np.all(classes[~inside] == 5)
    assert not np.any(classes[inside] == 5)
    for key, code in CODES.items():
        count = chain["cls"]["COUNT_" + key]
        assert count == np.count_nonzero(classes == code), key
        assert count > 0, key
    assert chain["cls"]["COUNT_BOUNDARY"] == 384 * 363 - 40 * 50
    # fixed cells are channel cells (the channel mask of the extraction)
    ch, _ = read_raster(chain["ch"]["OUTPUT_CHANNELS"])
    assert np.all(ch[np.isin(classes, (1, 1.5, 2, 4))] == 1)
    qml = Path(chain["cls"]["OUTPUT"]).with_suffix(".qml").read_text()
    for name in ("fixed channel", "confluence", "semi-fixed channel", "watershed",
                 "floating channel", "boundary", 'value="1.5"'):
        assert name in qml


def test_surfaces_output(chain):
    z = chain["z"]
    dmax, g = read_raster(chain["surf"]["OUTPUT_MAX"])
    dmin, _ = read_raster(chain["surf"]["OUTPUT_MIN"])
    classes, _ = read_raster(chain["cls"]["OUTPUT"])
    assert g.same_as(chain["grid"])
    assert np.all(dmax >= dmin)
    keep = np.isin(classes, (1, 1.5, 5))
    assert np.array_equal(dmax[keep], z[keep]) and np.array_equal(dmin[keep], z[keep])
    res = chain["surf"]
    assert res["A_MAX_USED"] == 25
    # eq. 5 converged by default (0 sweeps used); the paper's n still reported
    assert res["SWEEPS_USED"] == 0 and res["SWEEPS_RULE"] >= 2
    assert 0 <= res["SEMI_A_MIN_USED"] <= res["SEMI_A_MAX_USED"] <= 25
    assert 0 < res["A_MIN_USED"] <= res["A_MIN_USED_HIGHEST"] <= 25
    # the reshaped area differs from the DEM (the surfaces are not a copy)
    inside = area_mask(z.shape) & (classes == 0)
    assert np.abs(dmax[inside] - z[inside]).max() > 1.0
    assert Path(res["OUTPUT_MAX"]).with_suffix(".qml").exists()
    # design quality, measured again on the rasters as written (float32)
    from hpcs_landform.core.quality import design_quality
    area = area_mask(z.shape)
    for suffix, surf in (("PNL", z), ("MAX", dmax), ("MIN", dmin)):
        q = design_quality(surf, area, g.dx, g.dy, angle=res["A_MAX_USED"])
        assert res[f"SPIKES_{suffix}"] == q.spikes
        assert res[f"HORN_SLOPE_{suffix}"] == pytest.approx(q.horn_slope, abs=1e-4)
        assert res[f"STEP_SLOPE_{suffix}"] == pytest.approx(q.step_slope, abs=1e-4)
    assert res["SPIKES_MAX"] <= res["SPIKES_PNL"] and res["SPIKES_MIN"] <= res["SPIKES_PNL"]
    assert res["LIMITED_MAX"] > 0 and res["LIMITED_MIN"] >= 0


def test_angle_overrides_and_converged(chain, run_alg):
    tmp = chain["tmp"]
    res = run_alg("hpcs:earthworksurfaces", {
        "INPUT": chain["dem"], "CLASSES": chain["cls"]["OUTPUT"],
        "FLOWDIR": chain["ch"]["OUTPUT_FLOWDIR"], "CATCHMENTS": chain["ch"]["OUTPUT_CATCHMENTS"],
        "A_MAX": 20, "A_MIN": 7, "SEMI_A_MAX": 12, "SEMI_A_MIN": 3, "INTERPOLATION": 1,
        "OUTPUT_MAX": str(tmp / "max_c.tif"), "OUTPUT_MIN": str(tmp / "min_c.tif")})
    assert res["A_MAX_USED"] == 20 and res["A_MIN_USED"] == 7 and res["A_MIN_USED_HIGHEST"] == 7
    assert res["SEMI_A_MAX_USED"] == 12 and res["SEMI_A_MIN_USED"] == 3
    assert res["SWEEPS_USED"] == 0 and res["SWEEPS_RULE"] >= 2
    dmax, _ = read_raster(res["OUTPUT_MAX"])
    dmin, _ = read_raster(res["OUTPUT_MIN"])
    assert np.all(dmax >= dmin)
    res = run_alg("hpcs:earthworksurfaces", {
        "INPUT": chain["dem"], "CLASSES": chain["cls"]["OUTPUT"],
        "FLOWDIR": chain["ch"]["OUTPUT_FLOWDIR"], "CATCHMENTS": chain["ch"]["OUTPUT_CATCHMENTS"],
        "INTERPOLATION": 0, "SWEEPS": 3, "OUTPUT_MAX": str(tmp / "max_3.tif")})
    assert res["SWEEPS_USED"] == 3


def test_paper_equations_alone(chain, run_alg):
    """LIMIT_SLOPES off and PERCENTILE 0: the paper's equations with the single
    extreme angles; the semi-fixed angles then span the robust ones."""
    tmp = chain["tmp"]
    res = run_alg("hpcs:earthworksurfaces", {
        "INPUT": chain["dem"], "CLASSES": chain["cls"]["OUTPUT"],
        "FLOWDIR": chain["ch"]["OUTPUT_FLOWDIR"], "CATCHMENTS": chain["ch"]["OUTPUT_CATCHMENTS"],
        "LIMIT_SLOPES": False, "PERCENTILE": 0, "OUTPUT_MAX": str(tmp / "max_p.tif"),
        "OUTPUT_MIN": str(tmp / "min_p.tif")})
    robust = chain["surf"]
    assert res["LIMITED_MAX"] == 0 and res["LIMITED_MIN"] == 0
    assert res["SEMI_A_MIN_USED"] < robust["SEMI_A_MIN_USED"]
    assert res["SEMI_A_MAX_USED"] >= robust["SEMI_A_MAX_USED"]
    assert res["SPIKES_MAX"] > robust["SPIKES_MAX"]
    dmax, _ = read_raster(res["OUTPUT_MAX"])
    dmin, _ = read_raster(res["OUTPUT_MIN"])
    assert np.all(dmax >= dmin)


def test_area_raster_gives_the_same_classes(chain, run_alg):
    tmp = chain["tmp"]
    g = chain["grid"]
    mask = area_mask(g.shape).astype(np.uint8)
    ds = gdal.GetDriverByName("GTiff").Create(str(tmp / "mask.tif"), g.shape[1], g.shape[0], 1,
                                              gdal.GDT_Byte)
    ds.SetGeoTransform(g.transform)
    ds.SetProjection(g.crs_wkt)
    ds.GetRasterBand(1).WriteArray(mask)
    ds = None
    ch = chain["ch"]
    res = run_alg("hpcs:classifycells", {
        "INPUT": chain["dem"], "AREA_RASTER": str(tmp / "mask.tif"),
        "FLOWDIR": ch["OUTPUT_FLOWDIR"], "CHANNELS": ch["OUTPUT_CHANNELS"],
        "RIDGES": ch["OUTPUT_RIDGES"], "OUTPUT": str(tmp / "classes_r.tif")})
    a, _ = read_raster(res["OUTPUT"])
    b, _ = read_raster(chain["cls"]["OUTPUT"])
    assert np.array_equal(a, b)


@pytest.mark.parametrize("case, message", [
    ("grid", "not on the same grid"),
    ("misses", "do not cover the centre of any cell"),
    ("both", "not both"),
    ("none", "No reshaping area"),
    ("surf_grid", "not on the same grid"),
])
def test_bad_inputs(chain, run_alg, data_dir, case, message):
    from qgis.core import QgsProcessingException
    tmp = chain["tmp"]
    ch = chain["ch"]
    params = {"INPUT": chain["dem"], "AREA": chain["area"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
              "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
              "OUTPUT": str(tmp / f"bad_{case}.tif")}
    alg = "hpcs:classifycells"
    if case == "grid":
        params["CHANNELS"] = str(data_dir / "r_stars_olinda_dem_utm25s.tif")
    elif case == "misses":
        params["AREA"] = write_polygon(tmp / "far.gpkg", 100000, 100000, 101000, 101000)
    elif case == "both":
        params["AREA_RASTER"] = chain["cls"]["OUTPUT"]
    elif case == "none":
        del params["AREA"]
    else:
        alg = "hpcs:earthworksurfaces"
        params = {"INPUT": str(data_dir / "r_stars_olinda_dem_utm25s.tif"),
                  "CLASSES": chain["cls"]["OUTPUT"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
                  "CATCHMENTS": ch["OUTPUT_CATCHMENTS"], "OUTPUT_MAX": str(tmp / "bad.tif")}
    with pytest.raises(QgsProcessingException) as err:
        run_alg(alg, params)
    assert message in str(err.value)
    assert not (tmp / f"bad_{case}.tif").exists()


def test_qgis_process(chain, tmp_path):
    ch = chain["ch"]
    code, out, err = run_qgis_process("hpcs:classifycells", {
        "INPUT": chain["dem"], "AREA": chain["area"], "FLOWDIR": ch["OUTPUT_FLOWDIR"],
        "CHANNELS": ch["OUTPUT_CHANNELS"], "RIDGES": ch["OUTPUT_RIDGES"],
        "OUTPUT": tmp_path / "classes.tif"}, tmp_path)
    assert code == 0, out + err
    res = parse_results(out)
    a, _ = read_raster(tmp_path / "classes.tif")
    assert float(res["COUNT_FLOATING"]) == np.count_nonzero(a == 4) > 0
    code, out, err = run_qgis_process("hpcs:earthworksurfaces", {
        "INPUT": chain["dem"], "CLASSES": tmp_path / "classes.tif",
        "FLOWDIR": ch["OUTPUT_FLOWDIR"], "CATCHMENTS": ch["OUTPUT_CATCHMENTS"],
        "INTERPOLATION": 1, "A_MIN": 6,
        "OUTPUT_MAX": tmp_path / "max.tif", "OUTPUT_MIN": tmp_path / "min.tif"}, tmp_path)
    assert code == 0, out + err
    res = parse_results(out)
    assert float(res["A_MIN_USED"]) == 6 and float(res["SWEEPS_USED"]) == 0
    dmax, _ = read_raster(tmp_path / "max.tif")
    dmin, _ = read_raster(tmp_path / "min.tif")
    assert np.all(dmax >= dmin)


def test_model_chain(chain, provider, tmp_path):
    """The .model3 chain: DEM + area -> channels -> classes -> surfaces."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProcessingModelAlgorithm
    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(str(MODEL))
    names = {p.name() for p in model.parameterDefinitions()}
    assert {"dem", "area"} <= names, names
    outs = {o.name() for o in model.outputDefinitions()}
    res = processing.run(model, {
        "dem": chain["dem"], "area": chain["area"],
        "surfaces:dem_max": str(tmp_path / "max.tif"),
        "surfaces:dem_min": str(tmp_path / "min.tif"),
        "classify:classes": str(tmp_path / "classes.tif")},
        context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
    assert {"surfaces:dem_max", "surfaces:dem_min", "classify:classes"} <= outs
    a, _ = read_raster(tmp_path / "classes.tif")
    b, _ = read_raster(chain["cls"]["OUTPUT"])
    assert np.array_equal(a, b)
    dmax, _ = read_raster(tmp_path / "max.tif")
    ref, _ = read_raster(chain["surf"]["OUTPUT_MAX"])
    assert np.array_equal(dmax, ref)
    assert res is not None


def test_figure(chain, tmp_path):
    import sys
    sys.path.insert(0, str(HERE.parent / "scripts"))
    from figures_surfaces import surfaces_figure
    classes, g = read_raster(chain["cls"]["OUTPUT"])
    dmax, _ = read_raster(chain["surf"]["OUTPUT_MAX"])
    dmin, _ = read_raster(chain["surf"]["OUTPUT_MIN"])
    png = surfaces_figure(chain["z"], classes, dmax, dmin, g.dx, g.dy, tmp_path / "fig.png")
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    from figures_surfaces import quality_figure
    png = quality_figure([("PNL", chain["z"]), ("dem_min", dmin), ("dem_max", dmax)],
                         area_mask(g.shape), g.dx, g.dy, tmp_path / "quality.png")
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
