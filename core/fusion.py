"""Hydrological fusion rate and channel comparison (paper eq. 10 to 12, section 2.3.1).

Definitions (docs/method.md, section "6. Evaluation"):

* The sub-area plan comes as two int32 label rasters: ``mining`` and
  ``refilling`` hold the period of the mining / refilling strip whose polygon
  contains each cell centre (0 = none).
* The dump is every cell with a refilling label; the final pit is every cell
  with a mining label and no refilling label (mined, never refilled).
* S_b (eq. 10) is the set of (strip n, cell) pairs where the cell lies outside
  the dump and is 8-adjacent to a cell of refilling strip n.  A cell next to
  two strips counts once for each, with each strip's normaliser, so that
  ``size(S_b)`` is the number of terms of the double sum and r stays in 0..1.
* Flow of the landform is computed on the whole grid: the landform set into
  its surroundings (landform where it has data, the pre-mining DEM elsewhere),
  conditioned exactly like the pristine DEM (``core.hydrology.condition``).
  Directions are compared as ESRI codes, accumulation in cells.
* "Without the pit's influence" (section 2.3.1): the final pit cells of the
  landform are replaced by the pre-mining DEM before routing.
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from . import hydrology as hy
from .channels import choose_threshold
from .errors import InputError, as_progress
from .grid import require_data

#: codes of the agreement raster
AGREE, DIFFER, DUMP = 1, 2, 3
#: codes of the channel comparison raster
SHARED, LOST, NEW, OUTSIDE = 1, 2, 3, 4


def dump_and_pit(mining, refilling):
    """(dump mask, final pit mask) from the two label rasters.

    dump = refilling label > 0; final pit = mining label > 0 and not dump.
    """
    mining = np.asarray(mining)
    refilling = np.asarray(refilling)
    if mining.shape != refilling.shape:
        raise InputError("The mining and refilling label rasters differ in shape.")
    dump = refilling > 0
    pit = (mining > 0) & ~dump
    return dump, pit


def strip_extents(refilling):
    """{period: (rows, cols)} of the bounding box of each refilling strip, in cells.

    rows x cols is the normaliser row_fn * col_fn of eq. 12.
    """
    lab = np.asarray(refilling, dtype=np.int64)
    out = {}
    if lab.size == 0 or lab.max() <= 0:
        return out
    slices = ndimage.find_objects(np.where(lab > 0, lab, 0))
    for i, sl in enumerate(slices):
        if sl is None:
            continue
        out[i + 1] = (sl[0].stop - sl[0].start, sl[1].stop - sl[1].start)
    return out


def boundary_pairs(refilling, valid=None):
    """S_b as (strip periods, flat cell indices), sorted by period then cell.

    A pair (n, c) for every valid cell c outside the dump that is 8-adjacent
    to a cell of refilling strip n.
    """
    lab = np.asarray(refilling, dtype=np.int64)
    rows, cols = lab.shape
    if valid is None:
        valid = np.ones(lab.shape, dtype=bool)
    outside = (lab <= 0) & valid
    padded = np.zeros((rows + 2, cols + 2), dtype=np.int64)
    padded[1:-1, 1:-1] = lab
    idx = np.arange(lab.size, dtype=np.int64).reshape(lab.shape)
    ns, cs = [], []
    for dr, dc in hy.OFFSETS:
        nb = padded[1 + dr:1 + dr + rows, 1 + dc:1 + dc + cols]
        m = outside & (nb > 0)
        ns.append(nb[m])
        cs.append(idx[m])
    n = np.concatenate(ns)
    c = np.concatenate(cs)
    if n.size == 0:
        return n, c
    key = np.unique(n * lab.size + c)
    return key // lab.size, key % lab.size


@dataclass
class FusionRate:
    rate: float                 # eq. 10, 0..1 (nan if S_b is empty)
    strips: list                # per strip: dict(period, rows, cols, normaliser, cells, agree, rate)
    pv: np.ndarray              # p_v of every S_b pair
    pd: np.ndarray              # p_d of every S_b pair
    periods: np.ndarray         # strip of every S_b pair
    cells: np.ndarray           # flat cell index of every S_b pair
    agreement: np.ndarray       # uint8 raster: 0 none, 1 agree, 2 differ, 3 dump


def fusion_rate(codes_landform, acc_landform, codes_pristine, acc_pristine, refilling,
                valid=None):
    """Hydrological fusion rate r_hr of a landform against PNL (eq. 10 to 12).

        r_hr = sum over S_b of p_v p_d / size(S_b)                       (10)
        p_v  = 1 if v_dem(i, j) = v_or(i, j) else 0                        (11)
        p_d  = 1 - |Q_dem(i, j) - Q_or(i, j)| / (row_fn col_fn)            (12)

    v: ESRI D8 codes, Q: flow accumulation in cells, row_fn x col_fn: the
    bounding box of refilling strip n in cells.  p_d is clipped to 0..1 (the
    paper: "p_d takes values 0 to 1").  Per strip, r_n is the same sum over
    that strip's pairs divided by their number.  In the agreement raster a
    cell next to several strips shows 'differ' if the directions differ (p_v
    does not depend on the strip).
    """
    cl = np.asarray(codes_landform).ravel()
    cp = np.asarray(codes_pristine).ravel()
    ql = np.asarray(acc_landform, dtype=np.float64).ravel()
    qp = np.asarray(acc_pristine, dtype=np.float64).ravel()
    lab = np.asarray(refilling)
    if not (cl.size == cp.size == ql.size == qp.size == lab.size):
        raise InputError("Flow directions, accumulations and strips must be on one grid.")
    if valid is None:
        valid = np.isfinite(qp.reshape(lab.shape)) & np.isfinite(ql.reshape(lab.shape))
    periods, cells = boundary_pairs(lab, valid)
    ext = strip_extents(lab)
    maxp = int(lab.max()) if lab.size else 0
    norm = np.zeros(maxp + 1)
    for p, (r, c) in ext.items():
        norm[p] = r * c
    pv = (cl[cells] == cp[cells]).astype(np.float64)
    pd = np.clip(1.0 - np.abs(ql[cells] - qp[cells]) / norm[periods], 0.0, 1.0) \
        if cells.size else np.zeros(0)
    term = pv * pd
    rate = float(term.sum() / term.size) if term.size else float("nan")
    strips = []
    if cells.size:
        count = np.bincount(periods, minlength=maxp + 1)
        agree = np.bincount(periods, weights=pv, minlength=maxp + 1)
        total = np.bincount(periods, weights=term, minlength=maxp + 1)
    for p in sorted(ext):
        r, c = ext[p]
        n = int(count[p]) if cells.size else 0
        strips.append({
            "period": int(p), "rows": int(r), "cols": int(c), "normaliser": int(r * c),
            "cells": n, "agree": int(agree[p]) if n else 0,
            "rate": float(total[p] / n) if n else float("nan")})
    agreement = np.zeros(lab.size, dtype=np.uint8)
    agreement[lab.ravel() > 0] = DUMP
    if cells.size:
        differ = np.zeros(lab.size, dtype=bool)
        differ[cells[pv == 0]] = True
        agreement[cells] = AGREE
        agreement[differ] = DIFFER
    agreement = agreement.reshape(lab.shape)
    agreement[~np.asarray(valid, dtype=bool)] = 255
    return FusionRate(rate, strips, pv, pd, periods, cells, agreement)


@dataclass
class ChannelComparison:
    overlap: float              # |L and P| / |P| inside the dump (nan if P has none there)
    catchments_landform: int
    catchments_pristine: int
    length_landform: float      # metres of channel inside the dump
    length_pristine: float
    classes: np.ndarray         # uint8: 1 shared, 2 lost, 3 new (in the dump), 4 outside, 255 nodata
    channels_landform: np.ndarray
    channels_pristine: np.ndarray


def compare_channels(acc_landform, rec_landform, acc_pristine, rec_pristine, dump,
                     threshold, dx, dy):
    """Channels of a landform beside PNL's inside the dump (section 2.3.1).

    Channels are cells with accumulation >= ``threshold`` (the same for both).
    overlap = |channels_landform and channels_pnl in the dump| /
    |channels_pnl in the dump|; catchments = number of distinct catchment ids
    (``hydrology.channel_links``; 0, draining off the grid without reaching a
    channel, not counted) among the dump's cells; channel length = sum over
    the channel cells in the dump of the step length to their receiver (m).
    """
    shape = np.shape(dump)
    dump = np.asarray(dump, dtype=bool)
    al = np.asarray(acc_landform, dtype=np.float64)
    ap = np.asarray(acc_pristine, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        chl = np.isfinite(al) & (al >= threshold)
        chp = np.isfinite(ap) & (ap >= threshold)
    both = int((chl & chp & dump).sum())
    npri = int((chp & dump).sum())
    overlap = both / npri if npri else float("nan")

    def stats(rec, ch):
        _, catch = hy.channel_links(rec, ch)
        ids = np.unique(catch.reshape(shape)[dump])
        nc = int((ids > 0).sum())
        # step length of the channel cells in the dump only (not a grid of lengths)
        cells = np.flatnonzero((ch & dump).ravel())
        step = hy.downstream_distance(np.asarray(rec).take(cells), dx, dy, shape, cells)
        return nc, float(step.sum())

    ncl, lenl = stats(rec_landform, chl)
    ncp, lenp = stats(rec_pristine, chp)
    classes = np.zeros(shape, dtype=np.uint8)
    classes[dump & chl & chp] = SHARED
    classes[dump & chp & ~chl] = LOST
    classes[dump & chl & ~chp] = NEW
    classes[~dump & chl] = OUTSIDE
    classes[~np.isfinite(al)] = 255
    return ChannelComparison(overlap, ncl, ncp, lenl, lenp, classes, chl, chp)


@dataclass
class FusionEvaluation:
    fusion: FusionRate
    fusion_no_pit: FusionRate
    channels: ChannelComparison
    threshold: float
    pit_cells: int
    dump_cells: int
    diagnostics: dict = field(default_factory=dict)


def set_into_surroundings(landform, pristine):
    """The landform where it has data, the pre-mining DEM elsewhere."""
    landform = np.asarray(landform, dtype=np.float64)
    return np.where(np.isfinite(landform), landform, pristine)


def pristine_flow(pristine, flowdir, accumulation, receivers=True):
    """(receivers, ESRI codes, accumulation) of PNL from ``flowdir`` (ESRI D8 codes,
    nan = nodata) and ``accumulation`` (cells, nan = nodata) as channel extraction
    writes them for the same DEM: the arrays of ``core.hydrology.condition``
    (receivers int64 instead of int32), checked against the DEM's nodata.  With
    ``receivers`` False the first item is None (a caller that may not need them
    builds them later with ``core.hydrology.receivers_from_codes``)."""
    if flowdir is None or accumulation is None:
        raise InputError("Give both the flow directions (FLOWDIR) and the accumulation "
                         "(ACCUMULATION) of PNL, or neither (then they are computed).")
    fd = np.asarray(flowdir, dtype=np.float64)
    acc = np.asarray(accumulation, dtype=np.float64)
    if fd.shape != pristine.shape or acc.shape != pristine.shape:
        raise InputError("FLOWDIR and ACCUMULATION must be on the pre-mining DEM's grid.")
    valid = np.isfinite(pristine)
    codes = np.full(fd.shape, 255, dtype=np.uint8)
    have = np.isfinite(fd)
    np.copyto(codes, fd, where=have, casting="unsafe")
    with np.errstate(invalid="ignore"):
        bad = int(((have != valid) | (np.isfinite(acc) != valid)
                   | (valid & ~np.isin(fd, (0,) + tuple(hy.CODES)))
                   | (valid & ~(acc >= 1))).sum())
    if bad:
        raise InputError(
            f"FLOWDIR and ACCUMULATION do not belong to the pre-mining DEM ({bad} cell(s) "
            "with nodata where the DEM has data or the reverse, or a value that is not an "
            "ESRI D8 code or a cell count). Give the FLOWDIR and ACCUMULATION that 'Channel "
            "and ridge extraction' wrote for this DEM, or leave both blank.")
    acc = np.where(valid, acc, np.nan)
    return (hy.receivers_from_codes(codes) if receivers else None), codes, acc


def evaluate_fusion(pristine, landform, mining, refilling, dx, dy, *, channel_threshold=None,
                    progress=None, flowdir=None, accumulation=None):
    """Fusion rate (with and without the final pit) and channel comparison.

    pristine: PNL (pre-mining DEM); landform: the reshaped DEM on the same
    grid (nan cells take PNL); mining / refilling: period labels (0 none).
    channel_threshold: cells; None = the OTSU scaling-break threshold of PNL.
    flowdir, accumulation: PNL's ESRI D8 codes and accumulation (cells) as
    channel extraction wrote them for this DEM (:func:`pristine_flow`); when not
    given they are computed (the same arrays).
    """
    progress = as_progress(progress)
    pristine = np.asarray(pristine, dtype=np.float64)
    landform = np.asarray(landform, dtype=np.float64)
    if pristine.shape != landform.shape or pristine.shape != np.shape(refilling) \
            or pristine.shape != np.shape(mining):
        raise InputError("The pre-mining DEM, the landform and the sub-areas must share "
                         "one grid.")
    hy.check_dem(pristine, "the pre-mining DEM (PNL)")
    dump, pit = dump_and_pit(mining, refilling)
    valid = np.isfinite(pristine)
    where = "the dump (refilling strips)"
    require_data("The pre-mining DEM (PRISTINE)", pristine, dump, where)
    require_data("The landform (LANDFORM)", landform, dump, where)
    if not dump.any():
        raise InputError("No refilling strip covers a valid cell of the pre-mining DEM; "
                         "check the sub-area layer and its CRS.")
    surf = set_into_surroundings(landform, pristine)
    surf[~valid] = np.nan
    missing = int((dump & ~np.isfinite(landform)).sum())
    if flowdir is None and accumulation is None:
        _, recp, codesp, accp = hy.condition(pristine, dx, dy, progress.sub(0, 30),
                                             compact=True)
    else:
        recp, codesp, accp = pristine_flow(pristine, flowdir, accumulation)
    _, recl, codesl, accl = hy.condition(surf, dx, dy, progress.sub(30, 60), compact=True)
    fr = fusion_rate(codesl, accl, codesp, accp, refilling, valid)
    pit &= valid
    if pit.any():
        nopit = np.where(pit, pristine, surf)
        _, _, codesn, accn = hy.condition(nopit, dx, dy, progress.sub(60, 90), compact=True)
        frn = fusion_rate(codesn, accn, codesp, accp, refilling, valid)
    else:
        frn = fr
    if channel_threshold is None:
        t, _ = choose_threshold(accp, "scaling")
    else:
        t, _ = choose_threshold(accp, "fixed", float(channel_threshold))
    cc = compare_channels(accl, recl, accp, recp, dump, t, dx, dy)
    progress(100)
    return FusionEvaluation(fr, frn, cc, float(t), int(pit.sum()), int(dump.sum()),
                            {"landform_nodata_in_dump": missing})
