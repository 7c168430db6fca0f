"""What scripts/make_demo_plan.py and scripts/make_sample_plan.py share: this
checkout imported as the package hpcs_landform, the mine polygon as GeoJSON
and WKB, the written files made world-readable, and the check of a plan with
stand-in surfaces (SURFACE_MAX / MIN = DEM +/- 20 m, the real ones come from
the model) and the paper's pit geometry (tracking distance 50 m, inner-dump
slope 8 degrees, working slope 20 degrees)."""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: the stand-in surfaces of the plan check: the DEM +/- this many metres
STAND_IN = 20.0
#: the paper's pit geometry: tracking distance (m), dump and working slopes (degrees)
TRACKING, DUMP_SLOPE, WORKING_SLOPE = 50.0, 8.0, 20.0


def import_package():
    """This checkout as the package hpcs_landform (whatever the folder's name)."""
    if "hpcs_landform" in sys.modules:
        return sys.modules["hpcs_landform"]
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "hpcs_landform", ROOT / "__init__.py", submodule_search_locations=[str(ROOT)])
    sys.modules["hpcs_landform"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules["hpcs_landform"])
    return sys.modules["hpcs_landform"]


def ring_wkb(ring):
    """WKB of the polygon with the closed ring [(x, y), ...] (for rasterising)."""
    from osgeo import ogr
    r = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ring:
        r.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(r)
    return bytes(poly.ExportToWkb())


def write_geojson(path, ring, epsg, name):
    """The mine area (one polygon, feature property ``name``) as GeoJSON in EPSG:epsg."""
    doc = {"type": "FeatureCollection", "name": "mine_area",
           "crs": {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}},
           "features": [{"type": "Feature", "properties": {"name": name},
                         "geometry": {"type": "Polygon",
                                      "coordinates": [[list(p) for p in ring]]}}]}
    Path(path).write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


def readable(folder, names):
    """Mode 0644 on the files written (whatever the umask)."""
    for name in names:
        (Path(folder) / name).chmod(0o644)


def check_plan(z, floor, thickness, mask, transform, azimuth, strip_width, optimize):
    """The delineation (eq. 6 to 9, Fig. 7) with the stand-in surfaces and the
    paper's pit geometry, k = 1, the smallest safe pit."""
    from hpcs_landform.core.subareas import delineate
    return delineate(z, z + STAND_IN, z - STAND_IN, floor, thickness, mask, transform,
                     azimuth=azimuth, strip_width=strip_width, pit_length=None, k=1.0,
                     tracking=TRACKING, dump_slope=DUMP_SLOPE, working_slope=WORKING_SLOPE,
                     optimize_plan=optimize)
