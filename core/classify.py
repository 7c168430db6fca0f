"""Hydrological cell classes inside the reshaping area (paper section 1.1.2,
Fig. 3(a), 4, 5, 6; docs/method.md section 2).

Codes are the paper's, so that ``c(i, j)`` reads straight into eq. 1 to 5:

====  =====================  =========================================
code  class                  elevation from
====  =====================  =========================================
0     other                  eq. 5 (fuzzy interpolation)
1     fixed channel          eq. 1 (kept at dem_or)
1.5   confluence             eq. 1 (kept at dem_or)
2     semi-fixed channel     eq. 2 (profile rescaled to an angle)
3     watershed (divide)     eq. 3
4     floating channel       eq. 4
5     boundary               eq. 1 (every valid cell outside the area)
====  =====================  =========================================

Reading (the decision of docs/method.md section 2, which keeps every runoff
path that crosses the dump boundary):

* fixed: channel cells in the area with a channel cell *outside* the area
  upstream of them (the channel enters the area from outside; downstream it
  necessarily leaves it, every flow path ends off the grid);
* confluence: fixed cells that receive the flow of a non-fixed channel cell
  of the area;
* semi-fixed: non-fixed channel cells of the area whose downstream path,
  after the run of non-fixed channel cells, reaches a known cell: a
  confluence, or the first cell outside the area (the exit cell);
* floating: the other non-fixed channel cells of the area (their path ends
  inside the area: it drains out of the grid or into nodata from inside the
  area, or it leaves the channel mask inside the area);
* watershed: ridge cells of the area that are not channel cells.
"""
import numpy as np

from . import hydrology as hy
from .errors import InputError, as_progress
from .grid import require_data

OTHER, FIXED, CONFLUENCE, SEMI_FIXED, WATERSHED, FLOATING, BOUNDARY = 0.0, 1.0, 1.5, 2.0, 3.0, \
    4.0, 5.0
#: every class code in the paper's order
CODES = (OTHER, FIXED, CONFLUENCE, SEMI_FIXED, WATERSHED, FLOATING, BOUNDARY)
#: code -> name used in logs, outputs and legends
NAMES = {
    OTHER: "other",
    FIXED: "fixed channel",
    CONFLUENCE: "confluence",
    SEMI_FIXED: "semi-fixed channel",
    WATERSHED: "watershed",
    FLOATING: "floating channel",
    BOUNDARY: "boundary",
}
#: legend colours (fixed blue, confluence purple, semi-fixed cyan, watershed red,
#: floating orange, other light yellow, boundary grey and half transparent)
COLOURS = {
    OTHER: (255, 247, 188, 255),
    FIXED: (31, 90, 209, 255),
    CONFLUENCE: (140, 40, 190, 255),
    SEMI_FIXED: (0, 190, 230, 255),
    WATERSHED: (200, 40, 40, 255),
    FLOATING: (250, 140, 0, 255),
    BOUNDARY: (160, 160, 160, 110),
}
#: output keys of the per-class counts (algorithm outputs COUNT_<KEY>)
COUNT_KEYS = {
    OTHER: "OTHER", FIXED: "FIXED", CONFLUENCE: "CONFLUENCE", SEMI_FIXED: "SEMI_FIXED",
    WATERSHED: "WATERSHED", FLOATING: "FLOATING", BOUNDARY: "BOUNDARY",
}


def flowdir_codes(array):
    """ESRI codes from a direction raster read as float (nan = nodata -> 255), for
    hydrology.receivers_from_codes."""
    a = np.where(np.isfinite(array), array, 255)
    return a.astype(np.int64)


def class_counts(classes):
    """Number of cells of each class code (dict code -> int)."""
    c = np.asarray(classes)
    return {code: int(np.count_nonzero(c == code)) for code in CODES}


def classify_cells(z, area, receivers, channels, ridges, progress=None):
    """Class code of every cell (float64, nan = nodata), paper Fig. 3(a).

    z: the pre-mining DEM (only its valid mask is used); area: bool mask of
    the reshaping area; receivers: flat D8 receivers (N = out of the grid,
    e.g. from ``hydrology.receivers_from_codes``); channels, ridges: bool
    masks (channel extraction).  Implements the split of the channel cells
    into fixed / confluence (eq. 1), semi-fixed (eq. 2), floating (eq. 4)
    and of the ridge cells into watershed cells (eq. 3); all other cells of
    the area are class 0 (eq. 5) and every valid cell outside is boundary
    (class 5, eq. 1).  Whole-array work along the flow tree: one
    accumulation and one pointer-jumping walk.
    """
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    shape = z.shape
    for name, a in (("area", area), ("channels", channels), ("ridges", ridges)):
        if np.shape(a) != shape:
            raise InputError(f"The {name} raster is {np.shape(a)[0]} x {np.shape(a)[1]} cells, "
                             f"the DEM {shape[0]} x {shape[1]}; put them on the same grid.")
    rec = np.asarray(receivers, dtype=np.int64).ravel()
    n = z.size
    if rec.size != n:
        raise InputError("The flow directions are not on the DEM's grid.")
    valid = np.isfinite(z)
    require_data("The DEM (INPUT)", z, area, "the reshaping area (AREA)")
    area = np.asarray(area, dtype=bool) & valid
    if not area.any():
        raise InputError("The reshaping area covers no valid cell of the DEM. Check that the "
                         "area overlaps the DEM (same place, CRS set) and is not all nodata.")
    if not (valid & ~area).any():
        raise InputError("The reshaping area covers every valid cell of the DEM, so there is no "
                         "boundary whose channels could be kept. Use a DEM that extends beyond "
                         "the area (the paper uses about 1000 m of surroundings).")
    ch = np.asarray(channels, dtype=bool) & valid
    ri = np.asarray(ridges, dtype=bool) & valid
    progress(5)

    cls = np.full(shape, np.nan)
    cls[valid] = OTHER
    cls[valid & ~area] = BOUNDARY
    cls[area & ri & ~ch] = WATERSHED

    chf, areaf = ch.ravel(), area.ravel()
    ch_in = chf & areaf
    # fixed: an outside channel cell is upstream (the channel enters the area)
    fed = hy.accumulate(rec, weights=(chf & ~areaf).astype(np.float64))
    progress(40)
    fixed = ch_in & (fed > 0)
    cand = ch_in & ~fixed
    # first cell below the run of non-fixed area channel cells
    end = hy.first_downstream(rec, ~cand)
    progress(80)
    endx = np.concatenate([end, [n]])[np.flatnonzero(cand)]
    known_end = np.zeros(n + 1, dtype=bool)
    known_end[:n] = fixed | (valid.ravel() & ~areaf)
    anchored = np.zeros(n, dtype=bool)
    anchored[cand] = known_end[endx]
    semi = cand & anchored
    floating = cand & ~anchored
    # confluence: a fixed cell that receives a semi-fixed cell
    into = np.bincount(rec[semi], minlength=n + 1)[:n] > 0
    confluence = fixed & into

    flat = cls.ravel()
    flat[fixed] = FIXED
    flat[confluence] = CONFLUENCE
    flat[semi] = SEMI_FIXED
    flat[floating] = FLOATING
    progress(100)
    return cls
