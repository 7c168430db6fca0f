"""Shared parts of the benchmark scripts: the test DEM at a zoom, and peak
memory of the current process (Linux /proc)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEM = ROOT / "tests" / "data" / "jacksboro_fault_dem_utm16n_80m.tif"


def status_kb(field):
    """A field of /proc/self/status in kB (VmRSS, VmHWM ...); 0 if absent."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    """Reset the peak RSS mark (VmHWM) by writing 5 to /proc/self/clear_refs."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def load_dem(zoom, path=DEM):
    """(z float64 with nan nodata, dx, dy) of the DEM upsampled ``zoom`` times
    (bilinear: adds cells, not detail)."""
    import numpy as np
    from osgeo import gdal
    from scipy import ndimage
    gdal.UseExceptions()
    ds = gdal.Open(str(path))
    band = ds.GetRasterBand(1)
    z = band.ReadAsArray().astype(np.float64)
    nd = band.GetNoDataValue()
    if nd is not None:
        z[z == nd] = np.nan
    dx = abs(ds.GetGeoTransform()[1]) / zoom
    dy = abs(ds.GetGeoTransform()[5]) / zoom
    if zoom != 1:
        z = ndimage.zoom(z, zoom, order=1)
    return np.ascontiguousarray(z, dtype=np.float64), dx, dy
