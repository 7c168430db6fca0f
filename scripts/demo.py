#!/usr/bin/env python3
"""`make demo`: run the HPCS Landform steps on the bundled sample data through
qgis_process.bin, as a batch user would, and write everything to demo_output/.

Run with /usr/bin/python3 (QGIS's Python); `make demo` does that.
"""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "demo_output"
SAMPLE = ROOT / "data" / "sample"
DEM = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
QGIS_PROCESS = "/usr/bin/qgis_process.bin"

sys.path.insert(0, str(ROOT / "build"))
sys.path.insert(0, str(ROOT / "tests"))


def step(title):
    print(f"\n== {title}", flush=True)


def run(alg, params, profile):
    """qgis_process.bin run ALG -- K=V ...; returns the Results dict."""
    from qgis_process_util import parse_results, qgis_process
    t0 = time.time()
    args = ["run", alg, "--"] + [f"{k}={v}" for k, v in params.items()]
    proc = qgis_process(args, profile)
    if proc.returncode != 0:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
        raise SystemExit(f"demo: {alg} failed (exit {proc.returncode})")
    print(f"   {alg} done in {time.time() - t0:.1f} s", flush=True)
    return parse_results(proc.stdout)


def hillshade(z, dx, dy, azimuth=315.0, altitude=45.0):
    import numpy as np
    gy, gx = np.gradient(z, dy, dx)
    slope = np.arctan(np.hypot(gx, gy))
    aspect = np.arctan2(-gx, gy)
    az, alt = np.radians(azimuth), np.radians(altitude)
    return np.sin(alt) * np.cos(slope) + np.cos(alt) * np.sin(slope) * np.cos(az - aspect)


def channel_figure(res, path):
    """Channels (blue) and ridges (red) over a hillshade of the DEM."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from hpcs_landform.core.grid import read_raster
    z, g = read_raster(DEM)
    ch, _ = read_raster(res["OUTPUT_CHANNELS"])
    ri, _ = read_raster(res["OUTPUT_RIDGES"])
    hs = hillshade(np.where(np.isfinite(z), z, np.nanmin(z)), g.dx, g.dy)
    rgba = np.zeros(z.shape + (4,))
    rgba[ri == 1] = (0.80, 0.15, 0.10, 1.0)
    rgba[ch == 1] = (0.10, 0.40, 0.90, 1.0)
    x0, y0 = g.transform[0], g.transform[3]
    ext = (x0, x0 + g.dx * z.shape[1], y0 - g.dy * z.shape[0], y0)
    fig, ax = plt.subplots(figsize=(8, 8))
    ax.imshow(hs, cmap="gray", extent=ext)
    ax.imshow(rgba, extent=ext, interpolation="nearest")
    ax.set_title(f"Channels (blue, >= {float(res['CHANNEL_THRESHOLD_USED']):g} cells) and "
                 f"ridges (red, >= {float(res['RIDGE_THRESHOLD_USED']):g} cells)")
    ax.set_xlabel("Easting (m)")
    ax.set_ylabel("Northing (m)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    OUT.mkdir(exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="hpcs_demo_profile_"))
    t0 = time.time()
    step("1. Channels and ridges (hpcs:channelextraction, threshold by OTSU)")
    names = ("FILLED", "FLOWDIR", "ACCUMULATION", "CHANNELS", "RIDGES", "CATCHMENTS")
    params = {"INPUT": DEM, "THRESHOLD_METHOD": 0}
    params.update({f"OUTPUT_{n}": OUT / f"{n.lower()}.tif" for n in names})
    res = run("hpcs:channelextraction", params, profile)
    print(f"   channel threshold: {float(res['CHANNEL_THRESHOLD_USED']):g} cells, "
          f"ridge threshold: {float(res['RIDGE_THRESHOLD_USED']):g} cells")
    channel_figure(res, OUT / "channels.png")
    for n in names:
        print(f"   {OUT / (n.lower() + '.tif')}")
    print(f"   figure: {OUT / 'channels.png'}")
    print(f"\nDemo finished in {time.time() - t0:.0f} s; outputs in {OUT}")


if __name__ == "__main__":
    main()
