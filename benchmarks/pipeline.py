"""Benchmark: the shipped model hpcs:hpcs_pipeline through qgis_process.bin at survey
resolutions, and the landscape evolution model against Landlab on the same work.

Usage (QGIS's Python or .venv's, both have GDAL)::

    .venv/bin/python benchmarks/pipeline.py                    # 80, 40, 20 and 10 m
    .venv/bin/python benchmarks/pipeline.py --cells 80 20      # some sizes only
    .venv/bin/python benchmarks/pipeline.py --no-model         # the LEM comparison only
    .venv/bin/python benchmarks/pipeline.py --no-lem           # the model only
    .venv/bin/python benchmarks/pipeline.py --keep /tmp/bench  # keep inputs and outputs

**Inputs.** The bundled sample plan (data/sample: the jacksboro DEM at 80 m, the seam
floor, the coal thickness, the mine area) with the three rasters resampled *bilinear*
(``gdal.Warp``, same extent) to the cell size; direction 270, strips 240 m, k 1.05
(the demo's values; ``scripts/demo.py``), every other parameter at its default.

**Model.** ``qgis_process.bin run hpcs:hpcs_pipeline -- ...`` in a throw-away
profile with every output written to a temporary folder.  Per step: the model log's
``Running <step> [i/n]`` lines mark where each child starts, timed by this script
as the lines arrive (the log is line-buffered through a pipe), so a step's seconds
run from its start to the next step's start (or the model's end).  Total: wall
time of the whole process (start-up of QGIS and the provider included).  Peak
memory: the peak resident set of the qgis_process.bin process (``ru_maxrss`` of
``wait4``) and, polled every 0.2 s, the largest sum of the resident sets of the
whole process tree (qgis_process.bin spawns no children today, so the two agree
to within the polling).  CPU time: user + system seconds of the process and its
children (``wait4``).  Per-cell cost: total seconds / cells (microseconds).

**LEM against Landlab.** On the area the model's erosion step simulates at that
cell size (the dump plus its buffer, cropped from the resampled DEM, PNL), both
engines run 10 years in 1-year steps with the plugin's defaults, detachment-limited
(V = 0: Landlab's FastscapeEroder has no deposition), on the same conditioned
surface (as benchmarks/erosion.py): ours is ``core.lem.evolve`` in this process,
Landlab 2.11 (FlowAccumulator D8 + DepressionFinderAndRouter, FastscapeEroder,
LinearDiffuser) in ``.venv-oracles`` through tests/oracles/landlab_lem.py.  Both
time their time loops (Landlab's grid set-up and imports excluded; ours includes
its set-up).  Ratio = Landlab seconds / ours (> 1: ours is faster).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from _common import landlab_run, lem_parameters

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
MODEL = "hpcs:hpcs_pipeline"
STRIP_WIDTH = 240.0
FORMS = ("NNDL", "MNNDL", "TDL")
# import the checkout as hpcs_landform through a private link (whatever build/ holds)
_LINKDIR = Path(tempfile.mkdtemp(prefix="hpcs_bench_"))
(_LINKDIR / "hpcs_landform").symlink_to(ROOT, target_is_directory=True)


def resample(src, dst, cell):
    """``src`` resampled bilinear to ``cell`` metres on the same extent."""
    from osgeo import gdal
    gdal.UseExceptions()
    ds = gdal.Open(str(src))
    gt = ds.GetGeoTransform()
    x0, y1 = gt[0], gt[3]
    x1, y0 = x0 + gt[1] * ds.RasterXSize, y1 + gt[5] * ds.RasterYSize
    gdal.Warp(str(dst), ds, xRes=cell, yRes=cell, outputBounds=(x0, y0, x1, y1),
              resampleAlg="bilinear", creationOptions=["COMPRESS=NONE", "TILED=YES"])
    return int(round((x1 - x0) / cell)) * int(round((y1 - y0) / cell))


def prepare(folder, cell):
    folder.mkdir(parents=True, exist_ok=True)
    cells = resample(SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif", folder / "PNL.tif", cell)
    resample(SAMPLE / "seam_floor.tif", folder / "floor.tif", cell)
    resample(SAMPLE / "coal_thickness.tif", folder / "thickness.tif", cell)
    return cells


def model_outputs(out):
    """Every output of the model written into ``out`` (as scripts/demo.py names them)."""
    o = {"CHANNELS:FILLED": "filled.tif", "CHANNELS:FLOWDIR": "flowdir.tif",
         "CHANNELS:ACCUMULATION": "accumulation.tif", "CHANNELS:CHANNELS": "channels.tif",
         "CHANNELS:RIDGES": "ridges.tif", "CHANNELS:CATCHMENTS": "catchments.tif",
         "CLASSES:CLASSES": "classes.tif", "SURFACES:DEM_MAX": "dem_max.tif",
         "SURFACES:DEM_MIN": "dem_min.tif", "SUBAREAS:SUBAREAS": "subareas.gpkg",
         "SUBAREAS:TABLE": "subareas.csv", "SUBAREAS:CHART": "subareas_chart.html",
         "DUMP:DUMP": "dump.gpkg", "EROSION:TABLE": "erosion.csv",
         "EROSION:REPORT": "erosion.html", "EROSION:FOLDER": "erosion",
         "REPORT:REPORT": "report.html", "REPORT:TABLE": "report.csv"}
    for f in FORMS:
        lo = f.lower()
        o.update({f"{f}:{f}": f"{f}.tif", f"FUSION_{f}:AGREEMENT": f"fusion_{lo}_agreement.tif",
                  f"FUSION_{f}:CHANNELS": f"fusion_{lo}_channels.tif",
                  f"FUSION_{f}:TABLE": f"fusion_{lo}.csv", f"HAUL_{f}:TABLE": f"haul_{lo}.csv",
                  f"HAUL_{f}:LINES": f"haul_{lo}_lines.gpkg"})
    return {k: out / v for k, v in o.items()}


def _tree_rss_kb(pid):
    """Sum of VmRSS (kB) of ``pid`` and its descendants (Linux /proc)."""
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


class TreePeak(threading.Thread):
    """Polls the resident set of a process tree; ``peak_kb`` is the largest sum seen."""

    def __init__(self, pid, every=0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_kb = pid, every, 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self.stop.wait(self.every)


NAMES = {"hpcs:channelextraction": "channels", "hpcs:classifycells": "classes",
         "hpcs:earthworksurfaces": "surfaces", "hpcs:subareadelineation": "sub-areas",
         "hpcs:nearnaturallandform": "near-natural", "hpcs:traditionallandform": "TDL",
         "hpcs:fusionrate": "fusion", "hpcs:hauldistance": "haul",
         "hpcs:erosioncomparison": "erosion", "hpcs:comparisonreport": "report"}


def run_model(folder):
    """Runs the model on the inputs in ``folder``; returns a dict of figures.

    Per-child timing: benchmarks/_timing/sitecustomize.py, first on PYTHONPATH,
    wraps the plugin's HpcsAlgorithm.processAlgorithm and appends one JSON line per
    child (wall and CPU seconds, peak RSS of the step) to HPCS_BENCH_TIMINGS."""
    sys.path.insert(0, str(ROOT / "tests"))
    from qgis_process_util import qgis_process_env
    profile = folder / "profile"
    out = folder / "out"
    for p in (profile, out):
        shutil.rmtree(p, ignore_errors=True)
        p.mkdir(parents=True)
    profile.chmod(0o700)
    timings = folder / "timings.jsonl"
    if timings.exists():
        timings.unlink()
    env = qgis_process_env(profile)
    env["QGIS_PLUGINPATH"] = str(_LINKDIR)
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "hpcs_landform"], env=env,
                   capture_output=True, text=True, check=False)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(ROOT / "benchmarks" / "_timing")] + [x for x in [env.get("PYTHONPATH")] if x])
    env["HPCS_BENCH_TIMINGS"] = str(timings)
    params = {"DEM": folder / "PNL.tif", "FLOOR": folder / "floor.tif",
              "THICKNESS": folder / "thickness.tif", "MINE_AREA": SAMPLE / "mine_area.geojson",
              "DIRECTION": 270, "STRIP_WIDTH": STRIP_WIDTH, "K": 1.05}
    params.update(model_outputs(out))
    args = [QGIS_PROCESS, "run", MODEL, "--"] + [f"{k}={v}" for k, v in params.items()]
    start = time.time()
    t0 = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    poll = TreePeak(proc.pid)
    poll.start()
    log = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    total = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    poll.stop.set()
    poll.join()
    (folder / "model.log").write_text(log)
    if code != 0:
        sys.stdout.write(log[-6000:])
        raise SystemExit(f"{MODEL} failed (exit {code}); log in {folder}/model.log")
    steps = []
    if timings.exists():
        recs = [json.loads(x) for x in timings.read_text().splitlines() if x.strip()]
        count = {}
        for r in recs:
            name = NAMES.get(r["alg"], r["alg"])
            count[name] = count.get(name, 0) + 1
            steps.append({"step": name, "seconds": round(r["seconds"], 2),
                          "cpu_s": round(r["cpu_s"], 2),
                          "peak_mb": round(r["peak_kb"] / 1024.0, 1),
                          "end_s": round(r["end"] - start, 2)})
    accounted = sum(s["seconds"] for s in steps)
    peak_steps = max([s["peak_mb"] for s in steps] or [0.0])
    return {"total_s": round(total, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
            # ru_maxrss is the mark the timing hook resets at each step: take the larger
            "peak_rss_mb": round(max(usage.ru_maxrss / 1024.0, peak_steps), 1),
            "tree_peak_mb": round(poll.peak_kb / 1024.0, 1),
            "outside_steps_s": round(total - accounted, 2), "steps": steps}


def by_kind(steps):
    """{step kind: (count, wall s, CPU s)} summed over the children of one kind."""
    out = {}
    for s in steps:
        n, w, c = out.get(s["step"], (0, 0.0, 0.0))
        out[s["step"]] = (n + 1, w + s["seconds"], c + s["cpu_s"])
    return out


def lem_window(folder):
    """(PNL on the erosion step's window, dx, area mask) for the cell size in folder."""
    sys.path.insert(0, str(_LINKDIR))
    from osgeo import ogr

    from hpcs_landform.core.erosion import simulation_window
    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    z, g = read_raster(str(folder / "PNL.tif"))
    dump = folder / "out" / "dump.gpkg"
    src = dump if dump.exists() else SAMPLE / "mine_area.geojson"
    ds = ogr.Open(str(src))
    wkbs = [bytes(f.GetGeometryRef().ExportToWkb()) for f in ds.GetLayer()]
    area = rasterize_polygons(wkbs, g)
    rows, cols = simulation_window([area], g.dx, g.dy, 1000.0)
    return np.ascontiguousarray(z[rows, cols]), g.dx, area[rows, cols], src.name


def run_lem(folder):
    """Ours against Landlab, 10 years, on the erosion step's window of PNL."""
    sys.path.insert(0, str(_LINKDIR))
    sys.path.insert(0, str(ROOT / "tests"))
    from test_erosion_core import condition

    from hpcs_landform.core import lem
    z, dx, area, what = lem_window(folder)
    zc = condition(z, dx, dx)
    p = lem_parameters(lem.DEFAULTS, 10.0)
    c0, t0 = time.process_time(), time.perf_counter()
    res = lem.evolve(zc, dx, dx, years=p["years"], dt=p["dt"], erodibility=p["K"], m=p["m"],
                     n=p["n"], runoff=p["runoff"], diffusivity=p["D"], settling_velocity=0.0)
    ours, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
    line = {"window": f"{z.shape[0]} x {z.shape[1]}", "window_cells": int(z.size),
            "area_from": what, "ours_s": round(ours, 3), "ours_cpu_s": round(ours_cpu, 3)}
    oracle = landlab_run(zc, dx, p, cpu=True)
    if oracle is None:
        line["landlab"] = "missing: run `make oracles`"
        return line
    elevation, theirs, theirs_cpu = oracle
    diff = float(np.nanmax(np.abs(elevation - res.elevation)))
    line.update({"landlab_s": round(theirs, 3), "landlab_cpu_s": round(theirs_cpu, 3),
                 "ratio_landlab_over_ours": round(theirs / ours, 2),
                 "cpu_ratio_landlab_over_ours": round(theirs_cpu / ours_cpu, 2),
                 "max_abs_diff_m": float(f"{diff:.3g}")})
    return line


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cells", type=float, nargs="+", default=[80, 40, 20, 10],
                    help="cell sizes in metres (default 80 40 20 10)")
    ap.add_argument("--no-model", action="store_true", help="skip the model runs")
    ap.add_argument("--no-lem", action="store_true", help="skip the LEM against Landlab")
    ap.add_argument("--keep", type=Path, default=None, help="folder for inputs and outputs")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hpcs_pipeline_bench_"))
    rows = []
    for cell in args.cells:
        folder = base / f"{cell:g}m"
        cells = prepare(folder, cell)
        row = {"cell_m": cell, "cells": cells}
        if not args.no_model:
            r = run_model(folder)
            row.update(r)
            row["us_per_cell"] = round(1e6 * r["total_s"] / cells, 2)
            print(f"\n== {cell:g} m, {cells:,} cells: total {r['total_s']:.1f} s "
                  f"(CPU {r['cpu_s']:.1f} s; outside the steps: start-up, dump extraction, "
                  f"writing: {r['outside_steps_s']} s), peak {r['peak_rss_mb']:.0f} MB (tree "
                  f"{r['tree_peak_mb']:.0f} MB), {row['us_per_cell']:.2f} us/cell", flush=True)
            for s in r["steps"]:
                print(f"   {s['seconds']:8.2f} s  CPU {s['cpu_s']:7.2f} s  peak "
                      f"{s['peak_mb']:6.0f} MB  {s['step']}", flush=True)
            print("   by step kind (wall s, CPU s, share of the total):")
            for k, (n, w, c) in sorted(by_kind(r["steps"]).items(), key=lambda kv: -kv[1][1]):
                print(f"   {w:8.2f} s  CPU {c:7.2f} s  {100 * w / r['total_s']:5.1f} %  "
                      f"{k} x {n}", flush=True)
        if not args.no_lem:
            lem_row = run_lem(folder)
            row["lem"] = lem_row
            print("   LEM 10 yr: " + " ".join(f"{k}={v}" for k, v in lem_row.items()),
                  flush=True)
        rows.append(row)
    if not args.no_model and len(rows) > 1:
        print("\ncell_m cells total_s cpu_s peak_MB us/cell")
        for r in rows:
            print(f"{r['cell_m']:6g} {r['cells']:>10,} {r['total_s']:8.1f} {r['cpu_s']:8.1f} "
                  f"{r['peak_rss_mb']:8.0f} {r['us_per_cell']:8.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.keep is None:
        shutil.rmtree(base, ignore_errors=True)
    shutil.rmtree(_LINKDIR, ignore_errors=True)


if __name__ == "__main__":
    main()
