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


# --------------------------------------------------------------------------
# Landlab 2.11 as the LEM's oracle (benchmarks/erosion.py, benchmarks/pipeline.py)
# --------------------------------------------------------------------------

ORACLE_PY = ROOT / ".venv-oracles" / "bin" / "python"
ORACLE = ROOT / "tests" / "oracles" / "landlab_lem.py"


def lem_parameters(defaults, years, dt=1.0):
    """The oracle's parameters (tests/oracles/landlab_lem.py) from the plugin's LEM
    defaults (``core.lem.DEFAULTS``): ``years`` in steps of ``dt`` years."""
    return dict(years=float(years), dt=float(dt), K=defaults["erodibility"], m=defaults["m"],
                n=defaults["n"], runoff=defaults["runoff"], D=defaults["diffusivity"])


def landlab_run(z, dx, params, cpu=False):
    """Landlab 2.11 (FlowAccumulator D8 + DepressionFinderAndRouter, FastscapeEroder,
    LinearDiffuser) on the conditioned surface ``z`` in .venv-oracles, through
    tests/oracles/landlab_lem.py: (elevation after the run, seconds of its time loop,
    CPU seconds of the same loop or None), or None when the oracle venv is missing
    (``make oracles``).  ``cpu``: run it a second time with the oracle's clock set to
    ``time.process_time`` (steadier on a shared machine)."""
    import subprocess
    import tempfile

    import numpy as np
    if not ORACLE_PY.exists():
        return None
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(src, z=z, dx=dx, **params)
        subprocess.run([str(ORACLE_PY), str(ORACLE), str(src), str(dst)], check=True)
        out = np.load(dst)
        elevation, seconds = out["z"], float(out["seconds"])
        cpu_s = None
        if cpu:
            cpu_run = ("import sys, time; time.perf_counter = time.process_time; "
                       f"sys.path.insert(0, {str(ORACLE.parent)!r}); import landlab_lem; "
                       f"landlab_lem.main({str(src)!r}, {str(dst)!r})")
            subprocess.run([str(ORACLE_PY), "-c", cpu_run], check=True)
            cpu_s = float(np.load(dst)["seconds"])
    return elevation, seconds, cpu_s
