#!/usr/bin/env python3
"""Landform figures (issue 5): PNL, NNDL, MNNDL and TDL side by side as
elevation-tinted hillshades with one colour scale, like the paper's Fig. 12(a)-(d).

Use from the demo:

    from figures_landforms import landform_figure
    landform_figure({"PNL": dem, "NNDL": nndl, "MNNDL": mnndl, "TDL": tdl}, "landforms.png",
                    window_mask=mine_mask_or_None)

or run the whole sample chain through qgis_process.bin (channels -> classes ->
surfaces -> sub-areas -> landforms -> cut/fill) and write the figure:

    /usr/bin/python3 scripts/figures_landforms.py [OUT_DIR]     (default demo_output/landforms)

matplotlib with the Agg backend; no QGIS needed for the figure itself.
"""
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "build") not in sys.path:
    sys.path.insert(0, str(ROOT / "build"))
from hpcs_landform.core.landform import hillshade  # noqa: E402

SAMPLE = ROOT / "data" / "sample"


def _load(item):
    """(array, Grid) from a path or an (array, Grid) pair."""
    if isinstance(item, (str, Path)):
        sys.path.insert(0, str(ROOT / "build"))
        from hpcs_landform.core.grid import read_raster
        return read_raster(str(item))
    return item


def _window(shape, window_mask, margin):
    """(r0, r1, c0, c1): the bounding box of ``window_mask`` plus ``margin`` cells,
    within the grid (the whole grid without a mask)."""
    import numpy as np
    rows, cols = shape
    if window_mask is None or not np.any(window_mask):
        return 0, rows, 0, cols
    rr, cc = np.nonzero(window_mask)
    return (max(rr.min() - margin, 0), min(rr.max() + margin + 1, rows),
            max(cc.min() - margin, 0), min(cc.max() + margin + 1, cols))


def landform_figure(surfaces, out_png, window_mask=None, margin=8, outline=None,
                    titles=None, slopes=None, dpi=120):
    """Write the panels side by side, one shared elevation colour scale.

    surfaces: dict label -> GeoTIFF path or (array, Grid), in panel order
    (e.g. PNL, NNDL, MNNDL, TDL).  window_mask: boolean array; the panels are
    cropped to its bounding box plus ``margin`` cells (None = whole grid).
    outline: boolean array drawn as a contour (e.g. the mine area).  slopes:
    optional dict label -> mean slope (degrees) written under the titles.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib import colors

    items = [(k, _load(v)) for k, v in surfaces.items()]
    grid = items[0][1][1]
    r0, r1, c0, c1 = _window(grid.shape, window_mask, margin)
    crops = [(k, a[r0:r1, c0:c1]) for k, (a, _) in items]
    vmin = min(float(np.nanpercentile(a, 1)) for _, a in crops)
    vmax = max(float(np.nanpercentile(a, 99)) for _, a in crops)
    norm = colors.Normalize(vmin=vmin, vmax=vmax)
    cmap = plt.get_cmap("terrain")
    x0, y0 = grid.transform[0], grid.transform[3]
    ext = (x0 + c0 * grid.dx, x0 + c1 * grid.dx, y0 - r1 * grid.dy, y0 - r0 * grid.dy)
    n = len(crops)
    wide = (c1 - c0) >= 1.6 * (r1 - r0)
    nrow, ncol = (n, 1) if wide else (1, n)
    aspect = (r1 - r0) / max(c1 - c0, 1)
    size = (10, (0.6 + 8.5 * aspect) * n) if wide else (4.2 * n, 4.2 * aspect + 1.2)
    fig, axes = plt.subplots(nrow, ncol, figsize=size, squeeze=False, constrained_layout=True)
    for i, (ax, (label, a)) in enumerate(zip(axes.ravel(), crops)):
        hs = hillshade(a, grid.dx, grid.dy)
        rgb = cmap(norm(np.where(np.isfinite(a), a, vmin)))[..., :3]
        shaded = rgb * (0.35 + 0.65 * np.nan_to_num(hs, nan=1.0))[..., None]
        rgba = np.dstack([np.clip(shaded, 0, 1), np.isfinite(a).astype(float)])
        ax.imshow(rgba, extent=ext, interpolation="nearest")
        if outline is not None:
            o = outline[r0:r1, c0:c1].astype(float)
            xs = np.linspace(ext[0] + grid.dx / 2, ext[1] - grid.dx / 2, o.shape[1])
            ys = np.linspace(ext[3] - grid.dy / 2, ext[2] + grid.dy / 2, o.shape[0])
            ax.contour(xs, ys, o, levels=[0.5], colors="k", linewidths=0.6)
        t = (titles or {}).get(label, label)
        if slopes and label in slopes:
            t += f"  (mean slope {slopes[label]:.2f} deg)"
        ax.set_title(f"({chr(97 + i)}) {t}", fontsize=10)
        ax.tick_params(labelsize=7)
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=axes.ravel().tolist(), shrink=0.9, label="Elevation (m)")
    fig.savefig(out_png, dpi=dpi)
    plt.close(fig)
    return str(out_png)


def perspective_landforms(surfaces, out_png, window_mask=None, margin=8, outline=None,
                          dpi=110):
    """3-D perspective views of the surfaces side by side (the paper's Fig. 12 a-d),
    drawn by the report's own renderer (core.render.perspective_figure: the same
    view, vertical exaggeration and colours for all).

    surfaces: dict label -> GeoTIFF path or (array, Grid), in panel order;
    window_mask / margin: crop as landform_figure; outline: mask drawn darker.
    Returns (path, vertical exaggeration).
    """
    import numpy as np

    from hpcs_landform.core.render import perspective_figure, png_bytes
    items = [(k, _load(v)) for k, v in surfaces.items()]
    grid = items[0][1][1]
    r0, r1, c0, c1 = _window(grid.shape, window_mask, margin)
    fig, exag = perspective_figure(
        [(k, a[r0:r1, c0:c1]) for k, (a, _) in items], grid.dx, grid.dy,
        outline=None if outline is None else np.asarray(outline)[r0:r1, c0:c1])
    Path(out_png).write_bytes(png_bytes(fig, dpi=dpi))
    return str(out_png), exag


def supply_figure(table_csv, out_png, dpi=120):
    """Supply V_g and demand bounds V_fmin / V_fmax per period from the sub-area
    table (CSV of hpcs:subareadelineation), like the paper's Fig. 12(e)."""
    import csv

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    with open(table_csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return None
    fig, ax = plt.subplots(figsize=(9, 3.6))
    plans = sorted({r.get("plan", "") for r in rows})
    for plan in plans:
        sel = [r for r in rows if r.get("plan", "") == plan]
        try:
            per = [int(float(r["period"])) for r in sel]
            for key, style, label in (("v_supply", "-", "V_g"), ("v_fmin", ":", "V_fmin"),
                                      ("v_fmax", "--", "V_fmax")):
                col = key if key in sel[0] else f"{key}_m3"
                ax.plot(per, [float(r[col]) / 1e6 for r in sel], style,
                        label=f"{label} ({plan})" if plan else label)
        except (KeyError, ValueError):
            continue
    ax.set_xlabel("Period")
    ax.set_ylabel("Volume (Mm3)")
    ax.legend(fontsize=7, ncol=3)
    fig.tight_layout()
    fig.savefig(out_png, dpi=dpi)
    plt.close(fig)
    return str(out_png)


def run_sample(out_dir):
    """The sample chain through qgis_process.bin; returns a dict of results."""
    import tempfile
    sys.path.insert(0, str(ROOT / "tests"))
    from qgis_process_util import parse_results, qgis_process
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="hpcs_landforms_profile_"))
    dem = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"

    def run(alg, params):
        t0 = time.time()
        args = ["run", alg, "--"] + [f"{k}={v}" for k, v in params.items()]
        proc = qgis_process(args, profile)
        if proc.returncode != 0:
            print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
            raise SystemExit(f"{alg} failed (exit {proc.returncode})")
        print(f"   {alg} done in {time.time() - t0:.1f} s", flush=True)
        return parse_results(proc.stdout)

    ch = {n: out / f"{n.lower()}.tif" for n in ("FLOWDIR", "CHANNELS", "RIDGES", "CATCHMENTS")}
    run("hpcs:channelextraction", dict({"INPUT": dem, "THRESHOLD_METHOD": 0},
                                       **{f"OUTPUT_{k}": v for k, v in ch.items()}))
    run("hpcs:classifycells", {"INPUT": dem, "AREA": SAMPLE / "mine_area.geojson",
                               "FLOWDIR": ch["FLOWDIR"], "CHANNELS": ch["CHANNELS"],
                               "RIDGES": ch["RIDGES"], "CATCHMENTS": ch["CATCHMENTS"],
                               "OUTPUT": out / "classes.tif"})
    run("hpcs:earthworksurfaces", {"INPUT": dem, "CLASSES": out / "classes.tif",
                                   "FLOWDIR": ch["FLOWDIR"], "CATCHMENTS": ch["CATCHMENTS"],
                                   "OUTPUT_MAX": out / "dem_max.tif",
                                   "OUTPUT_MIN": out / "dem_min.tif"})
    sub = run("hpcs:subareadelineation", {
        "INPUT": dem, "FLOOR": SAMPLE / "seam_floor.tif",
        "THICKNESS": SAMPLE / "coal_thickness.tif", "SURFACE_MAX": out / "dem_max.tif",
        "SURFACE_MIN": out / "dem_min.tif", "MINE_AREA": SAMPLE / "mine_area.geojson",
        "DIRECTION": 270, "STRIP_WIDTH": 90, "OPTIMIZE": True,
        "OUTPUT": out / "subareas.gpkg", "OUTPUT_TABLE": out / "subareas.csv",
        "OUTPUT_CHART": out / "subareas.html"})
    common = {"INPUT": dem, "SURFACE_MAX": out / "dem_max.tif",
              "SURFACE_MIN": out / "dem_min.tif", "FLOOR": SAMPLE / "seam_floor.tif",
              "CATCHMENTS": ch["CATCHMENTS"], "SUBAREAS": out / "subareas.gpkg"}
    res = {"subareas": sub}
    res["NNDL"] = run("hpcs:nearnaturallandform", dict(common, PLAN=1,
                                                       OUTPUT=out / "nndl.tif"))
    res["MNNDL"] = run("hpcs:nearnaturallandform", dict(common, PLAN=0,
                                                        OUTPUT=out / "mnndl.tif"))
    res["MNNDL (no mitigation)"] = run("hpcs:nearnaturallandform", dict(
        common, PLAN=0, SLOPE_MITIGATION=False, OUTPUT=out / "mnndl_nomit.tif"))
    res["TDL"] = run("hpcs:traditionallandform", {
        "INPUT": dem, "FLOOR": SAMPLE / "seam_floor.tif", "SUBAREAS": out / "subareas.gpkg",
        "OUTPUT": out / "tdl.tif"})
    for name in ("nndl", "mnndl", "tdl"):
        res[f"cutfill_{name}"] = run("hpcs:cutfill", {
            "SURFACE_A": dem, "SURFACE_B": out / f"{name}.tif",
            "EVALUATION_AREA": SAMPLE / "mine_area.geojson", "TOLERANCE": 0.5,
            "OUTPUT": out / f"cutfill_{name}.tif", "OUTPUT_TABLE": out / f"cutfill_{name}.csv"})
    return res


def main(argv):
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "demo_output" / "landforms"
    t0 = time.time()
    res = run_sample(out)
    sys.path.insert(0, str(ROOT / "build"))
    import numpy as np
    from osgeo import ogr

    from hpcs_landform.core.grid import rasterize_polygons, read_raster
    from hpcs_landform.core.landform import slope_degrees
    dem_path = SAMPLE / "jacksboro_fault_dem_utm16n_80m.tif"
    dem, grid = read_raster(str(dem_path))
    ds = ogr.Open(str(SAMPLE / "mine_area.geojson"))
    mine = rasterize_polygons([f.GetGeometryRef().ExportToWkb() for f in ds.GetLayer()], grid)
    pnl_slope = float(np.nanmean(slope_degrees(dem, grid.dx, grid.dy)[mine]))
    slopes = {"PNL": pnl_slope}
    sds = ogr.Open(str(out / "subareas.gpkg"))
    feats = [(f.GetField("plan"), f.GetField("kind"), f.GetGeometryRef().ExportToWkb())
             for f in sds.GetLayer()]
    dump = rasterize_polygons([w for p, k, w in feats if p == "optimized" and k == "refilling"],
                              grid)
    print(f"\nMean slope of PNL (degrees): {pnl_slope:.2f} over the mine area, "
          f"{float(np.nanmean(slope_degrees(dem, grid.dx, grid.dy)[dump])):.2f} over the dump")
    for name in ("NNDL", "MNNDL", "MNNDL (no mitigation)", "TDL"):
        r = res[name]
        line = f"   {name}: mean slope of the dump {float(r['MEAN_SLOPE']):.2f}"
        if "VOLUME_ERROR_MAX" in r:
            line += f", largest strip volume error {float(r['VOLUME_ERROR_MAX']):.2e}"
        if "TOP_ELEVATION" in r:
            line += f", top platform {float(r['TOP_ELEVATION']):.1f} m"
        print(line)
        z, _ = read_raster(str(out / {"NNDL": "nndl.tif", "MNNDL": "mnndl.tif",
                                      "MNNDL (no mitigation)": "mnndl_nomit.tif",
                                      "TDL": "tdl.tif"}[name]))
        slopes[name] = float(np.nanmean(slope_degrees(z, grid.dx, grid.dy)[mine]))
    print("   mean slope over the whole mine area: " + ", ".join(
        f"{k} {v:.2f}" for k, v in slopes.items()))
    for name in ("nndl", "mnndl", "tdl"):
        r = res[f"cutfill_{name}"]
        print(f"   cut/fill {name.upper()} vs PNL over the mine area: cut "
              f"{float(r['CUT']) / 1e6:.2f} Mm3, fill {float(r['FILL']) / 1e6:.2f} Mm3, net "
              f"{float(r['NET']) / 1e6:.2f} Mm3")
    fig = landform_figure({"PNL": str(dem_path), "NNDL": str(out / "nndl.tif"),
                           "MNNDL": str(out / "mnndl.tif"), "TDL": str(out / "tdl.tif")},
                          out / "landforms.png", window_mask=mine, margin=10, outline=mine,
                          slopes={k: v for k, v in slopes.items()
                                  if k in ("PNL", "NNDL", "MNNDL", "TDL")})
    print(f"   figure: {fig}")
    fig3d, exag = perspective_landforms(
        {"PNL": str(dem_path), "NNDL": str(out / "nndl.tif"), "MNNDL": str(out / "mnndl.tif"),
         "TDL": str(out / "tdl.tif")}, out / "landforms_3d.png", window_mask=mine, margin=10)
    print(f"   figure: {fig3d} (vertical exaggeration {exag:g} x)")
    if (out / "subareas.csv").exists():
        print(f"   figure: {supply_figure(out / 'subareas.csv', out / 'supply.png')}")
    print(f"Done in {time.time() - t0:.0f} s")


if __name__ == "__main__":
    main(sys.argv)
