"""Design quality of a surface (docs/method.md section 5, "Design quality").

A surface a planner can build has no isolated spikes or pits, and its slope
is judged with a measure that includes the cell itself:

* spike: a cell of the mask whose elevation differs from the median of its
  3 x 3 window by more than ``tan(A_max) x cell size`` (A_max = 25 degrees,
  the standard dump slope of eq. 3);
* Horn mean slope: the mean of Horn's 3 x 3 slope (ArcGIS "Slope", which the
  paper used).  Horn's stencil ignores the centre cell, so a checkerboard of
  +-h has Horn slope 0: it can be lowered by roughening;
* step slope (centre-inclusive): per cell the angle of the mean of its four
  one-cell steps, atan(mean_k |z - z_k| / d_k) over the E, W, N, S
  neighbours (d = dx or dy), so every bump a cell makes with its neighbours
  counts.  For a plane of gradient (g_x, g_y) it is atan((|g_x| + |g_y|) / 2),
  so it reads lower than Horn on smooth ground and higher on rough ground;
  it is a measure to compare surfaces with, PNL measured the same way.

The measures are taken on the interior of the mask (the mask eroded by one
cell), so a 3 x 3 window never straddles the mask's edge, where designed
surfaces meet the natural ground by construction.
"""
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from .grid import mask_box
from .landform import horn_gradient

#: the standard maximum slope of a dump (degrees; the paper's A_max)
SPIKE_ANGLE = 25.0


@dataclass(frozen=True)
class Quality:
    """Design-quality figures of one surface over the interior of a mask."""
    cells: int              # interior cells measured
    spikes: int             # cells off their 3 x 3 median by more than the limit
    spike_limit: float      # metres, tan(A) x cell size
    largest_spike: float    # metres, largest |z - median| over the interior
    horn_slope: float       # degrees, mean Horn slope
    step_slope: float       # degrees, mean centre-inclusive step angle

    def as_dict(self):
        return dict(self.__dict__)


def interior(mask):
    """The mask eroded by one cell (3 x 3): cells whose whole window is inside."""
    return ndimage.binary_erosion(np.asarray(mask, bool), np.ones((3, 3), bool))


def _filled(z):
    """z with nodata replaced by the nearest valid value (for window statistics)."""
    z = np.asarray(z, dtype=np.float64)
    valid = np.isfinite(z)
    if valid.all() or not valid.any():
        return z
    _, (ir, ic) = ndimage.distance_transform_edt(~valid, return_indices=True)
    return z[ir, ic]


def spike_mask(z, mask, cell, *, angle=SPIKE_ANGLE):
    """Spikes: cells of ``interior(mask)`` with |z - median_3x3(z)| > tan(angle) x cell."""
    zz = _filled(z)
    med = ndimage.median_filter(zz, size=3, mode="nearest")
    return (np.abs(zz - med) > np.tan(np.radians(angle)) * float(cell)) & interior(mask)


def step_slope(z, dx, dy):
    """Centre-inclusive slope (degrees): atan of the mean of the four one-cell
    step gradients |z - z_k| / d_k (E, W, N, S); edges replicated."""
    p = np.pad(_filled(z), 1, mode="edge")
    c = p[1:-1, 1:-1]
    g = (np.abs(c - p[1:-1, 2:]) / dx + np.abs(c - p[1:-1, :-2]) / dx
         + np.abs(c - p[2:, 1:-1]) / dy + np.abs(c - p[:-2, 1:-1]) / dy) / 4.0
    return np.degrees(np.arctan(g))


def horn_slope(z, dx, dy):
    """Horn's slope (degrees), edges replicated, nodata filled by the nearest value
    (:func:`core.landform.horn_gradient` on the filled surface)."""
    gx, gy = horn_gradient(_filled(z), dx, dy)
    return np.degrees(np.arctan(np.hypot(gx, gy)))


def _on_mask_box(z, mask, margin=2):
    """(z, mask) on the mask's bounding box grown by ``margin`` cells when that box
    holds no nodata, else as given.  Every measure at an interior cell reads only its
    3 x 3 window, which lies in the mask, so the figures are the same either way;
    on the box their cost follows the mask, not the grid."""
    mask = np.asarray(mask, bool)
    box = mask_box(mask, margin)
    if box is None:
        return z, mask
    zb = np.asarray(z)[box]
    return (zb, mask[box]) if np.isfinite(zb).all() else (z, mask)


def design_quality(z, mask, dx, dy, *, angle=SPIKE_ANGLE):
    """Spikes and both mean slopes of ``z`` over ``interior(mask)`` (see the module doc)."""
    z, mask = _on_mask_box(z, mask)
    inner = interior(mask)
    n = int(inner.sum())
    cell = min(float(dx), float(dy))
    limit = float(np.tan(np.radians(angle)) * cell)
    if n == 0:
        return Quality(0, 0, limit, float("nan"), float("nan"), float("nan"))
    zz = _filled(z)
    dev = np.abs(zz - ndimage.median_filter(zz, size=3, mode="nearest"))[inner]
    return Quality(cells=n, spikes=int((dev > limit).sum()), spike_limit=limit,
                   largest_spike=float(dev.max()),
                   horn_slope=float(horn_slope(zz, dx, dy)[inner].mean()),
                   step_slope=float(step_slope(zz, dx, dy)[inner].mean()))
