"""RUSLE annual soil loss on a raster: A = R K LS C P (Renard et al. 1997).

* A: soil loss, t ha^-1 yr^-1.
* R: rainfall-runoff erosivity, MJ mm ha^-1 h^-1 yr^-1.
* K: soil erodibility, t ha h ha^-1 MJ^-1 mm^-1.
* LS: slope length and steepness (dimensionless), from the unit contributing
  area and the slope, Desmet & Govers (1996):
  ``L_i = ((A_in + D^2)^(m+1) - A_in^(m+1)) / (D^(m+2) x_i^m 22.13^m)``
  with A_in the area draining into the cell's inlet (m^2, D8 on the
  depression-filled DEM), D the cell size (m), x_i = |sin a| + |cos a| (a:
  aspect) and m = beta / (1 + beta),
  ``beta = (sin t / 0.0896) / (3 sin(t)^0.8 + 0.56)`` (McCool et al. 1989);
  ``S = 10.8 sin t + 0.03`` where tan t < 0.09, else ``16.8 sin t - 0.50``
  (McCool et al. 1987); t the slope angle from central differences
  (one-sided at the grid edge and next to nodata).
* C: cover-management, P: support practice (dimensionless).

Every factor may be a number or an array on the grid.  Soil loss is
converted to a volume with the bulk density (t/m^3):
``volume = A * cell_area / 10^4 / bulk_density * years``.

RUSLE models detachment on the slope only: it has no deposition, so the
comparison reports deposited = 0 and exported = eroded (every detached grain
is assumed to leave the area: sediment delivery ratio 1).
"""
from dataclasses import dataclass

import numpy as np

from .errors import InputError, as_progress
from .hydrology import (
    OFFSETS,
    accumulate,
    fill_depressions,
    flow_directions,
    neighbour_distances,
    outlet_mask,
)

#: defaults for fresh spoil under semi-natural grassland; sources in
#: docs/method.md section 6
DEFAULTS = {
    "R": 300.0,           # MJ mm ha^-1 h^-1 yr^-1
    "K": 0.04,            # t ha h ha^-1 MJ^-1 mm^-1
    "C": 0.04,            # semi-natural grassland
    "P": 1.0,             # no support practice
    "bulk_density": 1.5,  # t/m^3
}


@dataclass(frozen=True)
class RusleFactors:
    """The settings of RUSLE's eq. ``A = R K LS C P`` and of its volume.

    R: rainfall erosivity (MJ mm ha^-1 h^-1 yr^-1); K: soil erodibility
    (t ha h ha^-1 MJ^-1 mm^-1); C: cover-management factor; P: support-
    practice factor (each a number or an array on the grid, nan = no data);
    bulk_density: t/m^3 (soil loss in t to volume in m^3); years: the
    horizon of the volume.  Defaults: :data:`DEFAULTS` (fresh spoil under
    semi-natural grassland) and 10 years.
    """
    R: object = DEFAULTS["R"]
    K: object = DEFAULTS["K"]
    C: object = DEFAULTS["C"]
    P: object = DEFAULTS["P"]
    bulk_density: float = DEFAULTS["bulk_density"]
    years: float = 10.0


@dataclass
class RusleResult:
    loss: np.ndarray          # A, t ha^-1 yr^-1 (nan = nodata)
    ls: np.ndarray            # LS factor
    volume: np.ndarray        # m^3 lost per cell over the years
    budget: dict
    years: float


def slope_aspect_components(z, dx, dy):
    """dz/dx (east) and dz/dy (north) by central differences, one-sided where
    a neighbour is missing (grid edge or nodata), 0 where both are."""
    valid = np.isfinite(z)

    def diff(a, axis, step):
        p = np.pad(a, [(1, 1) if ax == axis else (0, 0) for ax in range(2)],
                   constant_values=np.nan)
        sl = [slice(None)] * 2
        sl[axis] = slice(2, None)
        fwd = p[tuple(sl)]
        sl[axis] = slice(0, -2)
        bwd = p[tuple(sl)]
        cf, cb = np.isfinite(fwd), np.isfinite(bwd)
        with np.errstate(invalid="ignore"):
            out = np.where(cf & cb, (fwd - bwd) / (2 * step),
                           np.where(cf, (fwd - a) / step,
                                    np.where(cb, (a - bwd) / step, 0.0)))
        return np.where(valid, out, np.nan)

    gx = diff(z, 1, dx)           # columns increase eastward
    gy = -diff(z, 0, dy)          # rows increase southward
    return gx, gy


def _receivers_with_edges(filled, dx, dy):
    """D8 receivers on the filled DEM; cells on the edge / next to nodata
    drain to their steepest strictly lower neighbour inside the grid when
    they have one (so the first row of a slope passes its water on), else
    out of the grid."""
    rec, _ = flow_directions(filled, dx, dy)
    rec = np.asarray(rec, dtype=np.int64).copy()
    rows, cols = filled.shape
    n = filled.size
    edge = np.flatnonzero(outlet_mask(filled).ravel())
    r, c = np.divmod(edge, cols)
    zf = filled.ravel()
    best = np.zeros(edge.size)
    target = np.full(edge.size, n, dtype=np.int64)
    dist = neighbour_distances(dx, dy)
    for k, (dr, dc) in enumerate(OFFSETS):
        rr, cc = r + dr, c + dc
        inside = (rr >= 0) & (rr < rows) & (cc >= 0) & (cc < cols)
        nb = np.where(inside, rr * cols + cc, 0)
        with np.errstate(invalid="ignore"):
            slope = np.where(inside, (zf[edge] - zf[nb]) / dist[k], np.nan)
            better = slope > best                       # nan compares False
        best[better] = slope[better]
        target[better] = nb[better]
    rec[edge] = target
    rec[~np.isfinite(zf)] = n
    return rec


def ls_factor(z, dx, dy, progress=None):
    """LS by Desmet & Govers (1996) with McCool's S and m (see module doc)."""
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    valid = np.isfinite(z)
    cell = float(np.sqrt(dx * dy))
    filled = fill_depressions(z)
    progress(30)
    rec = _receivers_with_edges(filled, dx, dy)
    progress(60)
    a_in = accumulate(rec, np.full(z.size, dx * dy)).reshape(z.shape) - dx * dy
    a_in = np.maximum(a_in, 0.0)
    gx, gy = slope_aspect_components(z, dx, dy)
    grad = np.hypot(gx, gy)
    theta = np.arctan(grad)
    sin_t = np.sin(theta)
    with np.errstate(invalid="ignore", divide="ignore"):
        x = np.where(grad > 0, (np.abs(gx) + np.abs(gy)) / grad, 1.0)
        beta = (sin_t / 0.0896) / (3.0 * sin_t ** 0.8 + 0.56)
    m = beta / (1.0 + beta)
    lfac = ((a_in + cell ** 2) ** (m + 1) - a_in ** (m + 1)) / \
        (cell ** (m + 2) * x ** m * 22.13 ** m)
    sfac = np.where(np.tan(theta) < 0.09, 10.8 * sin_t + 0.03, 16.8 * sin_t - 0.50)
    progress(100)
    return np.where(valid, lfac * sfac, np.nan)


def _factor(value, name, shape):
    arr = np.asarray(value, dtype=np.float64)
    if arr.ndim and arr.shape != shape:
        raise InputError(f"The {name} raster is {arr.shape[0]} x {arr.shape[1]} cells but the "
                         f"landform is {shape[0]} x {shape[1]}; put it on the same grid.")
    if np.any(np.asarray(arr)[np.isfinite(arr)] < 0):
        raise InputError(f"The {name} factor must not be negative.")
    return arr


def rusle(z, dx, dy, *, factors=RusleFactors(), area=None, progress=None):
    """Annual soil loss A = R K LS C P (t/ha/yr) and its volume over ``years``.

    ``factors``: a :class:`RusleFactors` (R, K, C, P, bulk density, years);
    factors are numbers or arrays on the grid (nan in a factor raster =
    no data there).  ``budget`` has 'grid' and (with ``area``) 'area' entries:
    eroded (m^3 over the years), deposited (0), exported (= eroded), residual.
    Progress and cancel are checked at each stage (RUSLE is a static annual
    average: the surface does not change between years).
    """
    progress = as_progress(progress)
    bulk_density, years = factors.bulk_density, factors.years
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or min(z.shape) < 3:
        raise InputError("The landform must be a 2-D raster of at least 3 x 3 cells.")
    if not (np.isfinite(bulk_density) and bulk_density > 0):
        raise InputError(f"The bulk density must be positive (got {bulk_density} t/m3).")
    if not (np.isfinite(years) and years > 0):
        raise InputError(f"The number of years must be positive (got {years}).")
    arrays = [_factor(getattr(factors, name), name, z.shape) for name in ("R", "K", "C", "P")]
    ls = ls_factor(z, dx, dy, progress.sub(0, 80))
    loss = ls.copy()
    for f in arrays:
        loss = loss * f
    valid = np.isfinite(z)
    loss = np.where(valid, loss, np.nan)
    volume = loss * (dx * dy) / 1.0e4 / bulk_density * years
    budget = {}
    regions = {"grid": valid}
    if area is not None:
        regions["area"] = np.asarray(area, dtype=bool) & valid
    for key, reg in regions.items():
        v = float(np.nansum(volume[reg]))
        budget[key] = {"eroded": v, "deposited": 0.0, "exported": v, "residual": 0.0,
                       "cells": int(reg.sum())}
    progress(100)
    return RusleResult(loss=loss, ls=ls, volume=volume, budget=budget, years=float(years))
