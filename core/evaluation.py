"""Landform comparison: criteria, metrics and winners (Xia et al. 2023,
section 2.3, Fig. 12 to 14, Table 1 and 2).  Returns data; drawing and HTML
are in :mod:`core.render`.

For the pristine landform (PNL) and every reshaped landform (NNDL, MNNDL,
TDL, ...) :func:`evaluate` assembles the paper's comparison numbers by calling
the evaluation cores, or takes them from what the model's evaluation steps
already wrote (:class:`Given`: fusion-rate tables and channel rasters of
hpcs:fusionrate, haul tables of hpcs:hauldistance, the erosion table of
hpcs:erosioncomparison), and decides a winner per criterion.

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

Design quality (issue "landforms a mine planner can build"): spikes and both
slope measures of every surface over the evaluation area
(:func:`core.quality.design_quality`), and the platform level of every
refilling strip of the traditional landform.
"""
import csv
import math
import os
from dataclasses import dataclass, field

import numpy as np

from . import hydrology as hy
from .channels import choose_threshold
from .erosion import compare_landforms
from .errors import InputError, as_progress
from .fusion import (
    NEW,
    OUTSIDE,
    SHARED,
    compare_channels,
    fusion_rate,
    pristine_flow,
    set_into_surroundings,
)
from .grid import atomic_output, mask_box
from .haul import haul_distance
from .landform import slope_degrees
from .quality import design_quality

#: criterion key -> (label, unit, direction of "better", explanation)
CRITERIA = {
    "mean_slope": (
        "Mean slope over the area", "deg", "lower",
        "Mean Horn slope (degrees) of the surface over the evaluation area (the dump, or "
        "EVALUATION_AREA). A gentler surface is more stable and erodes less; the paper compares "
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

#: design-quality numbers (core.quality.Quality fields) -> (label, unit)
QUALITY_FIELDS = {
    "spikes": ("spikes (|z - 3x3 median| > tan 25\u00b0 x cell)", "count"),
    "largest_spike": ("largest |z - 3x3 median|", "m"),
    "horn_slope": ("mean Horn slope", "deg"),
    "step_slope": ("mean step slope (centre-inclusive)", "deg"),
    "cells": ("interior cells measured", "count"),
}


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


@dataclass(frozen=True)
class Settings:
    """Options of :func:`evaluate` (the algorithm's parameters)."""
    channel_threshold: float = None     # cells; None = OTSU scaling break of PNL
    k: float = 1.0                      # spoil / stripped volume (eq. 6), haul distance
    bench_height: float = 10.0          # m, lifts of the haul distance
    erosion_model: str = "lem"          # core.erosion.MODELS
    years: float = 10.0
    erosion_parameters: dict = None     # keyword arguments of compare_landforms
    pristine_name: str = "PNL"
    tdl_name: str = "TDL"               # the landform whose platform levels are listed


@dataclass
class FusionFigures:
    """The 'all' row of a fusion-rate table of hpcs:fusionrate (eq. 10-12)."""
    rate: float
    rate_no_pit: float
    boundary_pairs: int


@dataclass
class ChannelFigures:
    """The channel comparison of hpcs:fusionrate: its numbers and its class raster
    (1 shared, 2 lost, 3 new in the dump, 4 landform channel outside, 255 nodata)."""
    overlap: float
    catchments: float
    catchments_pristine: float
    length: float
    length_pristine: float
    classes: np.ndarray = None
    threshold: float = None     # cells, the accumulation threshold they were taken at


@dataclass
class HaulFigures:
    """The 'all' row of a haul table of hpcs:hauldistance (eq. 13)."""
    mean_distance: float
    supply: float
    room: float
    moved: float


@dataclass
class Given:
    """What the model's evaluation steps already computed, per landform name;
    :func:`evaluate` computes whatever is not given.  erosion: (name, eroded m3)
    pairs in the table's order, or a dict."""
    erosion: object = None
    fusion: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    haul: dict = field(default_factory=dict)
    tdl_levels: dict = None         # {period: platform level (m)} of the TDL step


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
    maps: list = field(default_factory=list)      # (name, z, channels, catchments or None)
    dump: np.ndarray = None                        # cropped dump mask for the figures
    extent: tuple = None                           # (left, right, bottom, top) of the crop
    title: str = "Landform comparison report"
    channel_classes: dict = field(default_factory=dict)  # name -> cropped class raster
    quality: dict = field(default_factory=dict)   # surface name -> core.quality.Quality
    tdl_levels: list = field(default_factory=list)  # dicts period, level, min, max, source
    tdl_name: str = ""


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


def _scores(direction, cand, reference):
    if direction == "closer to PNL":
        return {n: abs(v - reference) for n, v in cand}
    if direction == "higher":
        return {n: -v for n, v in cand}
    return {n: v for n, v in cand}


def _winner_text(w, label, unit, score, reference):
    if w.direction == "closer to PNL":
        pct = f"{w.margin_percent:.2f} % of PNL's value" if _finite(w.margin_percent) else "n/a"
        return (f"{label} (closer to PNL's {fmt_value(reference, unit)} is better): "
                f"{w.best} wins with {fmt_value(w.best_value, unit)} "
                f"({fmt_value(score[w.best], unit)} off); next {w.runner_up} "
                f"{fmt_value(w.runner_value, unit)} ({fmt_value(score[w.runner_up], unit)} "
                f"off): {_margin_text(w.margin, unit)} closer ({pct}).")
    word = "higher" if w.direction == "higher" else "lower"
    pct = f"{w.margin_percent:.2f} %" if _finite(w.margin_percent) else "n/a %"
    return (f"{label} ({w.direction} is better): {w.best} wins with "
            f"{fmt_value(w.best_value, unit)}, {_margin_text(w.margin, unit)} {word} "
            f"than {w.runner_up} ({fmt_value(w.runner_value, unit)}), i.e. {pct} "
            f"{word} relative to {w.runner_up}.")


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
    if direction == "closer to PNL" and not _finite(reference):
        w.text = f"{label}: no PNL value to compare with."
        return w
    score = _scores(direction, cand, reference)
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
    else:
        w.margin = abs(w.best_value - w.runner_value)
        w.margin_percent = 100.0 * w.margin / abs(w.runner_value) if w.runner_value \
            else float("nan")
    w.text = _winner_text(w, label, unit, score, reference)
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


@dataclass
class _Base:
    """What every landform's evaluation shares: PNL routed once, the masks."""
    pristine: np.ndarray
    valid: np.ndarray
    area: np.ndarray
    dumps: dict
    dx: float
    dy: float
    threshold: float = None
    receivers: np.ndarray = None   # PNL's; from the codes when first needed (``rec``)
    codes: np.ndarray = None
    acc: np.ndarray = None
    win: tuple = None
    slope_box: tuple = None
    x: np.ndarray = None
    y: np.ndarray = None

    @property
    def rec(self):
        """PNL's flat D8 receivers; when PNL's routing was given (ESRI codes), built
        from the codes the first time a step needs them (the model's report never
        does: its channels and catchments come from the fusion steps)."""
        if self.receivers is None:
            self.receivers = hy.receivers_from_codes(self.codes)
        return self.receivers


def _slope_box(area, valid):
    """Where the mean slope over ``area`` is computed: the area's bounding box grown
    by one cell (Horn's stencil reads the 3 x 3 window; at the grid's edge the box's
    edge is the grid's, replicated alike), when the box has nodata exactly if the
    grid has (:func:`core.landform.horn_gradient` takes the same branch: the same
    numbers at every cell of the area); else the whole grid."""
    box = mask_box(area, 1)
    if bool(valid[box].all()) == bool(valid.all()):
        return box
    return (slice(None), slice(None))


def _mean_slope(b, z):
    """Mean Horn slope (degrees) of ``z`` over the evaluation area, on its box."""
    box = b.slope_box
    return float(np.nanmean(slope_degrees(z[box], b.dx, b.dy)[b.area[box]]))


def _check_inputs(pristine, landforms, plans, settings):
    shape = pristine.shape
    if not landforms:
        raise InputError("No landform was given; choose at least one reshaped landform.")
    names = [str(n) for n, _, _ in landforms]
    if len(set(names + [settings.pristine_name])) != len(names) + 1:
        raise InputError("Two landforms have the same name (or one is named like the "
                         f"pristine landform '{settings.pristine_name}'): {', '.join(names)}. "
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
    return names


def _base(pristine, plans, area, dx, dy, settings, progress, flow=None):
    """Masks, the evaluation area and PNL routed once (threshold, receivers):
    from ``flow`` = (ESRI codes, accumulation) of channel extraction when given
    (:func:`core.fusion.pristine_flow`), else by conditioning PNL."""
    shape = pristine.shape
    valid = np.isfinite(pristine)
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
    b = _Base(pristine, valid, area, dumps, dx, dy)
    if flow is None:
        _, b.receivers, b.codes, b.acc = hy.condition(pristine, dx, dy, progress)
    else:
        _, b.codes, b.acc = pristine_flow(pristine, *flow, receivers=False)
    if settings.channel_threshold is None:
        t, _ = choose_threshold(b.acc, "scaling")
    else:
        t, _ = choose_threshold(b.acc, "fixed", float(settings.channel_threshold))
    b.threshold = float(t)
    all_mined = np.zeros(shape, dtype=bool)
    for p in plans.values():
        all_mined |= p.mined | (p.refilling > 0) | (p.mining > 0)
    b.win = _crop_window(all_mined | area, shape)
    b.slope_box = _slope_box(area, valid)
    return b


def _routed_channels(b, surf, plan, fusion, channels, sub):
    """Fusion rate (with and without the pit) and channel comparison of one
    landform, routing it only for what is not given.  Returns (FusionFigures,
    ChannelFigures, channel mask, catchment ids or None)."""
    pit = plan.mined & ~(plan.refilling > 0) & b.valid
    if fusion is not None and channels is not None and channels.classes is not None:
        cls = np.asarray(channels.classes)
        chl = np.isin(cls, (SHARED, NEW, OUTSIDE))
        return fusion, channels, chl, None
    _, recl, codesl, accl = hy.condition(surf, b.dx, b.dy, sub.sub(0, 35))
    if fusion is None:
        fr = fusion_rate(codesl, accl, b.codes, b.acc, plan.refilling, b.valid)
        frn = fr
        if pit.any():
            nopit = np.where(pit, b.pristine, surf)
            _, _, codesn, accn = hy.condition(nopit, b.dx, b.dy, sub.sub(35, 70))
            frn = fusion_rate(codesn, accn, b.codes, b.acc, plan.refilling, b.valid)
        fusion = FusionFigures(fr.rate, frn.rate, int(fr.cells.size))
    cc = compare_channels(accl, recl, b.acc, b.rec, b.dumps[plan.name], b.threshold,
                          b.dx, b.dy)
    _, catl = hy.channel_links(recl, cc.channels_landform)
    figures = ChannelFigures(cc.overlap, float(cc.catchments_landform),
                             cc.catchments_pristine, cc.length_landform, cc.length_pristine,
                             cc.classes)
    return fusion, figures, cc.channels_landform, catl.reshape(b.pristine.shape)


def _haul(b, surf, plan, floor, thickness, settings, given, sub):
    if given is not None:
        return given
    mining = plan.mining_cover if plan.mining_cover is not None else plan.mining
    refilling = plan.refilling_cover if plan.refilling_cover is not None else plan.refilling
    res = haul_distance(b.pristine, floor, thickness, surf, mining, refilling,
                        np.asarray(b.x), np.asarray(b.y), b.dx * b.dy,
                        bench_height=settings.bench_height, k=settings.k, progress=sub)
    return HaulFigures(res.mean_distance, res.diagnostics["supply"],
                       res.diagnostics["demand"], res.diagnostics["moved"])


def _landform(b, name, z, plan, ctx, sub):
    """LandformMetrics, the surface set into PNL and its map entry."""
    settings, given, notes = ctx["settings"], ctx["given"], ctx["notes"]
    z = np.asarray(z, dtype=np.float64)
    dump = b.dumps[plan.name]
    missing = int((dump & ~np.isfinite(z)).sum())
    if missing:
        notes.append(f"{name}: no data in {missing} dump cell(s); PNL was used there.")
    surf = set_into_surroundings(z, b.pristine)
    surf[~b.valid] = np.nan
    lf = LandformMetrics(name, plan.name, {key: float("nan") for key in CRITERIA})
    lf.values["mean_slope"] = _mean_slope(b, surf)
    ch = given.channels.get(name)
    if ch is not None and ch.threshold is not None and not math.isclose(ch.threshold,
                                                                        b.threshold):
        notes.append(f"{name}: the fusion-rate step's channels are at {ch.threshold:g} cells, "
                     f"the report's at {b.threshold:g}; the report compared them again.")
        ch = None
    fr, cc, chl, catl = _routed_channels(b, surf, plan, given.fusion.get(name), ch, sub)
    pit = plan.mined & ~(plan.refilling > 0) & b.valid
    lf.values.update({"fusion_rate": fr.rate, "fusion_rate_no_pit": fr.rate_no_pit,
                      "channel_overlap": cc.overlap, "catchments": float(cc.catchments),
                      "channel_length": cc.length})
    lf.extra.update({"catchments_pnl": cc.catchments_pristine,
                     "channel_length_pnl": cc.length_pristine,
                     "boundary_pairs": int(fr.boundary_pairs), "dump_cells": int(dump.sum()),
                     "pit_cells": int(pit.sum())})
    if math.isnan(cc.overlap):
        notes.append(f"{name}: PNL has no channel cell in the dump at {b.threshold:g} cells; "
                     "the channel overlap is undefined. Lower CHANNEL_THRESHOLD.")
    if ctx["floor"] is not None and ctx["thickness"] is not None:
        h = _haul(b, surf, plan, ctx["floor"], ctx["thickness"], settings,
                  given.haul.get(name), sub.sub(70, 100))
        lf.values["haul_distance"] = h.mean_distance
        lf.extra.update({"haul_supply_m3": h.supply, "haul_room_m3": h.room,
                         "haul_moved_m3": h.moved})
    w = b.win
    # copies: the report keeps the window, not the whole grid
    entry = (name, surf[w].copy(), chl[w].copy(), catl[w].copy() if catl is not None else None)
    classes = None if cc.classes is None else np.asarray(cc.classes)[w].copy()
    return lf, surf, entry, classes


def _erosion_pairs(erosion):
    if erosion is None:
        return None
    return list(erosion.items()) if isinstance(erosion, dict) else list(erosion)


def _apply_erosion_table(rows, metrics, notes):
    """Eroded volumes from the table: by name; when a name is missing and the
    table has one row per landform (PNL first), by order (a model's temporary
    outputs are all named after their file, e.g. OUTPUT)."""
    rows = [tuple(r) + (None,) * (3 - len(r)) for r in rows]   # (name, eroded, mean loss)
    table = {r[0]: r[1:] for r in rows}
    names = [lf.name for lf in metrics]
    if not all(n in table for n in names) and len(rows) == len(metrics):
        notes.append("The erosion table's landform names (" + ", ".join(r[0] for r in rows)
                     + ") are not all the report's; its rows were taken in order as "
                     + ", ".join(names) + ".")
        table = {lf.name: r[1:] for lf, r in zip(metrics, rows)}
    found = 0
    for lf in metrics:
        v = table.get(lf.name)
        if v is None:
            notes.append(f"The erosion table has no row for '{lf.name}'.")
        else:
            lf.values["eroded"] = float(v[0])
            if v[1] is not None:
                lf.extra["mean_loss_t_ha_yr"] = float(v[1])
            found += 1
    if not found:
        raise InputError("The erosion table has no row for any landform ("
                         f"{', '.join(names)}); its 'landform' column "
                         f"holds: {', '.join(sorted(table))}.")


def _extent(b, x, y):
    win, dx, dy = b.win, b.dx, b.dy
    x0 = float(x[win[1].start]) - dx / 2.0
    x1 = float(x[win[1].stop - 1]) + dx / 2.0
    ys = (float(y[win[0].start]), float(y[win[0].stop - 1]))
    return (x0, x1, min(ys) - dy / 2.0, max(ys) + dy / 2.0)


def _each_landform(b, pnl, landforms, plans, ctx, progress, span):
    """Every landform's metrics, map entry, channel classes, design quality and (for
    the TDL) platform levels, taken while its surface set into PNL is at hand; the
    whole-grid surface is kept only for the erosion run (not when the table gives it)."""
    settings = ctx["settings"]
    keep = _erosion_pairs(ctx["given"].erosion) is None
    out = {"metrics": [], "maps": [], "classes": {}, "quality": {}, "surfs": [], "tdl": None}
    for i, (name, z, plan_name) in enumerate(landforms):
        sub = progress.sub(8 + span * i / len(landforms), 8 + span * (i + 1) / len(landforms))
        lf, surf, entry, cls = _landform(b, name, z, plans[plan_name], ctx, sub)
        # PNL's channel figures (the same dump for every plan in practice)
        pnl.values["catchments"] = float(lf.extra["catchments_pnl"])
        pnl.values["channel_length"] = lf.extra["channel_length_pnl"]
        out["metrics"].append(lf)
        out["maps"].append(entry)
        if cls is not None:
            out["classes"][name] = cls
        out["quality"][name] = design_quality(surf, b.area, b.dx, b.dy)
        if out["tdl"] is None and name.lower() == settings.tdl_name.lower():
            # the refilling strips lie in the window
            levels = strip_levels(surf[b.win], plans[plan_name].refilling[b.win],
                                  ctx["given"].tdl_levels)
            out["tdl"] = (name, levels)
        if keep:
            out["surfs"].append((name, surf))
    return out


def evaluate(pristine, landforms, plans, *, dx, dy, x, y, floor=None, thickness=None,
             area=None, settings=None, given=None, surfaces=None, progress=None,
             flowdir=None, accumulation=None):
    """Every criterion of the comparison for PNL and each landform.

    pristine: PNL (2-D, m); landforms: list of (name, z, plan name), z on the
    same grid (nan cells take PNL); plans: {plan name: PlanRasters}; x (cols,)
    / y (rows,) cell-centre coordinates; floor / thickness: rasters for the
    haul distance (both None: not computed); area: bool mask for the slope,
    design quality and erosion (None: the union of the plans' dumps);
    settings: :class:`Settings`; given: :class:`Given`, what the model's steps
    computed (the rest is computed here); surfaces: {name: z} of further
    surfaces for the design-quality table (e.g. dem_min, dem_max); flowdir /
    accumulation: PNL's ESRI D8 codes and accumulation (cells) as channel
    extraction wrote them for this DEM (both or neither; checked by
    :func:`core.fusion.pristine_flow`): PNL is then not routed again (the same
    arrays as when they are computed here).
    Returns a :class:`Report` without periods (see :func:`period_rows`).
    """
    progress = as_progress(progress)
    settings = settings or Settings()
    given = given or Given()
    pristine = np.asarray(pristine, dtype=np.float64)
    _check_inputs(pristine, landforms, plans, settings)
    have_haul = floor is not None and thickness is not None
    if have_haul and (np.shape(floor) != pristine.shape
                      or np.shape(thickness) != pristine.shape):
        raise InputError("The seam floor and the coal thickness must be on the pristine "
                         "landform's grid.")
    flow = None if flowdir is None and accumulation is None else (flowdir, accumulation)
    b = _base(pristine, plans, area, dx, dy, settings, progress.sub(0, 8), flow)
    b.x, b.y = x, y
    pnl = LandformMetrics(settings.pristine_name, "", {key: float("nan") for key in CRITERIA})
    pnl.values["mean_slope"] = _mean_slope(b, pristine)
    chp = np.isfinite(b.acc) & (b.acc >= b.threshold)
    ctx = {"settings": settings, "given": given, "notes": [], "floor": floor,
           "thickness": thickness}
    erosion_rows = _erosion_pairs(given.erosion)
    done = _each_landform(b, pnl, landforms, plans, ctx, progress,
                          90.0 if erosion_rows is not None else 70.0)
    metrics, maps = done["metrics"], done["maps"]
    # PNL's catchments only when every landform has its own (else no catchment map)
    catp = None
    if all(m[3] is not None for m in maps):
        catp = hy.channel_links(b.rec, chp)[1].reshape(pristine.shape)[b.win].copy()
    maps.insert(0, (settings.pristine_name, pristine[b.win].copy(), chp[b.win].copy(), catp))
    if erosion_rows is not None:
        _apply_erosion_table(erosion_rows, [pnl] + metrics, ctx["notes"])
    else:
        ero = compare_landforms([(settings.pristine_name, pristine)] + done["surfs"], dx, dy,
                                b.area, model=settings.erosion_model, years=settings.years,
                                progress=progress.sub(78, 98),
                                **(settings.erosion_parameters or {}))
        for lf, e in zip([pnl] + metrics, ero.landforms):
            lf.values["eroded"] = e.eroded
            lf.extra["mean_loss_t_ha_yr"] = e.mean_loss
    dump_all = np.zeros(pristine[b.win].shape, dtype=bool)   # every dump lies in the window
    for d in b.dumps.values():
        dump_all |= d[b.win]
    report = Report(pnl, metrics, decide_winners(pnl, metrics), notes=ctx["notes"], maps=maps,
                    dump=dump_all, extent=_extent(b, x, y), channel_classes=done["classes"])
    report.settings = {"channel threshold (cells)": b.threshold,
                       "evaluation area (ha)": float(b.area.sum()) * dx * dy / 1e4,
                       "dump cells": int(dump_all.sum()), "cell size (m)": f"{dx:g} x {dy:g}"}
    named = [(settings.pristine_name, pristine)] + list((surfaces or {}).items())
    report.quality = {n: design_quality(z, b.area, dx, dy) for n, z in named}
    report.quality.update(done["quality"])
    if done["tdl"] is not None:
        report.tdl_name, report.tdl_levels = done["tdl"]
    progress(100)
    return report


def strip_levels(z, refilling, given=None):
    """Platform level of each refilling strip: the given level (the TDL step's
    table) when there is one, else the mean elevation of ``z`` over the strip's
    cells; with the strip's lowest and highest cell (a flat platform: equal).
    Returns [dict(period, level, min, max, cells, source)] by period."""
    lab = np.asarray(refilling)
    z = np.asarray(z, dtype=np.float64)
    out = []
    for p in np.unique(lab[lab > 0]):
        vals = z[(lab == p) & np.isfinite(z)]
        if not vals.size:
            continue
        g = (given or {}).get(int(p))
        out.append({"period": int(p), "level": float(g) if g is not None
                    else float(vals.mean()), "min": float(vals.min()),
                    "max": float(vals.max()), "cells": int(vals.size),
                    "source": "TDL table" if g is not None else "mean of the raster"})
    return out


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
    """Totals and counts of one plan's periods; fmax_over_fmin = sum V_fmax /
    sum V_fmin (how much room the earthwork surfaces leave, issue 12)."""
    def s(key):
        return float(np.nansum([r[key] for r in rows]))
    vg, lo, hi = s("v_supply"), s("v_fmin"), s("v_fmax")
    inside = sum(1 for r in rows if r["v_fmin"] <= r["v_supply"] <= r["v_fmax"])
    short = sum(1 for r in rows if r["v_supply"] < r["v_fmin"])
    excess = sum(1 for r in rows if r["v_supply"] > r["v_fmax"])
    ok = sum(1 for r in rows if r["status"].strip().lower() == "ok")
    return {"periods": len(rows), "v_supply": vg, "v_fmin": lo, "v_fmax": hi,
            "ratio": vg / lo if lo else float("nan"), "inside": inside, "short": short,
            "excess": excess, "status_ok": ok,
            "fmax_over_fmin": hi / lo if lo else float("nan")}


# --------------------------------------------------------------------------
# CSV out
# --------------------------------------------------------------------------

def _winner_rows(w):
    unit = CRITERIA[w.criterion][1]
    return [["winner", w.criterion, "", "direction", w.direction, ""],
            ["winner", w.criterion, "", "best", w.best or "", ""],
            ["winner", w.criterion, "", "best_value", w.best_value, unit],
            ["winner", w.criterion, "", "runner_up", w.runner_up or "", ""],
            ["winner", w.criterion, "", "runner_up_value", w.runner_value, unit],
            ["winner", w.criterion, "", "margin", w.margin, unit],
            ["winner", w.criterion, "", "margin_percent", w.margin_percent, "%"]]


def _plan_rows(plan, prs):
    rows = [["period", r["period"], plan, key, r[key], "" if key == "ratio" else "m3"]
            for r in prs for key in ("v_supply", "v_fmin", "v_fmax", "ratio")]
    return rows + [["plan", "all", plan, key, v, "m3" if key.startswith("v_") else ""]
                   for key, v in period_summary(prs).items()]


def table_rows(report):
    """The rows of the CSV (see CSV_COLUMNS): every number of the report."""
    rows = []
    for lf in [report.pristine] + report.landforms:
        rows += [["landform", lf.name, lf.plan, key, v, CRITERIA[key][1]]
                 for key, v in lf.values.items()]
        rows += [["landform", lf.name, lf.plan, key, v, ""] for key, v in lf.extra.items()]
    for w in report.winners:
        rows += _winner_rows(w)
    for plan, prs in report.periods.items():
        rows += _plan_rows(plan, prs)
    rows += [["setting", key, "", "value", v, ""] for key, v in report.settings.items()]
    rows += [["quality", name, "", key, getattr(q, key), unit]
             for name, q in report.quality.items() for key, (_, unit) in QUALITY_FIELDS.items()]
    rows += [["tdl_level", r["period"], report.tdl_name, "level", r["level"], "m"]
             for r in report.tdl_levels]
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


# --------------------------------------------------------------------------
# tables in: what the model's evaluation steps wrote
# --------------------------------------------------------------------------

def _read_rows(path, what, need, hint):
    if not os.path.isfile(path):
        raise InputError(f"The {what} '{path}' does not exist.")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        missing = [c for c in need if c not in cols]
        if missing:
            raise InputError(f"The {what} '{path}' has no column(s) {', '.join(missing)} (it "
                             f"has: {', '.join(cols)}); use the CSV written by {hint}.")
        return list(reader)


def _number(v, what, path):
    try:
        return float(v)
    except (TypeError, ValueError):
        raise InputError(f"The {what} '{path}': '{v}' is not a number.") from None


def read_erosion_rows(path):
    """[(landform, eroded m3, mean loss t/ha/yr or None)] in the table's order,
    from the CSV of hpcs:erosioncomparison."""
    rows = _read_rows(path, "erosion table", ("landform", "eroded_m3"),
                      "'Soil erosion comparison' (OUTPUT_TABLE)")
    out = []
    for row in rows:
        try:
            loss = row.get("mean_loss_t_ha_yr")
            out.append((row["landform"], float(row["eroded_m3"]),
                        float(loss) if loss not in (None, "") else None))
        except (TypeError, ValueError):
            raise InputError(f"The erosion table '{path}': eroded_m3 of "
                             f"'{row['landform']}' is not a number.") from None
    return out


def read_erosion_table(path):
    """{landform: eroded m3} from the CSV of hpcs:erosioncomparison."""
    return {r[0]: r[1] for r in read_erosion_rows(path)}


def _all_row(rows, what, path):
    row = next((r for r in rows if str(r.get("period", "")).strip() == "all"), None)
    if row is None:
        raise InputError(f"The {what} '{path}' has no row 'all' (the totals).")
    return row


def read_fusion_table(path):
    """(FusionFigures, ChannelFigures or None) from the 'all' row of a table of
    hpcs:fusionrate; the channel numbers when the table has them."""
    what = "fusion-rate table"
    rows = _read_rows(path, what, ("period", "boundary_cells", "fusion_rate",
                                   "fusion_rate_no_pit"), "'Hydrological fusion rate'")
    row = _all_row(rows, what, path)
    fusion = FusionFigures(_number(row["fusion_rate"], what, path),
                           _number(row["fusion_rate_no_pit"], what, path),
                           int(_number(row["boundary_cells"], what, path)))
    keys = ("channel_overlap", "catchments", "catchments_pnl", "channel_length_m",
            "channel_length_pnl_m", "channel_threshold_cells")
    if not all(row.get(k) not in (None, "") for k in keys):
        return fusion, None
    v = [_number(row[k], what, path) for k in keys]
    return fusion, ChannelFigures(v[0], v[1], v[2], v[3], v[4], threshold=v[5])


def read_haul_table(path):
    """HaulFigures from the 'all' row of a table of hpcs:hauldistance."""
    what = "haul table"
    rows = _read_rows(path, what, ("period", "supply_m3", "room_m3", "moved_m3",
                                   "mean_haul_distance_m"), "'Mean earthwork haul distance'")
    row = _all_row(rows, what, path)
    return HaulFigures(*(_number(row[k], what, path) for k in (
        "mean_haul_distance_m", "supply_m3", "room_m3", "moved_m3")))


def read_levels_table(path):
    """{period: level m} of a table with a column 'period' and one whose name
    holds 'level', or else 'platform_m' (the per-strip platform levels of the
    TDL step, hpcs:traditionallandform's OUTPUT_LEVELS)."""
    if not os.path.isfile(path):
        raise InputError(f"The platform-level table '{path}' does not exist.")
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = reader.fieldnames or []
        col = next((c for c in cols if "level" in c.lower()),
                   "platform_m" if "platform_m" in cols else None)
        if "period" not in cols or col is None:
            raise InputError(f"The platform-level table '{path}' needs a column 'period' and "
                             f"a column named like 'level_m' (it has: {', '.join(cols)}).")
        out = {}
        for row in reader:
            try:
                out[int(float(row["period"]))] = float(row[col])
            except (TypeError, ValueError):
                continue
    return out
