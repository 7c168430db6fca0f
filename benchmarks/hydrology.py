"""Benchmark: fill + flats + D8 + accumulation, ours against richdem2.

Usage::

    .venv/bin/python benchmarks/hydrology.py            # both sizes (zoom 4 and 11)
    .venv/bin/python benchmarks/hydrology.py --zoom 4   # one size
    .venv/bin/python benchmarks/hydrology.py --repeat 3 # best of 3 runs
    .venv/bin/python benchmarks/hydrology.py --checkout /tmp/old   # another core/

``--checkout`` benchmarks the core/ of another tree, for before/after figures,
e.g. ``mkdir /tmp/old && git archive <commit> core | tar -x -C /tmp/old``.

The DEM is the jacksboro sample (tests/data, 384 x 363, 80 m) upsampled with
``scipy.ndimage.zoom(dem, k, order=1)`` (k = 4: 1536 x 1452 at 20 m, 2.2 M
cells; k = 11: 4224 x 3993 at ~7.3 m, 16.9 M cells).

Each (engine, size) runs in its own child process (this script with
``--child``), so one engine's heap cannot inflate the other's peak.  In the
child the DEM is built, the peak-RSS mark is reset (``5`` written to
``/proc/self/clear_refs``), the engine runs, and ``VmHWM`` (peak resident set)
is read from ``/proc/self/status``.  Reported: wall time of the engine calls,
the peak RSS of the child, and the peak *above* the RSS the child had with
the DEM loaded (the engine's own working memory), and the CPU time of the
engine calls (less sensitive than wall time to other work on the machine).
See benchmarks/README.md.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT
from _common import load_dem as _load
from _common import reset_peak as _reset_peak
from _common import status_kb as _status_kb  # noqa: E402


class _Silence:
    """Redirect the process's stdout/stderr file descriptors (richdem's C++
    banner and progress bars are written there, not through sys.stdout)."""

    def __enter__(self):
        sys.stdout.flush(); sys.stderr.flush()
        self.saved = (os.dup(1), os.dup(2))
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1); os.dup2(null, 2)
        os.close(null)
        return self

    def __exit__(self, *exc):
        sys.stdout.flush(); sys.stderr.flush()
        os.dup2(self.saved[0], 1); os.dup2(self.saved[1], 2)
        os.close(self.saved[0]); os.close(self.saved[1])
        return False


CHECKOUT = [ROOT]


def _import_core():
    """core/hydrology.py of this checkout (not whatever build/ links to), without
    running the plugin's __init__ (which is for QGIS)."""
    import types
    if "hpcs_landform" not in sys.modules:
        pkg = types.ModuleType("hpcs_landform")
        pkg.__path__ = [str(CHECKOUT[0])]
        sys.modules["hpcs_landform"] = pkg
    from hpcs_landform.core import hydrology
    return hydrology


def _run_ours(z, dx, dy):
    hy = _import_core()
    times = {}
    c0 = time.process_time()
    t0 = time.perf_counter()
    filled = hy.fill_depressions(z)
    t1 = time.perf_counter()
    rec, codes = hy.flow_directions(filled, dx, dy)
    t2 = time.perf_counter()
    acc = hy.accumulate(rec)
    t3 = time.perf_counter()
    times.update(fill=t1 - t0, directions=t2 - t1, accumulation=t3 - t2, total=t3 - t0,
                 cpu=time.process_time() - c0)
    return times, float(acc.max())


def _run_richdem(z, dx, dy):
    import numpy as np
    with _Silence():
        import richdem as rd
        c0 = time.process_time()
        t0 = time.perf_counter()
        r = rd.rdarray(np.where(np.isfinite(z), z, -9999.0), no_data=-9999.0)
        r.geotransform = [0.0, dx, 0.0, 0.0, 0.0, -dy]
        rd.FillDepressions(r, epsilon=False, in_place=True)
        t1 = time.perf_counter()
        acc = rd.FlowAccumulation(r, method="D8")
        t2 = time.perf_counter()
        cpu = time.process_time() - c0
    return ({"fill": t1 - t0, "accumulation": t2 - t1, "total": t2 - t0, "cpu": cpu},
            float(np.max(acc)))


def child(engine, zoom):
    import gc
    z, dx, dy = _load(zoom)
    if engine == "richdem":
        with _Silence():
            import richdem  # noqa: F401  (import cost and banner outside the timing)
    else:
        _import_core()
    gc.collect()
    base_kb = _status_kb("VmRSS")
    reset = _reset_peak()
    run = _run_richdem if engine == "richdem" else _run_ours
    times, accmax = run(z, dx, dy)
    peak_kb = _status_kb("VmHWM")
    print(json.dumps({"engine": engine, "zoom": zoom, "shape": list(z.shape),
                      "times": times, "peak_mb": peak_kb / 1024.0,
                      "work_mb": (peak_kb - base_kb) / 1024.0, "base_mb": base_kb / 1024.0,
                      "peak_reset": reset, "acc_max": accmax}))


# --------------------------------------------------------------------------
# whole process against whole process (--process)
# --------------------------------------------------------------------------

def write_dem(zoom, path):
    """The zoomed DEM as a Float32 GeoTIFF in the sample's CRS (nodata -9999)."""
    import numpy as np
    from _common import DEM
    from osgeo import gdal
    gdal.UseExceptions()
    z, dx, dy = _load(zoom)
    src = gdal.Open(str(DEM))
    gt = src.GetGeoTransform()
    ds = gdal.GetDriverByName("GTiff").Create(str(path), z.shape[1], z.shape[0], 1,
                                              gdal.GDT_Float32, ["TILED=YES"])
    ds.SetGeoTransform((gt[0], dx, 0.0, gt[3], 0.0, -dy))
    ds.SetProjection(src.GetProjection())
    band = ds.GetRasterBand(1)
    band.SetNoDataValue(-9999.0)
    band.WriteArray(np.where(np.isfinite(z), z, -9999.0).astype(np.float32))
    ds = None
    return z.shape


def richdem_file(dem, out_dir):
    """The richdem2 job as a program: read the GeoTIFF, fill, D8 accumulation, write
    the filled DEM and the accumulation (GeoTIFFs)."""
    import numpy as np
    from osgeo import gdal
    gdal.UseExceptions()
    with _Silence():
        import richdem as rd
        src = gdal.Open(dem)
        z = src.GetRasterBand(1).ReadAsArray().astype(np.float64)
        r = rd.rdarray(z, no_data=-9999.0)
        del z
        r.geotransform = list(src.GetGeoTransform())
        rd.FillDepressions(r, epsilon=False, in_place=True)
        acc = rd.FlowAccumulation(r, method="D8")
    drv = gdal.GetDriverByName("GTiff")
    for name, a, t in (("filled", r, gdal.GDT_Float32), ("accumulation", acc, gdal.GDT_Float64)):
        ds = drv.Create(str(Path(out_dir) / f"{name}.tif"), a.shape[1], a.shape[0], 1, t,
                        ["TILED=YES"])
        ds.SetGeoTransform(src.GetGeoTransform())
        ds.SetProjection(src.GetProjection())
        ds.GetRasterBand(1).WriteArray(np.asarray(a))
        ds = None


def timed_process(args, env=None):
    """Wall seconds, CPU seconds and peak RSS (MB, ru_maxrss) of a whole program."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"{args[:3]} failed:\n{out[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "peak_mb": usage.ru_maxrss / 1024.0}


def whole_process(zoom, repeat):
    """hpcs:channelextraction through qgis_process.bin (all six outputs written) against
    richdem2's fill + D8 accumulation as its own Python program (two outputs)."""
    import shutil
    import tempfile
    sys.path.insert(0, str(ROOT / "tests"))
    from qgis_process_util import qgis_process_env
    tmp = Path(tempfile.mkdtemp(prefix="hpcs_hydro_proc_"))
    link = tmp / "plugins"
    link.mkdir()
    (link / "hpcs_landform").symlink_to(CHECKOUT[0], target_is_directory=True)
    dem = tmp / "dem.tif"
    shape = write_dem(zoom, dem)
    env = qgis_process_env(tmp / "profile")
    env["QGIS_PLUGINPATH"] = str(link)
    # Both programs run with bytecode caches, as installed software does: with
    # PYTHONDONTWRITEBYTECODE (set on some machines) every qgis_process run would
    # recompile the plugin's ~60 modules (0.6-0.8 s CPU) while numpy, GDAL and
    # richdem come precompiled.  The caches go to a throw-away prefix, filled by
    # one untimed start of each program.
    rich_env = dict(os.environ)
    for e in (env, rich_env):
        e.pop("PYTHONDONTWRITEBYTECODE", None)
        e["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
    subprocess.run(["/usr/bin/qgis_process.bin", "plugins", "enable", "hpcs_landform"],
                   env=env, capture_output=True, check=False)
    subprocess.run(["/usr/bin/qgis_process.bin", "help", "hpcs:channelextraction"],
                   env=env, capture_output=True, check=False)
    subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[1]); "
                    "import _common, numpy, osgeo.gdal, richdem", str(Path(__file__).parent)],
                   env=rich_env, capture_output=True, check=False)
    ours_args = ["/usr/bin/qgis_process.bin", "run", "hpcs:channelextraction", "--",
                 f"INPUT={dem}"] + [f"OUTPUT_{k}={tmp / 'ours'}_{k.lower()}.tif" for k in (
                     "FILLED", "FLOWDIR", "ACCUMULATION", "CHANNELS", "RIDGES", "CATCHMENTS")]
    rich_args = [sys.executable, __file__, "--richdem-file", str(dem), str(tmp)]
    best = {}
    for _ in range(repeat):
        for name, args, e in (("ours", ours_args, env), ("richdem", rich_args, rich_env)):
            r = timed_process(args, e)
            if name not in best or r["wall"] < best[name]["wall"]:
                best[name] = r
    shutil.rmtree(tmp, ignore_errors=True)
    o, r = best["ours"], best["richdem"]
    cells = shape[0] * shape[1] / 1e6
    print(f"whole process, jacksboro x{zoom} ({shape[0]} x {shape[1]} = {cells:.1f} M cells):")
    print(f"  ours (qgis_process.bin run hpcs:channelextraction, 6 outputs): {o['wall']:.2f} s "
          f"(CPU {o['cpu']:.2f}), peak RSS {o['peak_mb']:.0f} MB")
    print(f"  richdem2 (read, fill, D8 accumulation, 2 outputs): {r['wall']:.2f} s "
          f"(CPU {r['cpu']:.2f}), peak RSS {r['peak_mb']:.0f} MB")
    print(f"  ratio ours/richdem: time {o['wall'] / r['wall']:.2f} (CPU {o['cpu'] / r['cpu']:.2f}),"
          f" peak RSS {o['peak_mb'] / r['peak_mb']:.2f}", flush=True)
    return o, r


def measure(engine, zoom, repeat, checkout):
    best = None
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", engine, "--zoom", str(zoom),
                              "--checkout", str(checkout)],
                             check=True, capture_output=True, text=True)
        res = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or res["times"]["total"] < best["times"]["total"]:
            best = res
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--zoom", type=int, action="append",
                    help="upsampling factor(s) of the jacksboro DEM (default 4 and 11)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per engine (best time kept)")
    ap.add_argument("--checkout", default=str(ROOT),
                    help="benchmark the core/ of this plugin checkout (default: this one)")
    ap.add_argument("--process", action="store_true",
                    help="whole process against whole process: hpcs:channelextraction through "
                         "qgis_process.bin against richdem2 as a program (default zoom 10, "
                         "13.9 M cells)")
    ap.add_argument("--child", choices=("ours", "richdem"), help=argparse.SUPPRESS)
    ap.add_argument("--richdem-file", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    CHECKOUT[0] = Path(args.checkout).resolve()
    if args.richdem_file:
        richdem_file(*args.richdem_file)
        return
    if args.process:
        for zoom in args.zoom or [10]:
            whole_process(zoom, args.repeat)
        return
    zooms = args.zoom or [4, 11]
    if args.child:
        child(args.child, zooms[0])
        return
    rows = []
    for zoom in zooms:
        ours = measure("ours", zoom, args.repeat, CHECKOUT[0])
        rich = measure("richdem", zoom, args.repeat, CHECKOUT[0])
        rows.append((zoom, ours, rich))
        sh = ours["shape"]
        t = ours["times"]
        print(f"jacksboro x{zoom}: {sh[0]} x {sh[1]} = {sh[0] * sh[1] / 1e6:.1f} M cells")
        print(f"  ours    : {t['total']:6.2f} s (fill {t['fill']:.2f}, directions+flats "
              f"{t['directions']:.2f}, accumulation {t['accumulation']:.2f}; CPU {t['cpu']:.2f}); "
              f"peak RSS {ours['peak_mb']:.0f} MB, above DEM-loaded {ours['work_mb']:.0f} MB")
        r = rich["times"]
        print(f"  richdem2: {r['total']:6.2f} s (fill {r['fill']:.2f}, accumulation "
              f"{r['accumulation']:.2f}; CPU {r['cpu']:.2f}); peak RSS {rich['peak_mb']:.0f} MB, "
              f"above DEM-loaded {rich['work_mb']:.0f} MB")
        print(f"  ratio ours/richdem: time {t['total'] / r['total']:.2f} (CPU "
              f"{t['cpu'] / r['cpu']:.2f}), peak RSS "
              f"{ours['peak_mb'] / rich['peak_mb']:.2f}, working memory "
              f"{ours['work_mb'] / max(rich['work_mb'], 1e-9):.2f}", flush=True)
    print()
    print("| DEM | cells | ours s | richdem s | time ratio | CPU ratio | ours peak MB "
          "| richdem peak MB | peak ratio | ours work MB | richdem work MB | work ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for zoom, o, r in rows:
        cells = o["shape"][0] * o["shape"][1] / 1e6
        print(f"| jacksboro x{zoom} | {cells:.1f} M | {o['times']['total']:.2f} | "
              f"{r['times']['total']:.2f} | {o['times']['total'] / r['times']['total']:.2f} | "
              f"{o['times']['cpu'] / r['times']['cpu']:.2f} | "
              f"{o['peak_mb']:.0f} | {r['peak_mb']:.0f} | {o['peak_mb'] / r['peak_mb']:.2f} | "
              f"{o['work_mb']:.0f} | {r['work_mb']:.0f} | "
              f"{o['work_mb'] / max(r['work_mb'], 1e-9):.2f} |")


if __name__ == "__main__":
    main()
