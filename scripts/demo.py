#!/usr/bin/env python3
"""`make demo`: run the shipped model hpcs:hpcs_pipeline_full (the pipeline with every
intermediate as an output) on the bundled demo plan (data/demo/: a real 25 m DEM of British Columbia with a 5 km x 1 km mine across
dissected hillslopes, 90 m strips; scripts/make_demo_plan.py, data/demo/README.md)
through qgis_process.bin, as a batch user would, writing every layer, table and
report to demo_output/, then draw the figures and print the headline numbers
beside the paper's.

Run with /usr/bin/python3 (QGIS's Python); `make demo` does that after installing
what is missing (`make system`) and linking build/hpcs_landform (`make link`).
"""
import csv
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "demo_output"
SITE = ROOT / "data" / "demo"
#: the plan's files and parameters (written by scripts/make_demo_plan.py)
PLAN = json.loads((SITE / "plan.json").read_text(encoding="utf-8"))
DEM = SITE / PLAN["dem"]
FLOOR = SITE / PLAN["floor"]
THICKNESS = SITE / PLAN["thickness"]
MINE_AREA = SITE / PLAN["mine_area"]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"
MODEL = "hpcs:hpcs_pipeline_full"   # every intermediate: the figures need them
FORMS = ("NNDL", "MNNDL", "TDL")

sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

#: model output -> file in demo_output/ (the landforms keep their names: the
#: erosion comparison names each landform after its file)
OUTPUTS = {
    "PNL:PNL": "PNL.tif",
    "CHANNELS:FILLED": "filled.tif",
    "CHANNELS:FLOWDIR": "flowdir.tif",
    "CHANNELS:ACCUMULATION": "accumulation.tif",
    "CHANNELS:CHANNELS": "channels.tif",
    "CHANNELS:RIDGES": "ridges.tif",
    "CHANNELS:CATCHMENTS": "catchments.tif",
    "CLASSES:CLASSES": "classes.tif",
    "SURFACES:DEM_MAX": "dem_max.tif",
    "SURFACES:DEM_MIN": "dem_min.tif",
    "SUBAREAS:SUBAREAS": "subareas.gpkg",
    "SUBAREAS:TABLE": "subareas.csv",
    "SUBAREAS:CHART": "subareas_chart.html",
    "DUMP:DUMP": "dump.gpkg",
    "EROSION:TABLE": "erosion.csv",
    "EROSION:REPORT": "erosion.html",
    "EROSION:FOLDER": "erosion",
    "REPORT:REPORT": "report.html",
    "REPORT:TABLE": "report.csv",
}
for _f in FORMS:
    _l = _f.lower()
    OUTPUTS.update({
        f"{_f}:{_f}": f"{_f}.tif",
        f"FUSION_{_f}:AGREEMENT": f"fusion_{_l}_agreement.tif",
        f"FUSION_{_f}:CHANNELS": f"fusion_{_l}_channels.tif",
        f"FUSION_{_f}:TABLE": f"fusion_{_l}.csv",
        f"HAUL_{_f}:TABLE": f"haul_{_l}.csv",
        f"HAUL_{_f}:LINES": f"haul_{_l}_lines.gpkg",
    })

#: log lines worth showing while the model runs
SHOW = re.compile(r"^(Channel threshold|Cells per class|The area touches|A_max|Eq\. 5|Feasible|"
                  r"Infeasible|Pit length|Optimized:|Mean slope|Top platform|Dump:|\d+ periods;|"
                  r"Landform |Report:|ERROR|Error|Model processed|Executed)")


def clock(t0):
    return f"[{time.time() - t0:5.1f} s]"


def run_model(params, t0):
    """qgis_process.bin run MODEL -- K=V ..., its log filtered as it comes; returns
    (Results dict, full log)."""
    profile = Path(tempfile.mkdtemp(prefix="hpcs_demo_profile_"))
    from qgis_process_util import parse_results, qgis_process_env
    env = qgis_process_env(profile)
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "hpcs_landform"], env=env,
                   capture_output=True, text=True, check=False)
    args = [QGIS_PROCESS, "run", MODEL, "--"] + [f"{k}={v}" for k, v in params.items()]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1)
    log, percent = [], -1
    for line in proc.stdout:
        log.append(line)
        m = re.match(r"^((?:\d+\.*)+)(.*)$", line.rstrip("\n"))
        text = line.strip()
        if m:                       # progress dots glued to the next message: 20..Feasible
            nums = [int(n) for n in re.findall(r"\d+", m.group(1))]
            if nums and nums[-1] != percent and nums[-1] <= 100:
                percent = nums[-1]
            text = m.group(2).strip()
        if text.startswith("WARNING"):
            print(f"   {clock(t0)} {text[:150]}", flush=True)
        elif SHOW.match(text):
            print(f"   {clock(t0)} {max(percent, 0):3d} % {text[:150]}", flush=True)
    proc.wait()
    full = "".join(log)
    if proc.returncode != 0:
        print(full[-4000:])
        raise SystemExit(f"demo: {MODEL} failed (exit {proc.returncode})")
    return parse_results(full), full


# --- k: the swell that balances the plan ----------------------------------------------

def balanced_k(dem, floor, thickness, mine_area, direction, strip_width, work, t0,
               thresholds=None, pit_length=None):
    """k (eq. 6) at the middle of the feasible range, from the model's own steps.

    Runs channel extraction, classification, the earthwork surfaces and the
    delineation without optimization at k = 1 (the same algorithms and defaults as
    the model's steps 1-4) and sums, over the mining strips, V_g (k = 1), V_fmin and
    V_fmax. V_g is proportional to k, so with this pit the plan is feasible for k in
    [sum V_fmin, sum V_fmax] / sum V_g(k = 1); the demo takes the middle. The smallest
    safe pit does depend a little on k (the refilled height enters eq. 9): on the demo
    41 periods at k = 1 against 39 at the chosen k, whose own plan has the range
    [1.050, 1.570], of which 1.307 is still the middle within 0.3 %. thresholds: None (the model's default method) or {THRESHOLD_METHOD,
    CHANNEL_THRESHOLD, RIDGE_THRESHOLD} as given to the model; pit_length: None (the
    smallest safe pit) or metres. Returns (k, (k_lo,
    k_hi), (sum V_g(1), sum V_fmin, sum V_fmax))."""
    from osgeo import ogr
    from qgis_process_util import parse_results, qgis_process_env
    work.mkdir(parents=True, exist_ok=True)
    env = qgis_process_env(work / "profile")
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "hpcs_landform"], env=env,
                   capture_output=True, text=True, check=False)

    def run(alg, **params):
        args = [QGIS_PROCESS, "run", alg, "--"] + [f"{k}={v}" for k, v in params.items()]
        proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            print(proc.stdout[-3000:] + proc.stderr[-2000:])
            raise SystemExit(f"demo: {alg} failed while balancing k (exit {proc.returncode})")
        return parse_results(proc.stdout)

    ch = {n: work / f"{n.lower()}.tif" for n in ("FLOWDIR", "CHANNELS", "RIDGES", "CATCHMENTS")}
    run("hpcs:channelextraction", INPUT=dem, **(thresholds or {}),
        **{f"OUTPUT_{n}": p for n, p in ch.items()})
    run("hpcs:classifycells", INPUT=dem, AREA=mine_area, OUTPUT=work / "classes.tif", **ch)
    run("hpcs:earthworksurfaces", INPUT=dem, CLASSES=work / "classes.tif",
        FLOWDIR=ch["FLOWDIR"], CATCHMENTS=ch["CATCHMENTS"], OUTPUT_MAX=work / "dem_max.tif",
        OUTPUT_MIN=work / "dem_min.tif")
    run("hpcs:subareadelineation", INPUT=dem, FLOOR=floor, THICKNESS=thickness,
        SURFACE_MAX=work / "dem_max.tif", SURFACE_MIN=work / "dem_min.tif",
        MINE_AREA=mine_area, DIRECTION=direction, STRIP_WIDTH=strip_width, K=1.0,
        OPTIMIZE=False, **({} if pit_length is None else {"PIT_LENGTH": pit_length}),
        OUTPUT=work / "subareas.gpkg", OUTPUT_TABLE=work / "subareas.csv",
        OUTPUT_CHART=work / "subareas.html")
    ds = ogr.Open(str(work / "subareas.gpkg"))
    feats = [f.items() for f in ds.GetLayer() if f.items()["kind"] == "mining"]
    vg = sum(f["v_supply"] for f in feats)
    lo, hi = sum(f["v_fmin"] for f in feats), sum(f["v_fmax"] for f in feats)
    k = 0.5 * (lo + hi) / vg
    print(f"   {clock(t0)} k = 1: sum V_g {vg / 1e6:.2f} Mm3; sum V_fmin {lo / 1e6:.2f}, sum "
          f"V_fmax {hi / 1e6:.2f} Mm3 (ratio {hi / lo:.4f}): feasible for k in "
          f"[{lo / vg:.4f}, {hi / vg:.4f}]; k = {k:.4f}", flush=True)
    return k, (lo / vg, hi / vg), (vg, lo, hi)


# --- figures ------------------------------------------------------------------------

def load(name):
    from hpcs_landform.core.grid import read_raster
    return read_raster(str(OUT / name))


def pristine():
    """The pre-mining DEM (channels, ridges and classes are computed on it; PNL.tif is
    PNL with the final pit, the erosion reference)."""
    from hpcs_landform.core.grid import read_raster
    return read_raster(str(DEM))


def mine_mask(grid):
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons
    ds = ogr.Open(str(MINE_AREA))
    return rasterize_polygons([f.GetGeometryRef().ExportToWkb() for f in ds.GetLayer()], grid)


def window(mask, margin, shape):
    import numpy as np
    rr, cc = np.nonzero(mask)
    return (slice(max(rr.min() - margin, 0), min(rr.max() + margin + 1, shape[0])),
            slice(max(cc.min() - margin, 0), min(cc.max() + margin + 1, shape[1])))


def channel_figure(threshold, ridge_threshold, path):
    """Channels (blue) and ridges (red) of PNL over its hillshade (whole DEM)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from figures_landforms import hillshade
    z, g = pristine()
    ch, _ = load("channels.tif")
    ri, _ = load("ridges.tif")
    rgba = np.zeros(z.shape + (4,))
    rgba[ri == 1] = (0.80, 0.15, 0.10, 1.0)
    rgba[ch == 1] = (0.10, 0.40, 0.90, 1.0)
    x0, y0 = g.transform[0], g.transform[3]
    ext = (x0, x0 + g.dx * z.shape[1], y0 - g.dy * z.shape[0], y0)
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.imshow(hillshade(z, g.dx, g.dy), cmap="gray", extent=ext)
    ax.imshow(rgba, extent=ext, interpolation="nearest")
    mine = mine_mask(g)
    xs = np.linspace(ext[0] + g.dx / 2, ext[1] - g.dx / 2, z.shape[1])
    ys = np.linspace(ext[3] - g.dy / 2, ext[2] + g.dy / 2, z.shape[0])
    ax.contour(xs, ys, mine.astype(float), levels=[0.5], colors="yellow", linewidths=1.2)
    ax.set_title(f"PNL: channels (blue, >= {threshold} cells), ridges (red, >= "
                 f"{ridge_threshold} cells); mine area (yellow)", fontsize=9)
    ax.set_xlabel("Easting (m)")
    ax.set_ylabel("Northing (m)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def landform_channels_figure(path):
    """Each landform's hillshade with its channels in the dump: shared with PNL
    (blue), lost (orange, PNL only), new (red); PNL with its own channels."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from figures_landforms import hillshade
    from matplotlib.patches import Patch
    pnl, g = pristine()
    mine = mine_mask(g)
    rows, cols = window(mine, 6, g.shape)
    x0, y0 = g.transform[0], g.transform[3]
    ext = (x0 + cols.start * g.dx, x0 + cols.stop * g.dx, y0 - rows.stop * g.dy,
           y0 - rows.start * g.dy)
    panels = [("PNL", pnl, None)]
    for f in FORMS:
        panels.append((f, load(f"{f}.tif")[0], load(f"fusion_{f.lower()}_channels.tif")[0]))
    tall = (rows.stop - rows.start) > (cols.stop - cols.start)
    if tall:        # a north-south mine: the panels side by side
        fig, axes = plt.subplots(1, len(panels), figsize=(2.6 * len(panels) + 0.8, 9),
                                 constrained_layout=True)
    else:
        fig, axes = plt.subplots(len(panels), 1, figsize=(11, 2.2 * len(panels) + 0.8),
                                 constrained_layout=True)
    colours = {1: (0.10, 0.35, 0.90, 1), 2: (1.0, 0.60, 0.0, 1), 3: (0.85, 0.05, 0.05, 1),
               4: (0.45, 0.65, 1.0, 0.8)}
    pnl_ch = load("channels.tif")[0]
    for i, (ax, (name, z, ch)) in enumerate(zip(axes, panels)):
        ax.imshow(hillshade(z, g.dx, g.dy)[rows, cols], cmap="gray", extent=ext, vmin=0, vmax=1)
        rgba = np.zeros(z.shape + (4,))
        if ch is None:
            rgba[pnl_ch == 1] = colours[1]
        else:
            for code, col in colours.items():
                rgba[ch == code] = col
        ax.imshow(rgba[rows, cols], extent=ext, interpolation="nearest")
        ax.contour(np.linspace(ext[0] + g.dx / 2, ext[1] - g.dx / 2, cols.stop - cols.start),
                   np.linspace(ext[3] - g.dy / 2, ext[2] + g.dy / 2, rows.stop - rows.start),
                   mine[rows, cols].astype(float), levels=[0.5], colors="yellow",
                   linewidths=0.8)
        ax.set_title(f"({chr(97 + i)}) {name}", fontsize=10, loc="left")
        ax.tick_params(labelsize=7)
    fig.legend(handles=[Patch(color=colours[1], label="channel shared with PNL (PNL: its "
                              "channels)"),
                        Patch(color=colours[2], label="lost (PNL only)"),
                        Patch(color=colours[3], label="new (landform only)"),
                        Patch(color=colours[4], label="landform's channels outside the dump"),
                        Patch(facecolor="none", edgecolor="yellow", label="mine area")],
               loc="lower center", ncol=3, fontsize=8, frameon=False,
               bbox_to_anchor=(0.5, -0.06))
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def figures(threshold, ridge_threshold, slopes):
    """Every figure; a figure that fails is reported, the demo goes on."""
    made = []

    def attempt(name, fn):
        try:
            fn(OUT / name)
            made.append(OUT / name)
        except Exception as exc:  # noqa: BLE001 (a figure must not stop the demo)
            print(f"   figure {name} not drawn: {exc!r}")

    def classes(path):
        from figures_surfaces import surfaces_figure
        z, g = pristine()
        surfaces_figure(z, load("classes.tif")[0], load("dem_max.tif")[0],
                        load("dem_min.tif")[0], g.dx, g.dy, path,
                        title="Cell classes over the hillshade of PNL; earthwork surfaces")

    def landforms(path):
        from figures_landforms import landform_figure
        _, g = load("PNL.tif")
        mine = mine_mask(g)
        landform_figure({n: str(OUT / f"{n}.tif") for n in ("PNL",) + FORMS}, path,
                        window_mask=mine, margin=10, outline=mine, slopes=slopes)

    def supply(path):
        from figures_landforms import supply_figure
        if supply_figure(OUT / "subareas.csv", path) is None:
            raise ValueError("empty sub-area table")

    def perspective(path):
        from figures_landforms import perspective_landforms
        mine = mine_mask(load("PNL.tif")[1])
        perspective_landforms({n: str(OUT / f"{n}.tif") for n in ("PNL",) + FORMS}, path,
                              window_mask=mine, margin=10, outline=mine)

    attempt("channels.png", lambda p: channel_figure(threshold, ridge_threshold, p))
    attempt("classes.png", classes)
    attempt("supply.png", supply)
    attempt("landforms.png", landforms)
    attempt("landform_channels.png", landform_channels_figure)
    attempt("landforms_3d.png", perspective)
    return made


# --- the summary ----------------------------------------------------------------------

def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def plan_numbers(out=None):
    """Per plan: periods, periods meeting every constraint, sum V_g, V_fmin, V_fmax,
    pit length, from the sub-area layer (of the run in ``out``, default the demo's)."""
    from osgeo import ogr
    ds = ogr.Open(str((out or OUT) / "subareas.gpkg"))
    feats = [f.items() for f in ds.GetLayer()]
    out = {}
    for plan in ("original", "optimized"):
        mining = [a for a in feats if a["plan"] == plan and a["kind"] == "mining"]
        pit = [a for a in feats if a["plan"] == plan and a["kind"] == "final pit"]
        out[plan] = dict(
            periods=len(mining), ok=sum(a["status"] == "ok" for a in mining),
            supply=sum(a["v_supply"] for a in mining), fmin=sum(a["v_fmin"] for a in mining),
            fmax=sum(a["v_fmax"] for a in mining),
            pit=pit[0]["width_m"] if pit else float("nan"))
    return out


def held_volumes():
    """Volume between the seam floor and each landform over its plan's refilling
    strips (cell centres), m3."""
    import numpy as np
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    floor, g = read_raster(str(FLOOR))
    ds = ogr.Open(str(OUT / "subareas.gpkg"))
    feats = [(f.items(), f.GetGeometryRef().ExportToWkb()) for f in ds.GetLayer()]
    out = {}
    for f, plan in (("NNDL", "original"), ("MNNDL", "optimized"), ("TDL", "original")):
        dump = rasterize_polygons([w for a, w in feats if a["plan"] == plan
                                   and a["kind"] == "refilling"], g)
        z, _ = load(f"{f}.tif")
        out[f] = float(np.nansum((z - floor)[dump])) * g.cell_area
    return out


def fmt(v, kind):
    import math
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if kind == "pct":
        return f"{100 * v:.1f} %"
    if kind == "int":
        return f"{v:.0f}"
    if kind == "m3":
        return f"{v:,.0f}"
    return f"{v:.2f}"


def criteria(out=None):
    """(values {(landform, criterion): value}, winners {criterion: landform}) of a run's
    report.csv; the eroded volumes and their winner come from the erosion step's table
    (erosion.csv: PNL with the final pit as the reference, landforms named after their
    files), which the report may compute on another PNL."""
    out = out or OUT
    rows = read_csv(out / "report.csv")
    val = {(r["item"], r["quantity"]): float(r["value"]) for r in rows
           if r["section"] == "landform" and r["value"] not in ("", None)}
    wins = {r["item"]: r["value"] for r in rows
            if r["section"] == "winner" and r["quantity"] == "best"}
    erosion = {r["landform"]: float(r["eroded_m3"]) for r in read_csv(out / "erosion.csv")}
    for n, v in erosion.items():
        val[(n, "eroded")] = v
    forms = [f for f in FORMS if f in erosion]
    if forms:
        wins["eroded"] = min(forms, key=erosion.get)
    return val, wins


def summary(log):
    m = re.search(r"Channel threshold: (\d+) cells.*?ridge threshold: (\d+) cells", log)
    thr, rthr = (m.group(1), m.group(2)) if m else ("?", "?")
    plans = plan_numbers()
    val, best = criteria()
    wins = {k: {"best": v} for k, v in best.items()}
    erosion = {r["landform"]: r for r in read_csv(OUT / "erosion.csv")}
    try:
        from hpcs_landform.core.report import PAPER
    except ImportError:
        PAPER = {}
    held = held_volumes()
    names = ("PNL",) + FORMS
    print(f"\nChannel threshold (OTSU scaling break): {thr} cells; ridge threshold: {rthr} cells")
    weak = re.search(r"Weak channel break: .*? differ by only ([0-9.]+)", log)
    if weak:
        print(f"  (a weak break: the classes' log-log slopes differ by {weak.group(1)}, so this "
              "threshold is set by the DEM's extent, not the terrain; see the log)")
    for plan, p in plans.items():
        print(f"{plan.capitalize():9s} plan: {p['periods']} periods, {p['ok']} meet every "
              f"constraint; pit {p['pit']:.0f} m; sum V_g {p['supply'] / 1e6:.1f} Mm3 in "
              f"[{p['fmin'] / 1e6:.1f}, {p['fmax'] / 1e6:.1f}] Mm3 (V_g / V_fmin "
              f"{p['supply'] / p['fmin']:.4f})")
    print("Volume held by each landform over its dump (floor to surface): " + ", ".join(
        f"{f} {held[f] / 1e6:.2f} Mm3 ({100 * (held[f] / plans[('optimized' if f == 'MNNDL' else 'original')]['supply'] - 1):+.3f} % of its plan's supply)"
        for f in FORMS))
    crit = [("mean_slope", "Mean slope (deg)", "f"), ("fusion_rate", "Fusion rate", "pct"),
            ("fusion_rate_no_pit", "Fusion rate, no pit", "pct"),
            ("channel_overlap", "Channel overlap", "pct"), ("catchments", "Catchments", "int"),
            ("channel_length", "Channel length (m)", "int"),
            ("haul_distance", "Haul distance (m)", "int"), ("eroded", "Eroded (m3)", "m3")]
    w = 12
    head = f"{'criterion':22s}" + "".join(f"{n:>{w}s}" for n in names) + f"  {'wins':>6s}" + \
        "   | paper: " + " ".join(f"{n:>8s}" for n in names)
    print("\n" + head)
    print("-" * len(head))
    for key, label, kind in crit:
        line = f"{label:22s}" + "".join(f"{fmt(val.get((n, key)), kind):>{w}s}" for n in names)
        line += f"  {wins.get(key, {}).get('best', ''):>6s}"
        paper = PAPER.get(key, {})
        line += "   |        " + " ".join(f"{fmt(paper.get(n), kind):>8s}" for n in names)
        print(line)
    ranks = [erosion.get(n, {}).get("rank", "-") for n in names]
    paper = PAPER.get("eroded", {})
    order = sorted(paper, key=paper.get)
    print(f"{'Erosion rank (1 best)':22s}" + "".join(f"{r:>{w}}" for r in ranks) +
          f"  {'':>6s}   |        " + " ".join(
              f"{order.index(n) + 1 if n in order else '-':>8}" for n in names))
    print("(eroded: the erosion step over the dump, PNL with the landforms' final pit; paper: "
          "Xia et al. 2023,\n Tables 1-2, on their own mine; the demo is a different site and "
          "DEM, so compare the ranking, not the values)")


def main():
    t0 = time.time()
    from osgeo import gdal
    gdal.PushErrorHandler("CPLQuietErrorHandler")   # GDAL's CRS notes on in-memory masks
    OUT.mkdir(exist_ok=True)
    for name in list(OUTPUTS.values()) + ["balance"]:          # a rerun starts clean
        p = OUT / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
    print(f"HPCS Landform demo: {MODEL} on the demo plan (data/demo/: {DEM.name}, "
          f"{MINE_AREA.name}, {FLOOR.name}, {THICKNESS.name})")
    print(f"   direction {PLAN['direction']:g} deg, strips {PLAN['strip_width']:g} m; outputs "
          f"in {OUT}")
    print(f"\n== 0. k, the spoil swell (eq. 6), at the middle of the feasible range {clock(t0)}",
          flush=True)
    k, _, _ = balanced_k(DEM, FLOOR, THICKNESS, MINE_AREA, PLAN["direction"],
                         PLAN["strip_width"], OUT / "balance", t0)
    params = {"DEM": DEM, "FLOOR": FLOOR, "THICKNESS": THICKNESS, "MINE_AREA": MINE_AREA,
              "DIRECTION": PLAN["direction"], "STRIP_WIDTH": PLAN["strip_width"],
              "K": f"{k:.6f}"}
    params.update({k: OUT / v for k, v in OUTPUTS.items()})
    print(f"\n== 1. the model through {QGIS_PROCESS}", flush=True)
    res, log = run_model(params, t0)
    missing = [k for k in OUTPUTS if not Path(res.get(k, OUT / OUTPUTS[k])).exists()]
    print(f"   {len(OUTPUTS) - len(missing)} of {len(OUTPUTS)} outputs written"
          + (f"; missing: {', '.join(missing)}" if missing else ""))

    print(f"\n== 2. figures {clock(t0)}", flush=True)
    m = re.search(r"Channel threshold: (\d+) cells.*?ridge threshold: (\d+) cells", log)
    rows = read_csv(OUT / "report.csv") if (OUT / "report.csv").exists() else []
    slopes = {r["item"]: float(r["value"]) for r in rows
              if r["section"] == "landform" and r["quantity"] == "mean_slope"}
    for p in figures(m.group(1) if m else "?", m.group(2) if m else "?", slopes):
        print(f"   {p}")

    print(f"\n== 3. headline numbers {clock(t0)}")
    summary(log)
    print(f"\nDemo finished in {time.time() - t0:.0f} s. Layers, tables and figures: {OUT}")
    print(f"Report: {OUT / 'report.html'}")


if __name__ == "__main__":
    main()
