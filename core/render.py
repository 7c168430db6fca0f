"""Rendering: every chart and HTML page the plugin writes (the comparison
report, the supply-demand chart of the sub-area delineation, the erosion
report).  Takes the data the evaluation cores return; computes nothing.

Figures are drawn on ``matplotlib.figure.Figure`` with an explicit
``FigureCanvasAgg``: no pyplot and no ``matplotlib.use``, so QGIS's own
backend is never switched.  Every image is embedded as a base64 PNG: each
page is one self-contained file.
"""
import base64
import html
import io
import math
from dataclasses import dataclass

import numpy as np

from .evaluation import (
    CRITERIA,
    PAPER,
    PAPER_ORDER,
    QUALITY_FIELDS,
    _finite,
    fmt_value,
    period_summary,
)
from .grid import atomic_output

# --------------------------------------------------------------------------
# shared
# --------------------------------------------------------------------------


def png_bytes(fig, dpi=100, tight=True):
    """The figure as PNG bytes (Agg canvas attached here, no global backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    return buf.getvalue()


def _png(fig, dpi=100):
    return base64.b64encode(png_bytes(fig, dpi)).decode("ascii")


def _img(alt, b64):
    return f"<img alt='{html.escape(alt)}' src='data:image/png;base64,{b64}'/>"


def write_text(path, text, suffix=".html"):
    """Write a page atomically (a failed run leaves no half-written file)."""
    with atomic_output(path, suffix) as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    return path


def _terrain():
    from matplotlib import colors
    return colors.LinearSegmentedColormap.from_list(
        "hpcs_terrain", ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#b35806"])


# --------------------------------------------------------------------------
# comparison report: figures
# --------------------------------------------------------------------------

def supply_chart(periods):
    """V_g, V_fmin, V_fmax per period, one panel per plan (Fig. 12(e))."""
    from matplotlib.figure import Figure
    plans = list(periods)
    fig = Figure(figsize=(7.5, 2.9 * len(plans)))
    axes = [fig.add_subplot(len(plans), 1, i + 1) for i in range(len(plans))]
    for ax, plan in zip(axes, plans):
        rows = periods[plan]
        p = [r["period"] for r in rows]
        ax.fill_between(p, [r["v_fmin"] / 1e6 for r in rows],
                        [r["v_fmax"] / 1e6 for r in rows], color="#9ecae1", alpha=0.45,
                        label="demand band [V_fmin, V_fmax]")
        ax.plot(p, [r["v_fmin"] / 1e6 for r in rows], color="#3182bd", lw=1,
                label="V_fmin (demand lower limit)")
        ax.plot(p, [r["v_fmax"] / 1e6 for r in rows], color="#08519c", lw=1, ls="--",
                label="V_fmax (demand upper limit)")
        ax.plot(p, [r["v_supply"] / 1e6 for r in rows], color="#d62728", marker="o", ms=3,
                lw=1.3, label="V_g (supply)")
        ax.set_title(f"{plan} plan")
        ax.set_ylabel("volume (Mm\u00b3)")
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("mining-refilling period")
    axes[0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return _png(fig)


def _panel_grid(n, h, w):
    aspect = w / max(h, 1)
    # wide mine areas (strips side by side along a long axis) stack vertically
    ncol = min(n, 1 if aspect > 2.5 else (2 if aspect > 1.2 else 4))
    nrow = int(math.ceil(n / ncol))
    pw = {1: 10.0, 2: 5.5}.get(ncol, 3.6)
    ph = max(1.6, pw / aspect)
    return nrow, ncol, pw, ph


def _elevation_range(arrays):
    finite = np.concatenate([a[np.isfinite(a)] for a in arrays])
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    return vmin, (vmax if vmax > vmin else vmin + 1.0)


def _class_rgb(classes):
    rgb = np.full(classes.shape + (3,), 0.88)
    for code, col in ((1, (0.13, 0.40, 0.67)), (2, (0.84, 0.38, 0.30)),
                      (3, (0.11, 0.62, 0.47)), (4, (0.62, 0.62, 0.62))):
        rgb[classes == code] = col
    return rgb


def landform_panels(report, what="channels"):
    """Hillshaded elevation with channels ('channels'), catchments and channels
    ('catchments') or the channel classes shared / lost / new ('classes') of
    PNL and each landform, side by side, one colour scale (Fig. 12 (a)-(d) /
    Fig. 13)."""
    from matplotlib import colors
    from matplotlib.figure import Figure
    maps = report.maps
    n = len(maps)
    h, w = maps[0][1].shape
    nrow, ncol, pw, ph = _panel_grid(n, h, w)
    fig = Figure(figsize=(pw * ncol, (ph + 0.35) * nrow + 0.9))
    vmin, vmax = _elevation_range([m[1] for m in maps])
    light = colors.LightSource(azdeg=315, altdeg=45)
    dx = (report.extent[1] - report.extent[0]) / max(w, 1)
    cmap = _terrain()
    norm = colors.Normalize(vmin, vmax)
    last = None
    for i, (name, z, ch, cat) in enumerate(maps):
        ax = fig.add_subplot(nrow, ncol, i + 1)
        zz = np.where(np.isfinite(z), z, vmin)
        shade = None
        if what == "catchments":
            rgb = _catchment_rgb(cat, report.dump)
        elif what == "classes":
            cls = report.channel_classes.get(name)
            rgb = _class_rgb(cls) if cls is not None else np.where(
                ch[..., None], np.array([0.04, 0.24, 0.57]), 0.88)
        else:
            img = light.shade(zz, cmap=cmap, norm=norm, blend_mode="soft", vert_exag=1.0,
                              dx=dx, dy=dx)[..., :3]
        if what != "channels":
            shade = light.hillshade(zz, vert_exag=1.0, dx=dx, dy=dx)
            img = rgb * (0.55 + 0.45 * shade[..., None])
        ax.imshow(img, extent=report.extent, interpolation="nearest")
        if what != "classes":
            chm = np.ma.masked_where(~ch, np.ones(ch.shape))
            ax.imshow(chm, extent=report.extent, cmap=colors.ListedColormap(["#0b3d91"]),
                      interpolation="nearest", alpha=0.9)
        if report.dump is not None and report.dump.any():
            ax.contour(np.flipud(report.dump.astype(float)), levels=[0.5],
                       extent=report.extent, colors="k", linewidths=0.8)
        ax.set_title(name, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        last = ax
    if what == "channels" and last is not None:
        from matplotlib.cm import ScalarMappable
        sm = ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=fig.axes, orientation="horizontal", fraction=0.04, pad=0.03,
                     shrink=0.6, aspect=40,
                     label="elevation (m), one scale for all panels")
    return _png(fig)


def _catchment_rgb(cat, dump):
    """Distinct colours for the catchments of the dump's cells, grey elsewhere."""
    rgb = np.full(cat.shape + (3,), 0.85)
    ids = np.unique(cat[dump & (cat > 0)]) if dump is not None else np.unique(cat[cat > 0])
    if ids.size:
        rng = np.random.default_rng(7)
        pal = rng.uniform(0.25, 0.95, size=(ids.size, 3))
        idx = np.searchsorted(ids, cat)
        idx = np.clip(idx, 0, ids.size - 1)
        hit = (ids[idx] == cat) & (cat > 0)
        rgb[hit] = pal[idx[hit]]
    return rgb


def _nice_exaggeration(relief, span):
    """A round vertical exaggeration that makes the relief about 15 % of the
    longer horizontal side (1 for steep ground, at most 20)."""
    if not relief > 0:
        return 1.0
    want = 0.15 * span / relief
    for e in (1, 2, 3, 5, 10, 20):
        if want <= e * 1.5:
            return float(e)
    return 20.0


@dataclass
class _View:
    """What every panel of the perspective view shares."""
    dx: float
    dy: float
    vmin: float
    vmax: float
    exag: float
    elev: float
    azim: float
    step: int
    edge: np.ndarray = None


def _perspective_panel(z, v, dpi):
    """One 3-D panel rendered alone (an Axes3D always draws in a square), as an
    RGBA array cropped to what was drawn."""
    from matplotlib import colors
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from mpl_toolkits.mplot3d import Axes3D  # noqa: F401 (registers the 3-D projection)
    zs = np.asarray(z, dtype=np.float64)[::v.step, ::v.step]
    h, w = zs.shape
    ok = np.isfinite(zs)
    zz = np.where(ok, zs, v.vmin)
    light = colors.LightSource(azdeg=315, altdeg=40)
    hs = light.hillshade(zz, vert_exag=v.exag, dx=v.dx * v.step, dy=v.dy * v.step)
    rgb = _terrain()(colors.Normalize(v.vmin, v.vmax)(zz))
    rgb[..., :3] *= (0.3 + 0.7 * hs)[..., None]
    rgb[..., 3] = np.where(ok, 1.0, 0.0)
    if v.edge is not None:
        rgb[v.edge, :3] *= 0.6
    fig = Figure(figsize=(8, 8), dpi=dpi)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1), projection="3d")
    yy, xx = np.mgrid[0:h, 0:w]
    ax.plot_surface(xx * v.dx * v.step, (h - 1 - yy) * v.dy * v.step, zz, facecolors=rgb,
                    rstride=1, cstride=1, linewidth=0, antialiased=False, shade=False)
    ax.set_box_aspect((w * v.dx * v.step, h * v.dy * v.step, (v.vmax - v.vmin) * v.exag))
    ax.set_zlim(v.vmin, v.vmax)
    ax.view_init(elev=v.elev, azim=v.azim)
    ax.set_axis_off()
    canvas.draw()
    img = np.asarray(canvas.buffer_rgba())
    drawn = np.nonzero((img[..., :3] < 250).any(axis=2))
    if not drawn[0].size:
        return img
    return img[drawn[0].min():drawn[0].max() + 1, drawn[1].min():drawn[1].max() + 1]


def perspective_figure(panels, dx, dy, *, exaggeration=None, elev=35.0, azim=-70.0,
                       max_cells=160, outline=None, dpi=110):
    """3-D perspective views side by side (the paper's Fig. 12 (a)-(d)).

    panels: [(name, z)] cropped to one window (same shape); dx, dy: cell size
    (m).  Every panel has the same view (elev, azim), the same vertical
    exaggeration (None: a round value making the relief about 15 % of the
    longer side) and the same elevation range and colours; hillshade-like
    colouring (matplotlib LightSource, light from the north-west).  Large
    windows are decimated to at most ``max_cells`` cells a side (display only).
    outline: optional bool mask (e.g. the mine area) whose edge is drawn dark.
    Returns (Figure, exaggeration).
    """
    from matplotlib.figure import Figure
    h, w = panels[0][1].shape
    vmin, vmax = _elevation_range([z for _, z in panels])
    v = _View(dx, dy, vmin, vmax, 1.0, elev, azim, max(1, int(math.ceil(max(h, w) / max_cells))))
    v.exag = float(exaggeration) if exaggeration else _nice_exaggeration(
        vmax - vmin, max(h * dy, w * dx))
    if outline is not None:         # the mask's edge cells, darkened in every panel
        from scipy import ndimage
        m = np.asarray(outline, dtype=bool)
        v.edge = (m & ~ndimage.binary_erosion(m))[::v.step, ::v.step]
    images = [_perspective_panel(z, v, dpi) for _, z in panels]
    ih = max(i.shape[0] for i in images)
    iw = max(i.shape[1] for i in images)
    ncol = 1 if iw > 2.2 * ih else 2
    nrow = int(math.ceil(len(images) / ncol))
    scale = min(1.0, (11.0 / ncol) / (iw / dpi))
    fig = Figure(figsize=(ncol * iw / dpi * scale, nrow * (ih / dpi * scale + 0.3) + 0.4))
    for i, ((name, _), img) in enumerate(zip(panels, images)):
        ax = fig.add_subplot(nrow, ncol, i + 1)
        ax.imshow(img, interpolation="antialiased")
        ax.set_axis_off()
        ax.set_title(f"({chr(97 + i)}) {name}", fontsize=10, loc="left")
    fig.suptitle(f"Perspective view, vertical exaggeration {v.exag:g} x, the same view and "
                 f"elevation colours ({vmin:.0f} to {vmax:.0f} m) in every panel", fontsize=10)
    fig.tight_layout()
    return fig, v.exag


def perspective_png(report):
    """The 3-D view of PNL and every landform of the report, base64 PNG."""
    fig, _ = perspective_figure([(m[0], m[1]) for m in report.maps],
                                *_cell_size(report), outline=report.dump)
    return _png(fig, dpi=110)


def _cell_size(report):
    h, w = report.maps[0][1].shape
    return ((report.extent[1] - report.extent[0]) / max(w, 1),
            (report.extent[3] - report.extent[2]) / max(h, 1))


def bar_chart(report):
    """Bar charts of the numeric criteria, one panel per criterion."""
    from matplotlib.figure import Figure
    keys = ["mean_slope", "fusion_rate", "fusion_rate_no_pit", "channel_overlap",
            "haul_distance", "eroded"]
    fig = Figure(figsize=(10, 5.2))
    allm = [report.pristine] + report.landforms
    for i, key in enumerate(keys):
        ax = fig.add_subplot(2, 3, i + 1)
        label, unit, direction = CRITERIA[key][:3]
        names = [m.name for m in allm if _finite(m.values.get(key))]
        vals = [m.values[key] for m in allm if _finite(m.values.get(key))]
        scale = 100.0 if unit == "fraction" else (1e5 if unit == "m3" else 1.0)
        win = next((w.best for w in report.winners if w.criterion == key), None)
        cols = ["#7f7f7f" if n == report.pristine.name else
                ("#2ca02c" if n == win else "#6baed6") for n in names]
        ax.bar(names, [v / scale if unit == "m3" else v * (100.0 if unit == "fraction" else 1)
                       for v in vals], color=cols)
        u = {"fraction": "%", "m3": "10\u2075 m\u00b3", "deg": "degrees", "m": "m"}.get(unit, "")
        ax.set_title(f"{label} ({direction} better)", fontsize=8)
        ax.set_ylabel(u, fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return _png(fig)


# --------------------------------------------------------------------------
# comparison report: HTML
# --------------------------------------------------------------------------

CSS = ("body{font-family:sans-serif;max-width:68em;margin:1em auto;padding:0 1em;"
       "color:#222}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid "
       "#aaa;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
       "th{background:#eee}.win{background:#e5f5e0;font-weight:bold}.note{color:#8a4b00}"
       "img{max-width:100%}li{margin:0.3em 0}.small{font-size:90%;color:#555}")
e = html.escape


def _head(report):
    return ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
            f"<title>{e(report.title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{e(report.title)}</h1>",
            "<p>Pristine landform (PNL, the reference): <b>" + e(report.pristine.name) +
            "</b>; reshaped landforms: " + ", ".join(
                f"<b>{e(m.name)}</b>" + (f" ({e(m.plan)} plan)" if m.plan else "")
                for m in report.landforms) + ". Method: Xia et al. (2023), section 2.3.</p>"]


def _comparison(report):
    allm = [report.pristine] + report.landforms
    best = {w.criterion: w.best for w in report.winners}
    parts = ["<h2 id='winners'>Winners</h2><ul>"]
    parts += [f"<li>{e(w.text)}</li>" for w in report.winners]
    parts.append("</ul>")
    parts.append("<h2 id='comparison'>Comparison</h2><table><tr><th>criterion</th>"
                 "<th>better</th>" + "".join(f"<th>{e(m.name)}</th>" for m in allm) +
                 "</tr>")
    for key, (label, unit, direction, _) in CRITERIA.items():
        cells = []
        for m in allm:
            cls = " class='win'" if best.get(key) == m.name else ""
            cells.append(f"<td{cls}>{e(fmt_value(m.values.get(key), unit))}</td>")
        parts.append(f"<tr><td>{e(label)}</td><td>{e(direction)}</td>{''.join(cells)}</tr>")
    parts.append("</table><p class='small'>Green: the winner among the reshaped landforms. "
                 "PNL is the reference; fusion rate, overlap and haul distance do not apply "
                 "to it.</p>")
    parts.append(_img("criteria bar charts", bar_chart(report)))
    return parts


def _paper():
    parts = ["<h2 id='paper'>The paper's figures (Xia et al. 2023)</h2><table><tr>"
             "<th>criterion</th>" + "".join(f"<th>{n}</th>" for n in PAPER_ORDER) + "</tr>"]
    for key, vals in PAPER.items():
        label, unit = CRITERIA[key][:2]
        parts.append(f"<tr><td>{e(label)}</td>" + "".join(
            f"<td>{e(fmt_value(vals.get(n), unit)) if n in vals else '&mdash;'}</td>"
            for n in PAPER_ORDER) + "</tr>")
    parts.append("</table><p class='small'>Study area of the paper: an inner dump of an "
                 "open-pit coal mine, 30 m cells; erosion from CLiDE over 10 years (the plugin "
                 "uses its own landscape evolution model or RUSLE, so compare rankings and "
                 "ratios, not absolute volumes). Mean slopes of section 2.3.1, fusion rates and "
                 "overlaps of section 2.3.1, haul distances of Table 1, erosion of Table 2.</p>")
    return parts


def _quality(report):
    if not report.quality:
        return []
    parts = ["<h2 id='quality'>Design quality</h2><p>Over the interior of the evaluation "
             "area (the area eroded by one cell, so no 3 x 3 window straddles its edge): "
             "spikes = cells whose elevation differs from the median of their 3 x 3 window by "
             "more than tan(25\u00b0) x cell size; Horn slope = the slope of the comparison "
             "(it ignores the centre cell, so roughening can lower it); step slope = atan of "
             "the mean of each cell's four one-cell steps (centre-inclusive: every bump "
             "counts). A buildable surface has no more spikes than PNL.</p><table><tr>"
             "<th>surface</th>" + "".join(f"<th>{e(lab)}</th>" for lab, _ in
                                          QUALITY_FIELDS.values()) + "</tr>"]
    for name, q in report.quality.items():
        parts.append(f"<tr><td>{e(name)}</td>" + "".join(
            f"<td>{e(fmt_value(getattr(q, k), unit))}</td>"
            for k, (_, unit) in QUALITY_FIELDS.items()) + "</tr>")
    parts.append("</table>")
    if report.tdl_levels:
        src = {r["source"] for r in report.tdl_levels}
        parts.append(f"<h3 id='tdl_levels'>Platform levels of {e(report.tdl_name)} per "
                     f"refilling strip</h3><p>Level: {e(' / '.join(sorted(src)))}; lowest and "
                     "highest cell of the strip beside it (a flat platform has all three "
                     "equal).</p><table><tr><th>period</th><th>level (m)</th><th>lowest "
                     "(m)</th><th>highest (m)</th><th>cells</th></tr>")
        for r in report.tdl_levels:
            parts.append(f"<tr><td>{r['period']}</td><td>{r['level']:.2f}</td>"
                         f"<td>{r['min']:.2f}</td><td>{r['max']:.2f}</td>"
                         f"<td>{r['cells']}</td></tr>")
        parts.append("</table>")
    return parts


def _volumes(report):
    parts = ["<h2 id='volumes'>Volumes and supply-demand per period</h2>"]
    if not report.periods:
        return parts + ["<p class='note'>The sub-area layer has no fields v_supply, v_fmin, "
                        "v_fmax: use the layer written by 'Mining/refilling sub-area "
                        "delineation' for this section.</p>"]
    parts.append("<p>From the sub-area layer: V_g = supply of the mining strip (eq. 6), "
                 "V_fmin / V_fmax = the refilling strip's demand at the minimum / maximum "
                 "earthwork surface (eq. 7, 8). A period is balanced when V_fmin &le; V_g "
                 "&le; V_fmax; above V_fmax the near-natural landform is uplifted, below "
                 "V_fmin it sinks (cf. Fig. 12(e)). &Sigma;V_fmax / &Sigma;V_fmin: the room "
                 "the two earthwork surfaces leave between them (the paper's 1.03).</p><table>"
                 "<tr><th>plan</th><th>periods</th><th>&Sigma;V_g (m&sup3;)</th>"
                 "<th>&Sigma;V_fmin (m&sup3;)</th><th>&Sigma;V_fmax (m&sup3;)</th>"
                 "<th>&Sigma;V_g / &Sigma;V_fmin</th><th>&Sigma;V_fmax / &Sigma;V_fmin</th>"
                 "<th>inside band</th><th>short</th><th>excess</th><th>status ok</th></tr>")
    for plan, rows in report.periods.items():
        s = period_summary(rows)
        parts.append(f"<tr><td>{e(plan)}</td><td>{s['periods']}</td>"
                     f"<td>{s['v_supply']:,.0f}</td><td>{s['v_fmin']:,.0f}</td>"
                     f"<td>{s['v_fmax']:,.0f}</td><td>{s['ratio']:.4f}</td>"
                     f"<td>{s['fmax_over_fmin']:.4f}</td>"
                     f"<td>{s['inside']}</td><td>{s['short']}</td><td>{s['excess']}</td>"
                     f"<td>{s['status_ok']}</td></tr>")
    parts.append("</table>")
    parts.append(_img("supply and demand per period", supply_chart(report.periods)))
    parts.append("<details><summary>Per period</summary><table><tr><th>plan</th>"
                 "<th>period</th><th>V_g</th><th>V_fmin</th><th>V_fmax</th>"
                 "<th>V_g / V_fmin</th><th>status</th></tr>")
    for plan, rows in report.periods.items():
        for r in rows:
            parts.append(f"<tr><td>{e(plan)}</td><td>{r['period']}</td>"
                         f"<td>{r['v_supply']:,.0f}</td><td>{r['v_fmin']:,.0f}</td>"
                         f"<td>{r['v_fmax']:,.0f}</td><td>{r['ratio']:.3f}</td>"
                         f"<td>{e(r['status'])}</td></tr>")
    parts.append("</table></details>")
    return parts


def _figures(report):
    if not report.maps:
        return []
    parts = ["<h2 id='figures'>Landforms and channels</h2><p>Hillshaded elevation "
             "(one colour scale for all panels), channels (dark blue, the same "
             "accumulation threshold) and the dump's outline (black), cf. Fig. 12 "
             "(a)-(d) and Fig. 13.</p>",
             _img("landforms with channels", landform_panels(report, "channels"))]
    if all(m[3] is not None for m in report.maps):
        parts.append("<p>Catchments of the channel links that the dump's cells drain to "
                     "(one colour each; grey: outside the dump's catchments), cf. Fig. 13.</p>")
        parts.append(_img("catchments", landform_panels(report, "catchments")))
    else:
        parts.append("<p>Channels of each landform beside PNL's, from the fusion-rate step: "
                     "shared (blue), lost = PNL only (red), new = landform only (green) inside "
                     "the dump, the landform's channels outside it (grey); PNL: its channels. "
                     "(The catchment maps need the landforms routed again; run the report on "
                     "its own, without the fusion tables, to draw them.)</p>")
        parts.append(_img("channels shared, lost and new", landform_panels(report, "classes")))
    parts.append("<h3 id='perspective'>Perspective view</h3><p>PNL and each landform in 3-D, "
                 "the same view, vertical exaggeration and colours for all (cf. Fig. 12 "
                 "(a)-(d)).</p>")
    parts.append(_img("perspective view of the landforms", perspective_png(report)))
    return parts


def _tail(report):
    allm = [report.pristine] + report.landforms
    parts = ["<h2 id='criteria'>Criteria</h2><dl>"]
    for key, (label, unit, direction, text) in CRITERIA.items():
        parts.append(f"<dt><b>{e(label)}</b> ({e(direction)} is better)</dt>"
                     f"<dd>{e(text)}</dd>")
    parts.append("</dl><p class='small'>Winner margin: difference to the runner-up, and that "
                 "difference in per cent of the runner-up's value; for 'closer to PNL', the "
                 "difference of the two distances to PNL's value, in per cent of PNL's value. "
                 "Fractions are shown in per cent and their margins in percentage points.</p>")
    parts.append("<h2 id='details'>Details</h2><details><summary>Counts and volumes behind "
                 "the criteria</summary><table><tr><th>landform</th><th>plan</th>"
                 "<th>quantity</th><th>value</th></tr>")
    for m in allm:
        for k, v in m.extra.items():
            val = f"{v:,.6g}" if _finite(v) else e(str(v))
            parts.append(f"<tr><td>{e(m.name)}</td><td>{e(m.plan)}</td><td>{e(k)}</td>"
                         f"<td>{val}</td></tr>")
    parts.append("</table></details><h2 id='settings'>Settings</h2><table>")
    for k, v in report.settings.items():
        val = f"{v:,.6g}" if _finite(v) else e(str(v))
        parts.append(f"<tr><td>{e(str(k))}</td><td>{val}</td></tr>")
    parts.append("</table>")
    if report.notes:
        parts.append("<h2 id='notes'>Notes</h2><ul>" + "".join(
            f"<li class='note'>{e(n)}</li>" for n in report.notes) + "</ul>")
    return parts


def render_html(report):
    """The comparison report as one self-contained HTML string."""
    parts = (_head(report) + _comparison(report) + _paper() + _quality(report)
             + _volumes(report) + _figures(report) + _tail(report))
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(path, report):
    return write_text(path, render_html(report))


# --------------------------------------------------------------------------
# sub-area delineation: the supply-demand chart (Fig. 12(e))
# --------------------------------------------------------------------------

def _plans_of(res):
    plans = [("Original plan", res.original)]
    if res.optimized is not None:
        plans.append(("Optimized plan", res.optimized))
    return plans


def _supply_axes(ax, title, plan, res, top):
    n = np.arange(1, plan.n_periods + 1)
    ax.fill_between(n, plan.v_fmin / 1e6, plan.v_fmax / 1e6, color="#1b9e77", alpha=0.15,
                    step=None, label="acceptable range")
    ax.plot(n, plan.v_fmax / 1e6, "-", color="#1b9e77", lw=1.2, label="V_fmax (eq. 7)")
    ax.plot(n, plan.v_fmin / 1e6, "--", color="#1b9e77", lw=1.2, label="V_fmin (eq. 8)")
    ax.plot(n, plan.v_supply / 1e6, "o-", color="#d95f02", ms=3, lw=1.4, label="V_g (eq. 6)")
    if plan is not res.original:
        ax.plot(n, res.original.v_supply / 1e6, ":", color="#7f7f7f", lw=1.0,
                label="V_g before")
    bad = np.array([s != "ok" for s in plan.status])
    hard = np.array([any(k in s for k in ("short", "excess", "unsafe")) for s in plan.status])
    if hard.any():
        ax.plot(n[hard], plan.v_supply[hard] / 1e6, "x", color="#b2182b", ms=7,
                label="out of bounds / unsafe")
    soft = bad & ~hard
    if soft.any():
        ax.plot(n[soft], plan.v_supply[soft] / 1e6, "o", mfc="none", color="#7570b3",
                ms=7, label="V_g/V_fmin off the ratio")
    ax.set_title(f"{title}: {sum(not b for b in bad)} of {plan.n_periods} periods meet "
                 "every constraint", fontsize=10)
    ax.set_xlabel("period n")
    ax.set_ylabel("volume (10^6 m3)")
    ax.set_xlim(0.5, plan.n_periods + 0.5)
    ax.set_ylim(0, top)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.2),
              frameon=False)


def supply_demand_png(res):
    """PNG bytes of the delineation's chart (Fig. 12(e)): V_g, V_fmin, V_fmax per
    period, a panel per plan; ``res`` is a core.subareas delineation result."""
    from matplotlib.figure import Figure
    plans = _plans_of(res)
    fig = Figure(figsize=(10, 4.0 * len(plans)), dpi=100)
    axes = fig.subplots(len(plans), 1, squeeze=False)[:, 0]
    top = max(float(np.max(p.v_fmax)) for _, p in plans) / 1e6
    top = max(top, max(float(np.max(p.v_supply)) for _, p in plans) / 1e6) * 1.08
    for ax, (title, plan) in zip(axes, plans):
        _supply_axes(ax, title, plan, res, top)
    fig.tight_layout()
    return png_bytes(fig, dpi=100, tight=False)


def supply_demand_html(res):
    """HTML page with the delineation's chart and its totals."""
    try:
        img = ('<img alt="supply-demand chart" src="data:image/png;base64,'
               + base64.b64encode(supply_demand_png(res)).decode("ascii") + '">')
    except ImportError:
        img = "<p>(matplotlib is not available: no chart; see the table.)</p>"
    final = res.optimized if res.optimized is not None else res.original
    rows = "".join(
        f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in (
            ("sum V_g (supply, eq. 6)", f"{res.total_supply:,.0f} m3"),
            ("sum V_fmin (eq. 8)", f"{res.total_fmin:,.0f} m3"),
            ("sum V_fmax (eq. 7)", f"{res.total_fmax:,.0f} m3"),
            ("sum V_g / sum V_fmin", f"{res.ratio:.4f}"),
            ("sum V_fmax / sum V_fmin", f"{res.band_ratio:.4f}"),
            ("periods", str(res.n_periods)),
            ("pit length", f"{res.pit_length:.1f} m"
             + (" (smallest safe)" if res.pit_length_auto else " (given)")),
            ("strip width", f"{res.strip_width:g} m"),
            ("mining direction", f"{res.frame.azimuth:g} degrees from north"),
            ("k", f"{res.k:g}"),
            ("periods meeting every constraint", f"{final.status.count('ok')}"),
        ))
    summary = "".join(
        f"<li>{e(t)}: {p.status.count('ok')} of {p.n_periods} periods meet every constraint; "
        f"V_g / V_fmin from {float(np.min(p.v_supply / p.v_fmin)):.3f} to "
        f"{float(np.max(p.v_supply / p.v_fmin)):.3f}; cases "
        + e(", ".join(f"{c}: {p.case.count(c)}" for c in ("a", "b", "c", "d", "none")))
        + "</li>" for t, p in _plans_of(res))
    notes = "".join(f"<li>{e(m)}</li>" for m in [res.feasibility] + list(res.messages))
    return (
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<title>HPCS sub-area delineation: supply and demand per period</title>"
        "<style>body{font-family:sans-serif;margin:1.5em;max-width:1050px}"
        "td{padding:2px 10px}img{max-width:100%}</style></head><body>\n"
        "<h2>Mining/refilling sub-areas: spoil supply and refilling demand per period</h2>\n"
        "<p>V_g: spoil of the period's mining strip (eq. 6); V_fmin, V_fmax: what its "
        "refilling strip needs up to the minimum and maximum earthwork surfaces (eq. 8, 7); "
        "as in Fig. 12(e) of Xia et al. (2023).</p>\n"
        f"{img}\n<ul>{summary}</ul>\n<table>{rows}</table>\n<ul>{notes}</ul>\n</body></html>\n")


def write_supply_demand(path, res):
    return write_text(path, supply_demand_html(res))


# --------------------------------------------------------------------------
# soil erosion comparison: charts and page (Table 2, Fig. 14)
# --------------------------------------------------------------------------

def erosion_bar_chart(result):
    """Eroded volume per landform (Table 2), PNG as base64."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(6.4, 3.6))
    ax = fig.add_subplot(111)
    names = [lf.name for lf in result.landforms]
    vols = [lf.eroded for lf in result.landforms]
    colours = ["#7f7f7f" if i == 0 else "#c0392b" for i in range(len(names))]
    bars = ax.bar(names, vols, color=colours)
    for b, lf in zip(bars, result.landforms):
        ax.annotate(f"{lf.eroded:.4g}\n(rank {lf.rank})", (b.get_x() + b.get_width() / 2,
                                                          b.get_height()),
                    ha="center", va="bottom", fontsize=8)
    ax.set_ylabel(f"eroded volume in {result.years:g} years (m$^3$)")
    ax.set_title("Total eroded volume inside the area")
    ax.margins(y=0.2)
    return _png(fig, dpi=110)


def erosion_strip_chart(result):
    """Per-strip net loss minus the reference's (Fig. 14), PNG as base64."""
    from matplotlib.figure import Figure
    fig = Figure(figsize=(7.2, 3.8))
    ax = fig.add_subplot(111)
    x = np.arange(len(result.strip_labels))
    styles_ = ["-", "--", ":", "-."]
    for i, (name, diff) in enumerate(result.minus_reference().items()):
        ax.plot(x, diff, styles_[i % 4], marker="o", ms=3, label=f"{name} - {result.reference}")
    ax.axhline(0.0, color="#444444", lw=0.8)
    step = max(1, len(x) // 20)
    ax.set_xticks(x[::step])
    ax.set_xticklabels(result.strip_labels[::step])
    ax.set_xlabel("sub-area (refilling period)")
    ax.set_ylabel("net loss minus reference (m$^3$)")
    ax.set_title(f"Per-strip erosion minus {result.reference}")
    ax.legend(fontsize=8)
    return _png(fig, dpi=110)


def erosion_html(result, num, model, model_label):
    """The erosion comparison's page: table, charts, per-strip table, parameters.
    num: {parameter name: value}; model: 'lem' or 'rusle'."""
    rows = "".join(
        f"<tr><td>{e(n)}</td><td>{ero:,.1f}</td><td>{dep:,.1f}</td><td>{exp:,.1f}</td>"
        f"<td>{loss:.4g}</td><td>{rank}</td></tr>"
        for n, ero, dep, exp, loss, rank in result.table())
    worst = max(abs(lf.residual) for lf in result.landforms)
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'>",
        "<title>Soil erosion comparison</title><style>body{font-family:sans-serif;"
        "max-width:60em;margin:1em auto}table{border-collapse:collapse}td,th{border:1px "
        "solid #999;padding:2px 8px;text-align:right}td:first-child{text-align:left}"
        "</style></head><body>",
        "<h1>Soil erosion comparison</h1>",
        f"<p>Model: <b>{e(model_label)}</b>, {result.years:g} years, area "
        f"{result.area_ha:,.2f} ha. Reference landform (first layer): "
        f"<b>{e(result.reference)}</b>.</p>",
        "<h2>Table (cf. Table 2 of Xia et al. 2023)</h2>",
        "<table><tr><th>landform</th><th>eroded (m&sup3;)</th><th>deposited (m&sup3;)</th>"
        "<th>exported (m&sup3;)</th><th>mean loss (t/ha/yr)</th><th>rank</th></tr>",
        rows, "</table>",
        f"<p>Mass balance: |eroded - deposited - exported| &le; {worst:.3g} m&sup3; for "
        "every landform (round-off).</p>" if model == "lem" else
        "<p>RUSLE has no deposition: deposited = 0 and exported = eroded.</p>",
        f"<img alt='eroded volume per landform' src='data:image/png;base64,"
        f"{erosion_bar_chart(result)}'/>",
    ]
    if result.strip_labels:
        parts.append("<h2>Per strip (cf. Fig. 14)</h2><p>Net loss (eroded - deposited, m&sup3;"
                     ") in each sub-area; the curves are each landform minus the reference."
                     "</p>")
        if len(result.landforms) > 1:
            parts.append(f"<img alt='per-strip difference' src='data:image/png;base64,"
                         f"{erosion_strip_chart(result)}'/>")
        head = "".join(f"<th>{e(lf.name)}</th>" for lf in result.landforms)
        body = "".join(
            f"<tr><td>{e(lab)}</td>" + "".join(f"<td>{lf.strips[i]:,.1f}</td>"
                                              for lf in result.landforms) + "</tr>"
            for i, lab in enumerate(result.strip_labels))
        parts.append(f"<table><tr><th>strip</th>{head}</tr>{body}</table>")
    parts.append("<h2>Parameters</h2><table>")
    for k, v in num.items():
        parts.append(f"<tr><td>{e(k)}</td><td>{v:g}</td></tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts)


def write_erosion_report(path, result, num, model, model_label):
    return write_text(path, erosion_html(result, num, model, model_label))
