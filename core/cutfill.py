"""Cut and fill between two surfaces (as Carlson Natural Regrade's "Update Cut/Fill").

The difference D = B - A (surface B, e.g. the design, minus surface A, e.g.
the pre-mining DEM) per cell; over the cells of the area where both have
data:

    fill = sum max(D, 0) L^2      (B above A: material placed)
    cut  = sum max(-D, 0) L^2     (B below A: material removed)
    net  = cut - fill

The tolerance band |D| <= tolerance only classifies cells (neutral in the
styled difference raster, "within tolerance" area in the table); the volumes
count every cell, so they are exact midpoint-rule integrals.  The variance
of cut to fill, 100 (cut - fill) / fill, is Carlson's material-balance check.
"""
from dataclasses import dataclass

import numpy as np

from .errors import InputError
from .grid import require_data


@dataclass
class CutFillResult:
    difference: np.ndarray      # B - A, nan outside the area or where either has no data
    cut: float
    fill: float
    net: float
    cut_area: float             # m2 with D < -tolerance
    fill_area: float            # m2 with D > tolerance
    neutral_area: float         # m2 with |D| <= tolerance
    cut_beyond: float           # cut volume of the cells with D < -tolerance
    fill_beyond: float
    cells: int
    tolerance: float

    @property
    def variance_percent(self):
        return 100.0 * (self.cut - self.fill) / self.fill if self.fill > 0 else float("nan")

    def table(self):
        """Rows (quantity, value, unit) for the CSV report."""
        return [
            ("cut", self.cut, "m3"), ("fill", self.fill, "m3"),
            ("net (cut - fill)", self.net, "m3"),
            ("variance of cut to fill", self.variance_percent, "%"),
            ("cut area (D < -tolerance)", self.cut_area, "m2"),
            ("fill area (D > tolerance)", self.fill_area, "m2"),
            ("area within tolerance", self.neutral_area, "m2"),
            ("cut beyond tolerance", self.cut_beyond, "m3"),
            ("fill beyond tolerance", self.fill_beyond, "m3"),
            ("cells compared", self.cells, "cells"), ("tolerance", self.tolerance, "m"),
        ]


def cut_fill(surface_a, surface_b, cell_area, *, mask=None, tolerance=0.0):
    """Cut, fill and net volumes (m3) of B against A over ``mask`` (see the module doc)."""
    a = np.asarray(surface_a, dtype=np.float64)
    b = np.asarray(surface_b, dtype=np.float64)
    if a.shape != b.shape:
        raise InputError(f"SURFACE_A ({a.shape[0]} x {a.shape[1]}) and SURFACE_B "
                         f"({b.shape[0]} x {b.shape[1]}) are not on one grid; resample one "
                         "onto the other's grid first.")
    if not tolerance >= 0:
        raise InputError("The tolerance must be >= 0 m.")
    ok = np.isfinite(a) & np.isfinite(b)
    if mask is not None:
        mask = np.asarray(mask, bool)
        require_data("SURFACE_A", a, mask, "EVALUATION_AREA")
        require_data("SURFACE_B", b, mask, "EVALUATION_AREA")
        ok &= mask
    if not ok.any():
        raise InputError("The two surfaces have no cell with data in common"
                         + (" inside EVALUATION_AREA" if mask is not None else "") + ".")
    diff = np.full(a.shape, np.nan)
    diff[ok] = b[ok] - a[ok]
    d = diff[ok]
    fill = float(np.maximum(d, 0.0).sum() * cell_area)
    cut = float(np.maximum(-d, 0.0).sum() * cell_area)
    above, below = d > tolerance, d < -tolerance
    return CutFillResult(
        difference=diff, cut=cut, fill=fill, net=cut - fill,
        cut_area=float(below.sum() * cell_area), fill_area=float(above.sum() * cell_area),
        neutral_area=float((~above & ~below).sum() * cell_area),
        cut_beyond=float(-d[below].sum() * cell_area),
        fill_beyond=float(d[above].sum() * cell_area),
        cells=int(ok.sum()), tolerance=float(tolerance))
