"""Landform comparison report (Xia et al. 2023, section 2.3, Fig. 12 to 14,
Table 1 and 2).

Assembles, for the pristine landform (PNL) and every reshaped landform
(NNDL, MNNDL, TDL, ...), the paper's comparison numbers by calling the
evaluation cores, decides a winner per criterion and writes a
self-contained HTML report (charts rendered with matplotlib's Agg backend
and embedded as base64 PNG) and a CSV holding the same numbers.

Criteria (docs/method.md, section "Landform comparison report"):

* mean slope over the area (degrees, Horn; :func:`core.landform.slope_degrees`),
  lower is better (the paper's "reshaped area mean slope", section 2.3.1);
* hydrological fusion rate with and without the final pit (eq. 10 to 12,
  :func:`core.fusion.fusion_rate`), higher is better;
* channel overlap with PNL inside the dump, catchments and channel length
  (:func:`core.fusion.compare_channels`); overlap: higher is better;
  catchments and length: closer to PNL's is better;
* mean haul distance (eq. 13, :func:`core.haul.haul_distance`), lower is better;
* eroded volume over ``years`` (:func:`core.erosion.compare_landforms`, or
  numbers read from a CSV of hpcs:erosioncomparison), lower is better.

The winner of a criterion is the best reshaped landform (PNL is the
reference and is shown beside, not ranked); the margin is the difference to
the runner-up, absolute and in per cent of the runner-up's value
(``100 |best - runner| / |runner|``); for "closer to PNL" the margin is the
difference of the two distances to PNL's value, in per cent of PNL's value.
"""
import base64
import csv
import html
import io
import math
import os
from dataclasses import dataclass, field

import numpy as np

from . import hydrology as hy
from .channels import choose_threshold
from .erosion import compare_landforms
from .errors import InputError, as_progress
from .fusion import compare_channels, fusion_rate, set_into_surroundings
from .grid import atomic_output
from .haul import haul_distance
from .landform import slope_degrees

#: criterion key -> (label, unit, direction of "better", explanation)
CRITERIA = {
    "mean_slope": (
        "Mean slope over the area", "deg", "lower",
        "Mean Horn slope (degrees) of the surface over the evaluation area (the dump, or "
        "MINE_AREA). A gentler surface is more stable and erodes less; the paper compares "
        "it to judge visual and morphological fusion (section 2.3.1)."),
    "fusion_rate": (
        "Hydrological fusion rate", "fraction", "higher",
        "Eq. 10 to 12: over the cells just outside each refilling strip (S_b), the share "
        "where the landform sends water in PNL's D8 direction (p_v), weighted by how close "
        "its flow accumulation is to PNL's (p_d). 100 % = the dump hands runoff to its "
        "surroundings exactly like the pre-mining land."),
    "fusion_rate_no_pit": (
        "Fusion rate without the pit", "fraction", "higher",
        "The same after the final pit is replaced by the pre-mining DEM (the paper's "
        "'without the influence of the pit'): the part of the fusion the design controls."),
    "channel_overlap": (
        "Channel overlap with PNL", "fraction", "higher",
        "Inside the dump: landform channel cells that are also PNL channel cells / PNL "
        "channel cells (same accumulation threshold on both). Restoring the old drainage "
        "lines is the aim of a near-natural landform."),
    "catchments": (
        "Catchments in the dump", "count", "closer to PNL",
        "Number of channel-link catchments the dump's cells belong to. Closer to PNL's "
        "count = the pre-mining drainage division is kept (fewer merged or split basins)."),
    "channel_length": (
        "Channel length in the dump", "m", "closer to PNL",
        "Metres of channel inside the dump (each channel cell's D8 step). Closer to PNL = "
        "a drainage density like the pre-mining land's."),
    "haul_distance": (
        "Mean haul distance", "m", "lower",
        "Eq. 13: mean straight-line (3-D) distance per cubic metre moved from the mining "
        "strips (stripped top down in bench lifts) to the refilling strips (built bottom up). "
        "Shorter = cheaper earthwork. PNL moves no earth."),
    "eroded": (
        "Eroded volume", "m3", "lower",
        "Soil eroded inside the evaluation area over the simulated years (net lowering of "
        "the cells), as the paper's Table 2. Less = more resistant to water erosion."),
}

#: the paper's figures (Xia et al. 2023, section 2.3, Table 1, Table 2)
PAPER = {
    "mean_slope": {"PNL": 14.73, "MNNDL": 14.02, "NNDL": 16.73, "TDL": 14.45},
    "fusion_rate": {"MNNDL": 0.9190, "NNDL": 0.8486, "TDL": 0.7379},
    "fusion_rate_no_pit": {"MNNDL": 0.9873, "NNDL": 0.8992, "TDL": 0.7245},
    "channel_overlap": {"MNNDL": 0.9024, "NNDL": 0.3740, "TDL": 0.2358},
    "haul_distance": {"MNNDL": 862.25, "NNDL": 863.23, "TDL": 821.71},
    "eroded": {"PNL": 4.0983e5, "MNNDL": 2.8013e5, "NNDL": 6.4937e5, "TDL": 14.4287e5},
}
PAPER_ORDER = ("PNL", "MNNDL", "NNDL", "TDL")

#: columns of the CSV (long format: one number per row)
CSV_COLUMNS = ["section", "item", "plan", "quantity", "value", "unit"]


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------

@dataclass
class PlanRasters:
    """One plan of the sub-area layer on the grid.

    mining / refilling: int32 period labels (cell centres, 0 = none); mined:
    bool, every mined cell (mining strips, box cut, final pit); mining_cover /
    refilling_cover: optional fractional coverage (cells, periods, shares) for
    the haul distance (see :func:`core.haul.as_coverage`); the labels when None.
    """
    name: str
    mining: np.ndarray
    refilling: np.ndarray
    mined: np.ndarray
    mining_cover: tuple = None
    refilling_cover: tuple = None


@dataclass
class LandformMetrics:
    name: str
    plan: str = ""
    values: dict = field(default_factory=dict)     # criterion key -> number (nan = not computed)
    extra: dict = field(default_factory=dict)      # other numbers (pnl catchments, dump cells...)


@dataclass
class Winner:
    criterion: str
    direction: str
    best: str = None
    best_value: float = float("nan")
    runner_up: str = None
    runner_value: float = float("nan")
    margin: float = float("nan")          # absolute, in the criterion's unit
    margin_percent: float = float("nan")
    reference_value: float = float("nan")  # PNL's value (nan if none)
    text: str = ""


@dataclass
class Report:
    pristine: LandformMetrics
    landforms: list                 # LandformMetrics of the reshaped landforms
    winners: list                   # Winner per criterion
    periods: dict = field(default_factory=dict)   # plan -> list of dict(period, v_supply, ...)
    settings: dict = field(default_factory=dict)  # label -> value (shown and written)
    notes: list = field(default_factory=list)
    maps: list = field(default_factory=list)      # (name, z, channels, catchments) cropped
    dump: np.ndarray = None                        # cropped dump mask for the figures
    extent: tuple = None                           # (left, right, bottom, top) of the crop
    title: str = "Landform comparison report"


# --------------------------------------------------------------------------
# winners
# --------------------------------------------------------------------------

def _finite(v):
    return v is not None and isinstance(v, (int, float, np.floating, np.integer)) \
        and math.isfinite(float(v))


def fmt_value(value, unit):
    """A number as shown in the report (fractions as per cent)."""
    if not _finite(value):
        return "n/a"
    if unit == "fraction":
        return f"{100.0 * value:.2f} %"
    if unit == "count":
        return f"{value:.0f}"
    if unit == "deg":
        return f"{value:.2f}\u00b0"
    if unit == "m3":
        return f"{value:,.1f} m\u00b3"
    if unit == "m":
        return f"{value:,.2f} m"
    return f"{value:.6g}"


def _margin_text(margin, unit):
    if unit == "fraction":
        return f"{100.0 * margin:.2f} percentage points"
    return fmt_value(margin, unit)


def pick_winner(criterion, values, reference=None):
    """Winner of one criterion among ``values`` ({landform: number}).

    direction 'higher' / 'lower': the best value wins; margin = |best -
    runner-up|, margin_percent = 100 margin / |runner-up|.  'closer to PNL':
    the smallest |value - reference| wins; margin = difference of the two
    distances, margin_percent = 100 margin / |reference|.  Non-finite values
    take no part; ties give the first landform in order and a margin of 0.
    """
    label, unit, direction = CRITERIA[criterion][:3]
    w = Winner(criterion, direction)
    w.reference_value = float(reference) if _finite(reference) else float("nan")
    cand = [(n, float(v)) for n, v in values.items() if _finite(v)]
    if direction == "closer to PNL":
        if not _finite(reference):
            w.text = f"{label}: no PNL value to compare with."
            return w
        score = {n: abs(v - reference) for n, v in cand}
    elif direction == "higher":
        score = {n: -v for n, v in cand}
    else:
        score = {n: v for n, v in cand}
    order = sorted(range(len(cand)), key=lambda i: (score[cand[i][0]], i))
    if not order:
        w.text = f"{label}: not computed for any landform."
        return w
    w.best, w.best_value = cand[order[0]]
    if len(order) == 1:
        w.text = (f"{label} ({direction} is better): {w.best} "
                  f"{fmt_value(w.best_value, unit)}; the only landform with a value.")
        return w
    w.runner_up, w.runner_value = cand[order[1]]
    if direction == "closer to PNL":
        w.margin = score[w.runner_up] - score[w.best]
        w.margin_percent = 100.0 * w.margin / abs(reference) if reference else float("nan")
        pct = f"{w.margin_percent:.2f} % of PNL's value" if _finite(w.margin_percent) else "n/a"
        w.text = (f"{label} (closer to PNL's {fmt_value(reference, unit)} is better): "
                  f"{w.best} wins with {fmt_value(w.best_value, unit)} "
                  f"({fmt_value(score[w.best], unit)} off); next {w.runner_up} "
                  f"{fmt_value(w.runner_value, unit)} ({fmt_value(score[w.runner_up], unit)} "
                  f"off): {_margin_text(w.margin, unit)} closer ({pct}).")
    else:
        w.margin = abs(w.best_value - w.runner_value)
        w.margin_percent = 100.0 * w.margin / abs(w.runner_value) if w.runner_value \
            else float("nan")
        word = "higher" if direction == "higher" else "lower"
        pct = f"{w.margin_percent:.2f} %" if _finite(w.margin_percent) else "n/a %"
        w.text = (f"{label} ({direction} is better): {w.best} wins with "
                  f"{fmt_value(w.best_value, unit)}, {_margin_text(w.margin, unit)} {word} "
                  f"than {w.runner_up} ({fmt_value(w.runner_value, unit)}), i.e. {pct} "
                  f"{word} relative to {w.runner_up}.")
    if w.margin == 0:
        w.text += " (tie)"
    if direction in ("higher", "lower") and _finite(reference):
        d = w.best_value - reference
        w.text += (f" PNL: {fmt_value(reference, unit)} ("
                   f"{w.best} {'+' if d >= 0 else '-'}{_margin_text(abs(d), unit)}).")
    return w


def decide_winners(pristine, landforms):
    """A :class:`Winner` per criterion among the reshaped landforms."""
    out = []
    for key in CRITERIA:
        values = {lf.name: lf.values.get(key, float("nan")) for lf in landforms}
        out.append(pick_winner(key, values, pristine.values.get(key, float("nan"))))
    return out


# --------------------------------------------------------------------------
# computation
# --------------------------------------------------------------------------

def _crop_window(mask, shape, margin=0.15):
    r, c = np.nonzero(mask)
    if r.size == 0:
        return slice(0, shape[0]), slice(0, shape[1])
    r0, r1, c0, c1 = r.min(), r.max() + 1, c.min(), c.max() + 1
    mr = max(2, int(margin * (r1 - r0)))
    mc = max(2, int(margin * (c1 - c0)))
    return (slice(max(0, r0 - mr), min(shape[0], r1 + mr)),
            slice(max(0, c0 - mc), min(shape[1], c1 + mc)))


def evaluate(pristine, landforms, plans, dx, dy, x, y, floor=None, thickness=None,
             area=None, channel_threshold=None, k=1.0, bench_height=10.0,
             erosion_model="lem", years=10.0, erosion_table=None, erosion_parameters=None,
             pristine_name="PNL", progress=None):
    """Every criterion of the comparison for PNL and each landform.

    pristine: PNL (2-D, m); landforms: list of (name, z, plan name), z on the
    same grid (nan cells take PNL); plans: {plan name: PlanRasters}; x (cols,)
    / y (rows,) cell-centre coordinates; floor / thickness: rasters for the
    haul distance (both None: not computed); area: bool mask for the slope and
    erosion (None: the union of the plans' dumps); channel_threshold in cells
    (None: OTSU scaling break of PNL); erosion_table: {name: eroded m3} read
    from hpcs:erosioncomparison (then no erosion is computed);
    erosion_parameters: keyword arguments of compare_landforms (lem / rusle).
    Returns a :class:`Report` without periods (see :func:`period_rows`).
    """
    progress = as_progress(progress)
    pristine = np.asarray(pristine, dtype=np.float64)
    shape = pristine.shape
    if not landforms:
        raise InputError("No landform was given; choose at least one reshaped landform.")
    names = [str(n) for n, _, _ in landforms]
    if len(set(names + [pristine_name])) != len(names) + 1:
        raise InputError("Two landforms have the same name (or one is named like the "
                         f"pristine landform '{pristine_name}'): {', '.join(names)}. "
                         "Give each landform its own name.")
    for name, z, plan in landforms:
        if np.shape(z) != shape:
            raise InputError(f"Landform '{name}' is not on the pristine landform's grid "
                             f"({np.shape(z)} versus {shape}).")
        if plan not in plans:
            raise InputError(f"Landform '{name}' asks for the '{plan}' plan, which the "
                             f"sub-area layer does not hold ({', '.join(plans)}).")
    for p in plans.values():
        for a in (p.mining, p.refilling, p.mined):
            if np.shape(a) != shape:
                raise InputError("The sub-area rasters are not on the pristine grid.")
    hy.check_dem(pristine, "the pre-mining DEM (PNL)")
    valid = np.isfinite(pristine)
    have_haul = floor is not None and thickness is not None
    if have_haul and (np.shape(floor) != shape or np.shape(thickness) != shape):
        raise InputError("The seam floor and the coal thickness must be on the pristine "
                         "landform's grid.")
    dumps = {n: (p.refilling > 0) & valid for n, p in plans.items()}
    for n, d in dumps.items():
        if not d.any():
            raise InputError(f"No refilling strip of the '{n}' plan covers a valid cell of the "
                             "pre-mining DEM; check the sub-area layer and its CRS.")
    if area is None:
        area = np.zeros(shape, dtype=bool)
        for d in dumps.values():
            area |= d
    area = np.asarray(area, dtype=bool) & valid
    if not area.any():
        raise InputError("The evaluation area covers no valid cell of the pre-mining DEM.")
    notes = []
    nl = len(landforms)
    # PNL routed once
    _, recp, codesp, accp = hy.condition(pristine, dx, dy, progress.sub(0, 8))
    if channel_threshold is None:
        threshold, _ = choose_threshold(accp, "scaling")
    else:
        threshold, _ = choose_threshold(accp, "fixed", float(channel_threshold))
    threshold = float(threshold)
    slope_p = slope_degrees(pristine, dx, dy)
    pnl = LandformMetrics(pristine_name, "", {key: float("nan") for key in CRITERIA})
    pnl.values["mean_slope"] = float(np.nanmean(slope_p[area]))
    all_mined = np.zeros(shape, dtype=bool)
    for p in plans.values():
        all_mined |= p.mined | (p.refilling > 0) | (p.mining > 0)
    win = _crop_window(all_mined | area, shape)
    chp = np.isfinite(accp) & (accp >= threshold)
    _, catp = hy.channel_links(recp, chp)
    maps = [(pristine_name, pristine[win], chp[win], catp.reshape(shape)[win])]
    surfaces = []
    metrics = []
    span = 70.0 if erosion_table is None else 90.0
    for i, (name, z, plan_name) in enumerate(landforms):
        sub = progress.sub(8 + span * i / nl, 8 + span * (i + 1) / nl)
        plan = plans[plan_name]
        z = np.asarray(z, dtype=np.float64)
        dump = dumps[plan_name]
        missing = int((dump & ~np.isfinite(z)).sum())
        if missing:
            notes.append(f"{name}: no data in {missing} dump cell(s); PNL was used there.")
        surf = set_into_surroundings(z, pristine)
        surf[~valid] = np.nan
        surfaces.append((name, surf))
        lf = LandformMetrics(name, plan.name, {key: float("nan") for key in CRITERIA})
        lf.values["mean_slope"] = float(np.nanmean(slope_degrees(surf, dx, dy)[area]))
        _, recl, codesl, accl = hy.condition(surf, dx, dy, sub.sub(0, 35))
        fr = fusion_rate(codesl, accl, codesp, accp, plan.refilling, valid)
        pit = plan.mined & ~(plan.refilling > 0) & valid
        if pit.any():
            nopit = np.where(pit, pristine, surf)
            _, _, codesn, accn = hy.condition(nopit, dx, dy, sub.sub(35, 70))
            frn = fusion_rate(codesn, accn, codesp, accp, plan.refilling, valid)
        else:
            frn = fr
        cc = compare_channels(accl, recl, accp, recp, dump, threshold, dx, dy)
        lf.values.update({"fusion_rate": fr.rate, "fusion_rate_no_pit": frn.rate,
                          "channel_overlap": cc.overlap,
                          "catchments": float(cc.catchments_landform),
                          "channel_length": cc.length_landform})
        lf.extra.update({"catchments_pnl": cc.catchments_pristine,
                         "channel_length_pnl": cc.length_pristine,
                         "boundary_pairs": int(fr.cells.size), "dump_cells": int(dump.sum()),
                         "pit_cells": int(pit.sum())})
        # PNL's channel figures (the same dump for every plan in practice)
        pnl.values["catchments"] = float(cc.catchments_pristine)
        pnl.values["channel_length"] = cc.length_pristine
        if math.isnan(cc.overlap):
            notes.append(f"{name}: PNL has no channel cell in the dump at {threshold:g} cells; "
                         "the channel overlap is undefined. Lower CHANNEL_THRESHOLD.")
        _, catl = hy.channel_links(recl, cc.channels_landform)
        maps.append((name, surf[win], cc.channels_landform[win], catl.reshape(shape)[win]))
        if have_haul:
            mining = plan.mining_cover if plan.mining_cover is not None else plan.mining
            refilling = plan.refilling_cover if plan.refilling_cover is not None \
                else plan.refilling
            res = haul_distance(pristine, floor, thickness, surf, mining, refilling, x, y,
                                dx * dy, bench_height, k, progress=sub.sub(70, 100))
            lf.values["haul_distance"] = res.mean_distance
            lf.extra.update({"haul_supply_m3": res.diagnostics["supply"],
                             "haul_room_m3": res.diagnostics["demand"],
                             "haul_moved_m3": res.diagnostics["moved"]})
        metrics.append(lf)
    if erosion_table is not None:
        found = 0
        for lf in [pnl] + metrics:
            v = erosion_table.get(lf.name)
            if v is None:
                notes.append(f"The erosion table has no row for '{lf.name}'.")
            else:
                lf.values["eroded"] = float(v)
                found += 1
        if not found:
            raise InputError("The erosion table has no row for any landform ("
                             f"{', '.join([pristine_name] + names)}); its 'landform' column "
                             f"holds: {', '.join(sorted(erosion_table))}.")
    else:
        ero = compare_landforms([(pristine_name, pristine)] + surfaces, dx, dy, area,
                                model=erosion_model, years=years,
                                progress=progress.sub(78, 98), **(erosion_parameters or {}))
        for lf, e in zip([pnl] + metrics, ero.landforms):
            lf.values["eroded"] = e.eroded
            lf.extra["mean_loss_t_ha_yr"] = e.mean_loss
    dump_all = np.zeros(shape, dtype=bool)
    for d in dumps.values():
        dump_all |= d
    x0 = float(x[win[1].start]) - dx / 2.0
    x1 = float(x[win[1].stop - 1]) + dx / 2.0
    ys = (float(y[win[0].start]), float(y[win[0].stop - 1]))
    extent = (x0, x1, min(ys) - dy / 2.0, max(ys) + dy / 2.0)
    settings = {"channel threshold (cells)": threshold,
                "evaluation area (ha)": float(area.sum()) * dx * dy / 1e4,
                "dump cells": int(dump_all.sum()), "cell size (m)": f"{dx:g} x {dy:g}"}
    progress(100)
    return Report(pnl, metrics, decide_winners(pnl, metrics), settings=settings, notes=notes,
                  maps=maps, dump=dump_all[win], extent=extent)


def period_rows(records):
    """Volumes per plan and period from the sub-area layer's attributes.

    records: dicts with period, kind, plan (optional), v_supply, v_fmin,
    v_fmax, ratio, status (as hpcs:subareadelineation writes them).  The
    mining strip's row is taken (both strips of a period carry its figures).
    Returns {plan: [dict(period, v_supply, v_fmin, v_fmax, ratio, status)]}
    sorted by period; {} when the layer has no v_supply / v_fmin / v_fmax.
    """
    def num(v):
        try:
            f = float(v)
        except (TypeError, ValueError):
            return float("nan")
        return f

    out = {}
    for a in records:
        if str(a.get("kind", "")).strip().lower() != "mining":
            continue
        if not all(f in a for f in ("v_supply", "v_fmin", "v_fmax")):
            return {}
        try:
            period = int(float(a.get("period")))
        except (TypeError, ValueError):
            continue
        plan = str(a.get("plan") or "").strip() or "plan"
        vg, lo, hi = num(a["v_supply"]), num(a["v_fmin"]), num(a["v_fmax"])
        ratio = num(a.get("ratio")) if "ratio" in a else (vg / lo if lo else float("nan"))
        status = a.get("status")
        out.setdefault(plan, []).append({
            "period": period, "v_supply": vg, "v_fmin": lo, "v_fmax": hi, "ratio": ratio,
            "status": "" if status is None or str(status) == "NULL" else str(status)})
    for rows in out.values():
        rows.sort(key=lambda r: r["period"])
    return out


def period_summary(rows):
    """Totals and counts of one plan's periods."""
    def s(key):
        return float(np.nansum([r[key] for r in rows]))
    vg, lo, hi = s("v_supply"), s("v_fmin"), s("v_fmax")
    inside = sum(1 for r in rows if r["v_fmin"] <= r["v_supply"] <= r["v_fmax"])
    short = sum(1 for r in rows if r["v_supply"] < r["v_fmin"])
    excess = sum(1 for r in rows if r["v_supply"] > r["v_fmax"])
    ok = sum(1 for r in rows if r["status"].strip().lower() == "ok")
    return {"periods": len(rows), "v_supply": vg, "v_fmin": lo, "v_fmax": hi,
            "ratio": vg / lo if lo else float("nan"), "inside": inside, "short": short,
            "excess": excess, "status_ok": ok}


# --------------------------------------------------------------------------
# CSV
# --------------------------------------------------------------------------

def table_rows(report):
    """The rows of the CSV (see CSV_COLUMNS): every number of the report."""
    rows = []
    for lf in [report.pristine] + report.landforms:
        for key, v in lf.values.items():
            rows.append(["landform", lf.name, lf.plan, key, v, CRITERIA[key][1]])
        for key, v in lf.extra.items():
            rows.append(["landform", lf.name, lf.plan, key, v, ""])
    for w in report.winners:
        unit = CRITERIA[w.criterion][1]
        rows += [["winner", w.criterion, "", "direction", w.direction, ""],
                 ["winner", w.criterion, "", "best", w.best or "", ""],
                 ["winner", w.criterion, "", "best_value", w.best_value, unit],
                 ["winner", w.criterion, "", "runner_up", w.runner_up or "", ""],
                 ["winner", w.criterion, "", "runner_up_value", w.runner_value, unit],
                 ["winner", w.criterion, "", "margin", w.margin, unit],
                 ["winner", w.criterion, "", "margin_percent", w.margin_percent, "%"]]
    for plan, prs in report.periods.items():
        for r in prs:
            for key in ("v_supply", "v_fmin", "v_fmax", "ratio"):
                rows.append(["period", r["period"], plan, key, r[key],
                             "" if key == "ratio" else "m3"])
        for key, v in period_summary(prs).items():
            rows.append(["plan", "all", plan, key, v,
                         "m3" if key.startswith("v_") else ""])
    for key, v in report.settings.items():
        rows.append(["setting", key, "", "value", v, ""])
    return rows


def write_csv(path, report):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_output(path) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for row in table_rows(report):
            w.writerow([f"{v:.10g}" if isinstance(v, (float, np.floating)) else v
                        for v in row])
    return path


def read_erosion_table(path):
    """{landform: eroded m3} from the CSV of hpcs:erosioncomparison."""
    if not os.path.isfile(path):
        raise InputError(f"The erosion table '{path}' does not exist.")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        if "landform" not in cols or "eroded_m3" not in cols:
            raise InputError(f"The erosion table '{path}' has no columns 'landform' and "
                             f"'eroded_m3' (it has: {', '.join(cols)}); use the CSV written "
                             "by 'Soil erosion comparison' (OUTPUT_TABLE).")
        out = {}
        for row in reader:
            try:
                out[row["landform"]] = float(row["eroded_m3"])
            except (TypeError, ValueError):
                raise InputError(f"The erosion table '{path}': eroded_m3 of "
                                 f"'{row['landform']}' is not a number.") from None
    return out


# --------------------------------------------------------------------------
# figures (matplotlib, Agg, embedded as base64 PNG)
# --------------------------------------------------------------------------

def _png(fig, dpi=100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    return base64.b64encode(buf.getvalue()).decode("ascii")


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


def landform_panels(report, what="channels"):
    """Hillshaded elevation with channels ('channels') or catchments and
    channels ('catchments') of PNL and each landform, side by side, one colour
    scale (Fig. 12 (a)-(d) / Fig. 13)."""
    from matplotlib import colors
    from matplotlib.figure import Figure
    maps = report.maps
    n = len(maps)
    h, w = maps[0][1].shape
    aspect = w / max(h, 1)
    # wide mine areas (strips side by side along a long axis) stack vertically
    ncol = min(n, 1 if aspect > 2.5 else (2 if aspect > 1.2 else 4))
    nrow = int(math.ceil(n / ncol))
    pw = {1: 10.0, 2: 5.5}.get(ncol, 3.6)
    ph = max(1.6, pw / aspect)
    fig = Figure(figsize=(pw * ncol, (ph + 0.35) * nrow + 0.9))
    finite = np.concatenate([m[1][np.isfinite(m[1])] for m in maps])
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if not vmax > vmin:
        vmax = vmin + 1.0
    light = colors.LightSource(azdeg=315, altdeg=45)
    dx = (report.extent[1] - report.extent[0]) / max(w, 1)
    cmap = _terrain()
    norm = colors.Normalize(vmin, vmax)
    last = None
    for i, (name, z, ch, cat) in enumerate(maps):
        ax = fig.add_subplot(nrow, ncol, i + 1)
        zz = np.where(np.isfinite(z), z, vmin)
        if what == "catchments":
            rgb = _catchment_rgb(cat, report.dump)
            shade = light.hillshade(zz, vert_exag=1.0, dx=dx, dy=dx)
            img = rgb * (0.55 + 0.45 * shade[..., None])
        else:
            img = light.shade(zz, cmap=cmap, norm=norm, blend_mode="soft", vert_exag=1.0,
                              dx=dx, dy=dx)[..., :3]
        ax.imshow(img, extent=report.extent, interpolation="nearest")
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
    if what != "catchments" and last is not None:
        from matplotlib.cm import ScalarMappable
        sm = ScalarMappable(norm=norm, cmap=cmap)
        fig.colorbar(sm, ax=fig.axes, orientation="horizontal", fraction=0.04, pad=0.03,
                     shrink=0.6, aspect=40,
                     label="elevation (m), one scale for all panels")
    return _png(fig)


def _terrain():
    from matplotlib import colors
    return colors.LinearSegmentedColormap.from_list(
        "hpcs_terrain", ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#b35806"])


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
# HTML
# --------------------------------------------------------------------------

CSS = ("body{font-family:sans-serif;max-width:68em;margin:1em auto;padding:0 1em;"
       "color:#222}table{border-collapse:collapse;margin:0.5em 0}td,th{border:1px solid "
       "#aaa;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
       "th{background:#eee}.win{background:#e5f5e0;font-weight:bold}.note{color:#8a4b00}"
       "img{max-width:100%}li{margin:0.3em 0}.small{font-size:90%;color:#555}")


def render_html(report):
    """The report as one self-contained HTML string."""
    e = html.escape
    allm = [report.pristine] + report.landforms
    best = {w.criterion: w.best for w in report.winners}
    parts = ["<!DOCTYPE html><html><head><meta charset='utf-8'>",
             f"<title>{e(report.title)}</title><style>{CSS}</style></head><body>",
             f"<h1>{e(report.title)}</h1>",
             "<p>Pristine landform (PNL, the reference): <b>" + e(report.pristine.name) +
             "</b>; reshaped landforms: " + ", ".join(
                 f"<b>{e(m.name)}</b>" + (f" ({e(m.plan)} plan)" if m.plan else "")
                 for m in report.landforms) + ". Method: Xia et al. (2023), section 2.3.</p>"]
    # winners
    parts.append("<h2 id='winners'>Winners</h2><ul>")
    for w in report.winners:
        parts.append(f"<li>{e(w.text)}</li>")
    parts.append("</ul>")
    # table
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
    parts.append(f"<img alt='criteria bar charts' src='data:image/png;base64,"
                 f"{bar_chart(report)}'/>")
    # paper
    parts.append("<h2 id='paper'>The paper's figures (Xia et al. 2023)</h2><table><tr>"
                 "<th>criterion</th>" + "".join(f"<th>{n}</th>" for n in PAPER_ORDER) +
                 "</tr>")
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
    # volumes
    parts.append("<h2 id='volumes'>Volumes and supply-demand per period</h2>")
    if report.periods:
        parts.append("<p>From the sub-area layer: V_g = supply of the mining strip (eq. 6), "
                     "V_fmin / V_fmax = the refilling strip's demand at the minimum / maximum "
                     "earthwork surface (eq. 7, 8). A period is balanced when V_fmin &le; V_g "
                     "&le; V_fmax; above V_fmax the near-natural landform is uplifted, below "
                     "V_fmin it sinks (cf. Fig. 12(e)).</p><table><tr><th>plan</th>"
                     "<th>periods</th><th>&Sigma;V_g (m&sup3;)</th><th>&Sigma;V_fmin "
                     "(m&sup3;)</th><th>&Sigma;V_fmax (m&sup3;)</th><th>&Sigma;V_g / "
                     "&Sigma;V_fmin</th><th>inside band</th><th>short</th><th>excess</th>"
                     "<th>status ok</th></tr>")
        for plan, rows in report.periods.items():
            s = period_summary(rows)
            parts.append(f"<tr><td>{e(plan)}</td><td>{s['periods']}</td>"
                         f"<td>{s['v_supply']:,.0f}</td><td>{s['v_fmin']:,.0f}</td>"
                         f"<td>{s['v_fmax']:,.0f}</td><td>{s['ratio']:.4f}</td>"
                         f"<td>{s['inside']}</td><td>{s['short']}</td><td>{s['excess']}</td>"
                         f"<td>{s['status_ok']}</td></tr>")
        parts.append("</table>")
        parts.append(f"<img alt='supply and demand per period' src='data:image/png;base64,"
                     f"{supply_chart(report.periods)}'/>")
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
    else:
        parts.append("<p class='note'>The sub-area layer has no fields v_supply, v_fmin, "
                     "v_fmax: use the layer written by 'Mining/refilling sub-area "
                     "delineation' for this section.</p>")
    # figures
    if report.maps:
        parts.append("<h2 id='figures'>Landforms and channels</h2><p>Hillshaded elevation "
                     "(one colour scale for all panels), channels (dark blue, the same "
                     "accumulation threshold) and the dump's outline (black), cf. Fig. 12 "
                     "(a)-(d) and Fig. 13.</p>")
        parts.append(f"<img alt='landforms with channels' src='data:image/png;base64,"
                     f"{landform_panels(report, 'channels')}'/>")
        parts.append("<p>Catchments of the channel links that the dump's cells drain to "
                     "(one colour each; grey: outside the dump's catchments), cf. Fig. 13."
                     "</p>")
        parts.append(f"<img alt='catchments' src='data:image/png;base64,"
                     f"{landform_panels(report, 'catchments')}'/>")
    # criteria explained
    parts.append("<h2 id='criteria'>Criteria</h2><dl>")
    for key, (label, unit, direction, text) in CRITERIA.items():
        parts.append(f"<dt><b>{e(label)}</b> ({e(direction)} is better)</dt>"
                     f"<dd>{e(text)}</dd>")
    parts.append("</dl><p class='small'>Winner margin: difference to the runner-up, and that "
                 "difference in per cent of the runner-up's value; for 'closer to PNL', the "
                 "difference of the two distances to PNL's value, in per cent of PNL's value. "
                 "Fractions are shown in per cent and their margins in percentage points.</p>")
    # details
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
    parts.append("</body></html>")
    return "\n".join(parts)


def write_html(path, report):
    text = render_html(report)
    with atomic_output(path, ".html") as tmp:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
    return path
