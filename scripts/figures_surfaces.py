#!/usr/bin/env python3
"""Figure like the paper's Fig. 3: the cell classes over a hillshade of the
pre-mining DEM, and a profile of dem_max / dem_min / dem_or across the area.

As a function (used by the demo)::

    from scripts.figures_surfaces import surfaces_figure
    surfaces_figure(z, classes, dem_max, dem_min, dx, dy, "surfaces.png")

or from the command line, on rasters written by hpcs:classifycells and
hpcs:earthworksurfaces::

    python3 scripts/figures_surfaces.py DEM.tif CLASSES.tif MAX.tif MIN.tif OUT.png [--row R]
        [--quality QUALITY.png]

``quality_figure`` (``--quality``) draws the design-quality figure: PNL,
dem_min and dem_max hillshaded side by side over the area, spikes circled,
with the spike count and both mean slopes in each title.

Only numpy and matplotlib (Agg backend); GDAL for the command line.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "build") not in sys.path:
    sys.path.insert(0, str(ROOT / "build"))
import numpy as np

from hpcs_landform.core.landform import hillshade  # noqa: E402

#: class code -> (name, colour), the same as core.classify and the QML legend
CLASSES = (
    (0.0, "0 other", "#fff7bc"),
    (1.0, "1 fixed channel", "#1f5ad1"),
    (1.5, "1.5 confluence", "#8c28be"),
    (2.0, "2 semi-fixed channel", "#00bee6"),
    (3.0, "3 watershed", "#c82828"),
    (4.0, "4 floating channel", "#fa8c00"),
)


def _area_box(classes):
    inside = np.isfinite(classes) & (classes != 5)
    rr = np.flatnonzero(inside.any(axis=1))
    cc = np.flatnonzero(inside.any(axis=0))
    return rr[0], rr[-1], cc[0], cc[-1]


def surfaces_figure(z, classes, dem_max, dem_min, dx, dy, path, row=None, title=None,
                    margin=None):
    """Write a two-panel PNG to ``path``.

    (a) the classes inside the area over a hillshade of ``z`` (zoomed to the
    area with ``margin`` cells around it, default a third of its size), the
    profile line in black; (b) dem_or, dem_max and dem_min along the row
    ``row`` (default: the area's row with the most channel cells), the class
    of each cell on the line as coloured ticks along the bottom.
    Returns ``path``.
    """
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap
    from matplotlib.patches import Patch

    z = np.asarray(z, dtype=np.float64)
    classes = np.asarray(classes, dtype=np.float64)
    r0, r1, c0, c1 = _area_box(classes)
    if margin is None:
        margin = max(3, (max(r1 - r0, c1 - c0) + 1) // 3)
    R0, R1 = max(r0 - margin, 0), min(r1 + margin + 1, z.shape[0])
    C0, C1 = max(c0 - margin, 0), min(c1 + margin + 1, z.shape[1])
    if row is None:
        chan = np.isin(classes[r0:r1 + 1, c0:c1 + 1], (1.0, 1.5, 2.0, 4.0)).sum(axis=1)
        row = r0 + int(np.argmax(chan))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(13, 5.6),
                                   gridspec_kw={"width_ratios": [1, 1.25]})
    sub = (slice(R0, R1), slice(C0, C1))
    extent = (C0 * dx, C1 * dx, R1 * dy, R0 * dy)      # metres from the grid's top-left
    ax1.imshow(hillshade(z, dx, dy)[sub], cmap="gray", extent=extent, interpolation="nearest")
    codes = [c for c, _, _ in CLASSES]
    cmap = ListedColormap([col for _, _, col in CLASSES])
    norm = BoundaryNorm([-0.5, 0.75, 1.25, 1.75, 2.5, 3.5, 4.5], cmap.N)
    # class 0 is left clear so the hillshade shows through, as in the paper's Fig. 3
    shown = np.where(np.isin(classes, codes[1:]), classes, np.nan)[sub]
    ax1.imshow(np.ma.masked_invalid(shown), cmap=cmap, norm=norm, alpha=0.8, extent=extent,
               interpolation="nearest")
    ax1.plot([c0 * dx, (c1 + 1) * dx], [(row + 0.5) * dy] * 2, "k-", lw=1.5)
    ax1.add_patch(plt.Rectangle((c0 * dx, r0 * dy), (c1 - c0 + 1) * dx, (r1 - r0 + 1) * dy,
                                fill=False, ec="k", lw=0.8, ls="--"))
    counts = {c: int(np.count_nonzero(classes == c)) for c in codes}
    handles = [Patch(facecolor="none", edgecolor="k", ls="--",
                     label=f"0 other, hillshade ({counts[0.0]})")]
    handles += [Patch(color=col, label=f"{name} ({counts[c]})") for c, name, col in CLASSES[1:]]
    ax1.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.0, -0.13), ncol=2,
               fontsize=8, frameon=False)
    ax1.set_title("(a) cell classes (outside the dashed area: boundary, 5)", fontsize=10)
    ax1.set_xlabel("x (m from the DEM's left edge)")
    ax1.set_ylabel("y (m from the DEM's top edge)")

    cs = slice(max(c0 - margin, 0), min(c1 + margin + 1, z.shape[1]))
    x = (np.arange(z.shape[1])[cs] + 0.5) * dx
    ax2.plot(x, dem_max[row, cs], color="#d7191c", lw=1.6, label="dem_max (maximum surface)")
    ax2.plot(x, dem_min[row, cs], color="#2b83ba", lw=1.6, label="dem_min (minimum surface)")
    ax2.plot(x, z[row, cs], color="k", lw=1.0, ls="--", label="dem_or (pre-mining DEM)")
    ax2.fill_between(x, dem_min[row, cs], dem_max[row, cs], color="#fdae61", alpha=0.25,
                     label="feasible band")
    lo = np.nanmin([np.nanmin(dem_min[row, cs]), np.nanmin(z[row, cs])])
    hi = np.nanmax([np.nanmax(dem_max[row, cs]), np.nanmax(z[row, cs])])
    tick = lo - 0.04 * (hi - lo + 1)
    for c, name, col in CLASSES:
        on = classes[row, cs] == c
        if on.any():
            ax2.scatter(x[on], np.full(on.sum(), tick), marker="|", s=120, color=col)
    ax2.axvspan(c0 * dx, (c1 + 1) * dx, color="0.9", zorder=0)
    ax2.set_xlabel("x along the profile line (m)")
    ax2.set_ylabel("elevation (m)")
    ax2.set_title(f"(b) profile along row {row} (grey: the area; ticks: classes)",
                  fontsize=10)
    ax2.legend(fontsize=8, loc="best")
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    fig.savefig(str(path), dpi=130)
    plt.close(fig)
    return path


def quality_figure(panels, area, dx, dy, path, title=None, margin=3, angle=25.0, ncols=None):
    """Hillshades side by side (design quality, docs/method.md section 5).

    ``panels``: list of (label, z) - e.g. PNL, dem_min, dem_max, before and
    after the slope limit; ``area``: bool mask of the reshaping area (drawn
    as a yellow outline).  Each panel is zoomed to the area with ``margin``
    cells around it; spikes (``core.quality.spike_mask`` at ``angle``) are
    circled in red and counted in the panel's title with the Horn and step
    mean slopes over the area.  ``ncols`` panels per row (default: all in a
    column when the area is wider than high, else all in a row).
    Returns ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hpcs_landform.core.quality import design_quality, spike_mask

    area = np.asarray(area, dtype=bool)
    rr = np.flatnonzero(area.any(axis=1))
    cc = np.flatnonzero(area.any(axis=0))
    rows = slice(max(rr[0] - margin, 0), min(rr[-1] + margin + 1, area.shape[0]))
    cols = slice(max(cc[0] - margin, 0), min(cc[-1] + margin + 1, area.shape[1]))
    h, w = rows.stop - rows.start, cols.stop - cols.start
    n = len(panels)
    if ncols is None:
        ncols = 1 if w > h else n
    nrows = -(-n // ncols)
    width = 13.0 if ncols == 1 else 4.2 * ncols
    ph = width / ncols * h * dy / (w * dx)
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, nrows * (ph + 0.55) + 0.4),
                             squeeze=False)
    extent = (cols.start * dx, cols.stop * dx, rows.stop * dy, rows.start * dy)
    ys = (np.arange(rows.start, rows.stop) + 0.5) * dy
    xs = (np.arange(cols.start, cols.stop) + 0.5) * dx
    for ax, (label, z) in zip(axes.ravel(), panels):
        z = np.asarray(z, dtype=np.float64)
        ax.imshow(hillshade(z, dx, dy)[rows, cols], cmap="gray", vmin=0, vmax=1,
                  extent=extent, interpolation="nearest")
        ax.contour(xs, ys, area[rows, cols].astype(float), levels=[0.5], colors="yellow",
                   linewidths=0.8)
        q = design_quality(z, area, dx, dy, angle=angle)
        sr, sc = np.nonzero(spike_mask(z, area, min(dx, dy), angle=angle)[rows, cols])
        ax.scatter((cols.start + sc + 0.5) * dx, (rows.start + sr + 0.5) * dy, s=40,
                   facecolors="none", edgecolors="red", linewidths=1.0)
        ax.set_title(f"{label}: {q.spikes} spikes, slope Horn {q.horn_slope:.2f} / step "
                     f"{q.step_slope:.2f} deg", fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(str(path), dpi=110)
    plt.close(fig)
    return path


def write_rectangle(path, grid, rows, cols):
    """A GeoPackage with one polygon covering the cells rows x cols (slices),
    its edges 10 m inside the cell edges so cell centres decide."""
    from osgeo import ogr, osr
    x0, dx, _, y0, _, dy = grid.transform
    xa, xb = x0 + cols.start * dx + 10, x0 + cols.stop * dx - 10
    ya, yb = y0 + rows.start * dy - 10, y0 + rows.stop * dy + 10
    srs = osr.SpatialReference()
    srs.ImportFromWkt(grid.crs_wkt)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(str(path))
    layer = ds.CreateLayer("mine_area", srs, ogr.wkbPolygon)
    ring = ogr.Geometry(ogr.wkbLinearRing)
    for x, y in ((xa, ya), (xb, ya), (xb, yb), (xa, yb), (xa, ya)):
        ring.AddPoint_2D(x, y)
    poly = ogr.Geometry(ogr.wkbPolygon)
    poly.AddGeometry(ring)
    feat = ogr.Feature(layer.GetLayerDefn())
    feat.SetGeometry(poly)
    layer.CreateFeature(feat)
    ds = None
    return str(path)


#: the sample mine area on the jacksboro DEM (rows, cols): 3.2 km x 4 km on the
#: DEM's south edge, across several valleys (the area of the tests)
SAMPLE_ROWS, SAMPLE_COLS = slice(344, 384), slice(270, 320)


def run_demo(run, dem, channels, out_dir):
    """Demo step: classes and both surfaces of the sample mine area, and the
    figure.  ``run(alg_id, params) -> results`` runs an algorithm (e.g. through
    qgis_process.bin); ``channels`` is the result dict of
    hpcs:channelextraction on ``dem``.  Returns the paths written."""
    from hpcs_landform.core.grid import read_raster
    out_dir = Path(out_dir)
    z, g = read_raster(dem)
    area = write_rectangle(out_dir / "mine_area.gpkg", g, SAMPLE_ROWS, SAMPLE_COLS)
    cls = run("hpcs:classifycells", {
        "INPUT": dem, "AREA": area, "FLOWDIR": channels["OUTPUT_FLOWDIR"],
        "CHANNELS": channels["OUTPUT_CHANNELS"], "RIDGES": channels["OUTPUT_RIDGES"],
        "CATCHMENTS": channels["OUTPUT_CATCHMENTS"], "OUTPUT": out_dir / "classes.tif"})
    surf = run("hpcs:earthworksurfaces", {
        "INPUT": dem, "CLASSES": out_dir / "classes.tif",
        "FLOWDIR": channels["OUTPUT_FLOWDIR"], "CATCHMENTS": channels["OUTPUT_CATCHMENTS"],
        "OUTPUT_MAX": out_dir / "dem_max.tif", "OUTPUT_MIN": out_dir / "dem_min.tif"})
    c, _ = read_raster(out_dir / "classes.tif")
    hi, _ = read_raster(out_dir / "dem_max.tif")
    lo, _ = read_raster(out_dir / "dem_min.tif")
    png = surfaces_figure(z, c, hi, lo, g.dx, g.dy, out_dir / "surfaces.png",
                          title="HPCS cell classes and earthwork surfaces, sample mine area")
    return {"area": area, "classes": str(out_dir / "classes.tif"), "counts": cls,
            "numbers": surf, "dem_max": str(out_dir / "dem_max.tif"),
            "dem_min": str(out_dir / "dem_min.tif"), "figure": str(png)}


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dem")
    ap.add_argument("classes")
    ap.add_argument("dem_max")
    ap.add_argument("dem_min")
    ap.add_argument("out")
    ap.add_argument("--row", type=int, default=None)
    ap.add_argument("--quality", help="also write the design-quality figure to this PNG")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "build"))
    from hpcs_landform.core.grid import read_raster
    z, g = read_raster(args.dem)
    c, _ = read_raster(args.classes)
    hi, _ = read_raster(args.dem_max)
    lo, _ = read_raster(args.dem_min)
    print(surfaces_figure(z, c, hi, lo, g.dx, g.dy, args.out, row=args.row))
    if args.quality:
        area = np.isfinite(c) & (c != 5)
        print(quality_figure([("PNL", z), ("dem_min", lo), ("dem_max", hi)], area, g.dx, g.dy,
                             args.quality))


if __name__ == "__main__":
    main(sys.argv[1:])
