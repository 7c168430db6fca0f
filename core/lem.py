"""A raster landscape evolution model (LEM) for comparing landforms.

The paper (Xia et al. 2023, section 1.4, Table 2, Fig. 14) ranks the
landforms by the soil volume the CLiDE model erodes in 10 years.  This module
is the plugin's own, checkable replacement: the classic detachment-limited /
erosion-deposition stream-power model with linear hillslope diffusion, solved
with the implicit O(N) scheme of Braun & Willett (2013).  Each time step dt:

1. **Routing** on the current surface h: depressions are filled to their spill
   level and flats given a drainage gradient (core.hydrology.fill_depressions,
   flow_directions), so every valid cell has a D8 receiver r(i) and water
   always reaches the grid edge.  Discharge Q_i = sum over the cells draining
   through i of runoff * cell_area (swept along the flow levels), m^3/yr; the
   unit discharge is q_i = Q_i / W with W = sqrt(cell area) (flow width).
2. **Stream-power incision** (Howard & Kerby 1983; Whipple & Tucker 1999):
   ``dh/dt = -K q^m S^n`` with S = (h_i - h_r) / L_i along the D8 link (length
   L_i, diagonal sqrt(dx^2 + dy^2)).  Implicit in time (Braun & Willett 2013):
   ``h_i' = h_i - F (h_i' - h_r')^n``, F = K q^m dt / L^n, solved from the
   outlets upstream so h_r' is known; for n = 1
   ``h_i' = (h_i + F h_r') / (1 + F)``, for n != 1 a safeguarded Newton
   iteration.  A cell whose receiver was higher than itself at the start of
   the step (inside a filled depression) is not incised, and a cell is only
   lowered while it stays above its receiver (as Landlab's FastscapeEroder).
3. **Deposition** (erosion-deposition model, Davy & Lague 2009): the sediment
   flux leaving a cell, Qs_i (m^3/yr), obeys
   ``Qs_i = sum_donors Qs_j + (e_i - d_i) a`` with the deposition rate
   ``d_i = V Qs_i / Q_i`` (V: effective settling velocity, m/yr), hence
   ``Qs_i = (sum_donors Qs_j + e_i a) / (1 + V a / Q_i)``, swept from the
   divides down.  V = 0 is the detachment-limited case (all eroded sediment
   leaves the grid).
4. **Hillslope diffusion**: ``dh/dt = D laplacian(h)`` on the 4-neighbour
   links, explicit, with sub-steps of 0.15 min(dx, dy)^2 / D (the stability
   factor Landlab's LinearDiffuser uses) plus one remainder sub-step.

Cells on the grid edge and next to nodata are fixed (base level): they drain
out of the grid and are neither incised nor diffused.  Sediment that reaches
them is *exported*.

Cost per step, N cells, L = the longest flow path in cells: routing O(N)
passes (filling: an O(N log N) sort of the basin edges, far fewer than N);
the flow levels by one compiled breadth-first traversal, O(N); discharge,
incision and sediment flux as level sweeps, O(N) work in L vectorised numpy
calls each; diffusion O(N) per sub-step.

The budget is kept from the fluxes, independently of the elevation change:
for the whole grid and for an optional area mask, the sediment volume that
crosses the region's edge (fluvial Qs along D8 links plus diffusive flux on
the 4-neighbour links).  ``eroded - deposited - exported`` closes to
round-off (tested).
"""
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from .errors import InputError, as_progress
from .hydrology import CODES, fill_depressions, flow_directions, neighbour_distances, outlet_mask

#: default parameters for fresh spoil under semi-natural grassland; see
#: docs/method.md section 6 for the sources and the calibration of K.
DEFAULTS = {
    "erodibility": 5.0e-4,       # K, yr^(m-1) m^(1-2m) (unit discharge q in m^2/yr)
    "m": 0.5,                    # Whipple & Tucker (1999), Stock & Montgomery (1999)
    "n": 1.0,
    "runoff": 0.05,              # effective runoff depth, m/yr
    "diffusivity": 0.01,         # D, m^2/yr (Fernandes & Dietrich 1997)
    "settling_velocity": 0.05,   # V, m/yr (G = V / runoff = 1, Yuan et al. 2019)
}

#: stability factor of the explicit diffusion sub-step (as Landlab's LinearDiffuser)
DIFFUSION_CFL = 0.15


@dataclass
class LemResult:
    """What :func:`evolve` returns.

    elevation: the evolved surface (nan = nodata).
    change: elevation change over the run, m (negative = erosion).
    fluvial_erosion / deposition / diffusion: cumulative thickness (m) of
    each process per cell (erosion >= 0 is a lowering, deposition >= 0 a
    raising, diffusion signed).
    budget: {'grid': {...}, 'area': {...}} each with eroded, deposited,
    exported, residual (m^3): eroded / deposited are the volumes of net
    lowering / raising of the cells of the region over the run, exported the
    net sediment volume that left the region across its edge, counted from
    the fluxes; residual = eroded - deposited - exported.
    """
    elevation: np.ndarray
    change: np.ndarray
    fluvial_erosion: np.ndarray
    deposition: np.ndarray
    diffusion: np.ndarray
    budget: dict = field(default_factory=dict)
    steps: int = 0
    years: float = 0.0


def flow_levels(receivers):
    """Cells grouped by their depth in the flow tree: the number of D8 steps
    to the outside (0 for outlets and nodata, whose receiver is ``N``).

    One breadth-first traversal of the donor tree from the virtual outside
    node (compiled scipy.sparse.csgraph) lists the cells level by level; the
    level boundaries follow from the positions of the receivers, which never
    decrease along that order: level k + 1 starts at the first cell whose
    receiver lies beyond level k (a binary search per level).  O(N).

    Returns (order, starts): ``order[starts[k]:starts[k + 1]]`` are the cells
    of depth k (``starts[-1] = N``).  Raises ValueError on a cycle.
    """
    rec = np.asarray(receivers, dtype=np.int64)
    n = rec.size
    indptr = np.arange(n + 2, dtype=np.int64)
    indptr[-1] = n
    donors = sparse.csc_matrix((np.ones(n, dtype=np.int8), rec, indptr),
                               shape=(n + 1, n + 1)).tocsr()
    order = csgraph.breadth_first_order(donors, n, directed=True,
                                        return_predecessors=False)
    del donors
    if order.size != n + 1:
        raise ValueError("the receivers contain a cycle: some cells never drain out")
    pos = np.empty(n + 1, dtype=np.int64)
    pos[order] = np.arange(n + 1, dtype=np.int64)
    cells = order[1:].astype(np.int64)
    rpos = pos[rec[cells]]                 # 0 for cells draining out (pos[N] = 0)
    starts = [0]
    while starts[-1] < n:
        starts.append(int(np.searchsorted(rpos, starts[-1] + 1, "left")))
    return cells, np.asarray(starts, dtype=np.int64)


def _solve_newton(h0, hr, f, n):
    """Root of x - 1 + a x^n = 0 on (0, 1], a = f (h0 - hr)^(n-1): the implicit
    stream-power update for n != 1 in the variable x = (h' - hr) / (h0 - hr)."""
    dz = h0 - hr
    a = f * dz ** (n - 1.0)
    lo = np.zeros_like(dz)
    hi = np.ones_like(dz)
    x = np.ones_like(dz)
    for _ in range(100):
        g = x - 1.0 + a * x ** n
        # keep a bracket: g is increasing in x
        hi = np.where(g > 0, x, hi)
        lo = np.where(g <= 0, x, lo)
        dg = 1.0 + n * a * np.power(np.maximum(x, 1e-300), n - 1.0)
        xn = x - g / dg
        bad = ~((xn > lo) & (xn < hi))
        xn = np.where(bad, 0.5 * (lo + hi), xn)
        if np.all(np.abs(xn - x) <= 1e-14 * np.maximum(x, 1e-300)):
            x = xn
            break
        x = xn
    return hr + x * dz


def stream_power_implicit(h, receivers, order, starts, factor, n=1.0):
    """One implicit stream-power step (Braun & Willett 2013), level by level.

    ``h`` (flat, modified in place): elevations; ``factor`` F = K q^m dt / L^n
    per cell (0 where the cell must not be incised).  Level k (cells k steps
    from the outside) is updated at once from the already-updated level k-1:
    ``h_i' = (h_i + F h_r') / (1 + F)`` (n = 1), only where h_i > h_r'.
    """
    rec = receivers
    for k in range(1, starts.size - 1):
        idx = order[starts[k]:starts[k + 1]]
        f = factor[idx]
        sel = f > 0
        if not sel.all():
            idx, f = idx[sel], f[sel]
            if idx.size == 0:
                continue
        hi = h[idx]
        hr = h[rec[idx]]
        up = hi > hr
        if not up.all():
            idx, f, hi, hr = idx[up], f[up], hi[up], hr[up]
        if n == 1.0:
            h[idx] = (hi + f * hr) / (1.0 + f)
        else:
            h[idx] = _solve_newton(hi, hr, f, n)
    return h


def sediment_flux(source, receivers, order, starts, keep):
    """Sediment flux out of each cell for the erosion-deposition model.

    ``Qs_i = keep_i * (sum_donors Qs_j + source_i)`` swept from the deepest
    level to the outlets; ``keep_i = 1 / (1 + V a / Q_i)`` is the fraction of
    the sediment passing through cell i that is not deposited there (Davy &
    Lague 2009).  Donors of a level-k cell are on level k + 1, so each level
    is one vectorised bincount into the level below.
    """
    n = source.size
    qs = np.zeros(n)
    inflow = np.zeros(n)
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    nlev = starts.size - 1
    for k in range(nlev - 1, 0, -1):
        a, b = starts[k], starts[k + 1]
        idx = order[a:b]
        out = (inflow[idx] + source[idx]) * keep[idx]
        qs[idx] = out
        r = receivers[idx]
        inside = r < n
        lo, hi = starts[k - 1], starts[k]
        if k - 1 >= 1 and inside.any():
            add = np.bincount(pos[r[inside]] - lo, weights=out[inside], minlength=hi - lo)
            inflow[order[lo:hi]] += add
    return qs


def _diffusion_links(valid, fixed):
    """Masks of the horizontal / vertical links on which diffusion acts:
    both cells valid and at least one free (not fixed)."""
    free = valid & ~fixed
    hx = valid[:, :-1] & valid[:, 1:] & (free[:, :-1] | free[:, 1:])
    hy = valid[:-1, :] & valid[1:, :] & (free[:-1, :] | free[1:, :])
    return hx, hy


def diffuse(h, valid, fixed, dx, dy, *, diffusivity, dt, links=None, flux_x=None,
            flux_y=None, check=None):
    """Linear hillslope diffusion dh/dt = D laplacian(h), explicit in time.

    valid / fixed: boolean grids of the cells with data / held at their
    height; diffusivity D (m^2/yr) over ``dt`` years.

    Fluxes live on the 4-neighbour links (q = -D dh/ds, staggered grid as
    Landlab's LinearDiffuser 'simple' method); only free cells change.
    Sub-steps of ``DIFFUSION_CFL * min(dx, dy)^2 / D`` and one remainder.
    ``flux_x`` / ``flux_y`` (optional) accumulate the volume moved across
    each link (m^3, positive east / south) for the budget.  ``h`` is 2-D and
    modified in place.  ``check()`` (optional) is called every sub-step (cancel).
    """
    if diffusivity <= 0 or dt <= 0:
        return h
    if links is None:
        links = _diffusion_links(valid, fixed)
    hx, hy = links
    free = valid & ~fixed
    sub = DIFFUSION_CFL * min(dx, dy) ** 2 / diffusivity
    ratio = dt / sub
    repeats = int(ratio // 1.0)
    steps = [sub] * repeats
    extra = (ratio - repeats) * sub
    if extra > 0:
        steps.append(extra)
    div = np.zeros_like(h)
    for ts in steps:
        if check is not None:
            check()
        qx = np.where(hx, -diffusivity * (h[:, 1:] - h[:, :-1]) / dx, 0.0)   # m^2/yr, eastward
        qy = np.where(hy, -diffusivity * (h[1:, :] - h[:-1, :]) / dy, 0.0)   # southward
        div[...] = 0.0
        div[:, :-1] += qx / dx
        div[:, 1:] -= qx / dx
        div[:-1, :] += qy / dy
        div[1:, :] -= qy / dy
        h[free] -= div[free] * ts
        if flux_x is not None:
            flux_x += qx * dy * ts
            flux_y += qy * dx * ts
    return h


def _check_parameters(years, dt, erodibility, m, n, runoff, diffusivity, settling_velocity):
    for name, value in (("years", years), ("time step", dt)):
        if not (np.isfinite(value) and value > 0):
            raise InputError(f"The {name} must be a positive number of years (got {value}).")
    if dt > years:
        raise InputError(f"The time step ({dt:g} yr) is longer than the run ({years:g} yr); "
                         "choose a time step no longer than the number of years.")
    if years / dt > 100000:
        raise InputError(f"{years:g} years in steps of {dt:g} yr is more than 100000 steps; "
                         "use a longer time step (the incision solver is implicit and stable "
                         "for any step).")
    for name, value in (("erodibility K", erodibility), ("exponent m", m),
                        ("runoff", runoff), ("diffusivity D", diffusivity),
                        ("settling velocity V", settling_velocity)):
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"The {name} must be zero or positive (got {value}).")
    if not (np.isfinite(n) and n > 0):
        raise InputError(f"The slope exponent n must be positive (got {n}).")


@dataclass(frozen=True)
class LemParameters:
    """The model's parameters (see :data:`DEFAULTS` and the module docstring):
    K (number or array on the grid), exponents m and n, runoff (m/yr, number
    or array), diffusivity D (m^2/yr), settling velocity V (m/yr)."""
    erodibility: object = DEFAULTS["erodibility"]
    m: float = DEFAULTS["m"]
    n: float = DEFAULTS["n"]
    runoff: object = DEFAULTS["runoff"]
    diffusivity: float = DEFAULTS["diffusivity"]
    settling_velocity: float = DEFAULTS["settling_velocity"]


class _Evolution:
    """State of one :func:`evolve` run: the grid, the parameters on it, the
    surface h and the cumulative per-process thicknesses and exported volumes.
    One :meth:`step` is one time step (routing, incision, deposition,
    diffusion: the module docstring's steps 1 to 4)."""

    def __init__(self, z, dx, dy, params, area):
        self.z, self.dx, self.dy = z, dx, dy
        self.m, self.n = params.m, params.n
        self.diffusivity, self.settling_velocity = params.diffusivity, params.settling_velocity
        erodibility, runoff = params.erodibility, params.runoff
        self.shape, self.size = z.shape, z.size
        self.cell_area = dx * dy
        self.width = np.sqrt(self.cell_area)
        self.valid = valid = np.isfinite(z)
        self.fixed = outlet_mask(z) | ~valid
        self.free = valid & ~self.fixed
        self.free_flat = self.free.ravel()
        self.links = _diffusion_links(valid, self.fixed)
        kf = np.broadcast_to(np.asarray(erodibility, dtype=np.float64), self.shape).ravel()
        self.kf = np.where(np.isfinite(kf), kf, 0.0)
        rf = np.broadcast_to(np.asarray(runoff, dtype=np.float64), self.shape).ravel()
        self.rf = np.where(np.isfinite(rf) & valid.ravel(), rf, 0.0)
        self.regions = {"grid": self.free_flat}
        if area is not None:
            area = np.asarray(area, dtype=bool)
            if area.shape != self.shape:
                raise InputError("The area mask is not on the landform's grid.")
            self.regions["area"] = (area & self.free).ravel()
        self.exported = {k: 0.0 for k in self.regions}
        self.flux_x = np.zeros((self.shape[0], self.shape[1] - 1))
        self.flux_y = np.zeros((self.shape[0] - 1, self.shape[1]))
        self.h = np.where(valid, z, np.nan)
        self.ero = np.zeros(self.size)
        self.dep = np.zeros(self.size)
        self.dif = np.zeros(self.size)
        # D8 link length by ESRI code (0: drains out, 255: nodata)
        self.link_length = np.zeros(256)
        self.link_length[CODES] = neighbour_distances(dx, dy)
        self.ones = np.ones(self.size)

    def route(self, check):
        """Step 1: receivers on the filled surface, flow levels, discharge Q."""
        filled = fill_depressions(self.h)
        check()
        rec, codes = flow_directions(filled, self.dx, self.dy)
        del filled
        check()
        rec[self.fixed.ravel()] = self.size
        length = self.link_length[codes.ravel()]          # m, 0 where the cell drains out
        del codes
        order, starts = flow_levels(rec)
        # discharge Q: the accumulation of runoff x cell area along the same levels
        q = sediment_flux(self.rf * self.cell_area, rec, order, starts, self.ones)  # m^3/yr
        return rec, length, order, starts, q

    def incise(self, hf, ts, rec, length, order, starts, q):
        """Step 2: implicit stream-power incision; returns the incision e (m)."""
        size = self.size
        inside = rec < size
        hr0 = np.full(size, np.inf)
        hr0[inside] = hf[rec[inside]]
        factor = np.zeros(size)
        kf = self.kf
        ok = inside & self.free_flat & (hf >= hr0) & (kf > 0) & (q > 0)
        factor[ok] = kf[ok] * (q[ok] / self.width) ** self.m * ts / length[ok] ** self.n
        before = hf.copy()
        stream_power_implicit(hf, rec, order, starts, factor, self.n)
        return before - hf                                # m of incision this step

    def deposit(self, hf, e, rec, order, starts, q):
        """Step 3: sediment flux Qs and deposition d (m); returns Qs."""
        size = self.size
        if self.settling_velocity > 0:
            keep = np.ones(size)
            wet = q > 0
            keep[wet] = 1.0 / (1.0 + self.settling_velocity * self.cell_area / q[wet])
        else:
            keep = self.ones
        qs = sediment_flux(e * self.cell_area, rec, order, starts, keep)  # m^3 over the step
        # volume deposited in a cell = what entered + what it eroded - what left
        inside = rec < size
        d = np.zeros(size)
        inflow = np.bincount(rec[inside], weights=qs[inside], minlength=size + 1)[:size]
        free = self.free_flat
        d[free] = (inflow + e * self.cell_area - qs)[free] / self.cell_area
        d = np.maximum(d, 0.0)
        hf += d
        self.ero += e
        self.dep += d
        return qs

    def export_fluvial(self, rec, qs):
        """Fluvial sediment leaving each region minus entering it (D8 links)."""
        inside = rec < self.size
        for key, reg in self.regions.items():
            recin = np.zeros(self.size, dtype=bool)
            recin[inside] = reg[rec[inside]]
            out = reg & self.free_flat & ~recin
            inn = ~reg & self.free_flat & recin
            self.exported[key] += float(qs[out].sum() - qs[inn].sum())

    def step(self, ts, check):
        """One time step of ``ts`` years (steps 1 to 4 of the module docstring)."""
        hf = self.h.ravel()
        rec, length, order, starts, q = self.route(check)
        e = self.incise(hf, ts, rec, length, order, starts, q)
        qs = self.deposit(hf, e, rec, order, starts, q)
        self.export_fluvial(rec, qs)
        hb = self.h.copy()
        diffuse(self.h, self.valid, self.fixed, self.dx, self.dy, diffusivity=self.diffusivity,
                dt=ts, links=self.links, flux_x=self.flux_x, flux_y=self.flux_y, check=check)
        self.dif += (self.h - hb).ravel()

    def export_diffusive(self):
        """Diffusive exchange across each region's edge (4-neighbour links)."""
        fx, fy = self.flux_x, self.flux_y
        for key, reg in self.regions.items():
            r2 = reg.reshape(self.shape)
            self.exported[key] += float((fx * (r2[:, :-1] & ~r2[:, 1:])).sum()
                                        - (fx * (~r2[:, :-1] & r2[:, 1:])).sum()
                                        + (fy * (r2[:-1, :] & ~r2[1:, :])).sum()
                                        - (fy * (~r2[:-1, :] & r2[1:, :])).sum())

    def result(self, nsteps, years):
        """The LemResult: surfaces, per-process thicknesses and the budgets."""
        self.export_diffusive()
        valid, shape, h = self.valid, self.shape, self.h
        change = np.where(valid, h - self.z, np.nan)
        budget = {}
        for key, reg in self.regions.items():
            c = change.ravel()[reg]
            eroded = float(-c[c < 0].sum() * self.cell_area)
            deposited = float(c[c > 0].sum() * self.cell_area)
            exported = self.exported[key]
            budget[key] = {"eroded": eroded, "deposited": deposited, "exported": exported,
                           "residual": eroded - deposited - exported,
                           "cells": int(reg.sum())}
        nan = ~valid
        return LemResult(
            elevation=np.where(valid, h, np.nan),
            change=change,
            fluvial_erosion=np.where(nan, np.nan, self.ero.reshape(shape)),
            deposition=np.where(nan, np.nan, self.dep.reshape(shape)),
            diffusion=np.where(nan, np.nan, self.dif.reshape(shape)),
            budget=budget, steps=nsteps, years=float(years))


def _check_landform(z, years, dt, p):
    z = np.asarray(z, dtype=np.float64)
    if z.ndim != 2 or min(z.shape) < 3:
        raise InputError("The landform must be a 2-D raster of at least 3 x 3 cells.")
    if np.isfinite(z).sum() < 9:
        raise InputError("The landform has fewer than 9 valid cells; nothing to evolve.")
    runoff = p.runoff
    _check_parameters(years, dt, np.max(p.erodibility), p.m, p.n,
                      np.min(runoff) if np.ndim(runoff) else runoff, p.diffusivity,
                      p.settling_velocity)
    if np.ndim(runoff) and np.nanmin(runoff) < 0:
        raise InputError("The runoff raster has negative values.")
    return z


def evolve(z, dx, dy, *, years=10.0, dt=1.0, erodibility=DEFAULTS["erodibility"],
           m=DEFAULTS["m"], n=DEFAULTS["n"], runoff=DEFAULTS["runoff"],
           diffusivity=DEFAULTS["diffusivity"],
           settling_velocity=DEFAULTS["settling_velocity"], area=None, progress=None):
    """Run the landscape evolution model on ``z`` for ``years``.

    Parameters: z (2-D, m, nan = nodata), dx, dy (m), years, dt (yr, the last
    step is shortened so the run ends at ``years``), erodibility K (stream
    power coefficient for unit discharge q in m^2/yr; may be an array on the
    grid), m, n (exponents on q and S), runoff (effective runoff depth, m/yr;
    scalar or array), diffusivity D (m^2/yr), settling_velocity V (m/yr, 0 =
    detachment-limited), area (optional bool mask whose budget is reported as
    ``budget['area']``).  Progress is reported and cancel checked every step.

    Equations: see the module docstring (stream power E = K q^m S^n solved
    implicitly, deposition V Qs/Q, diffusion D laplacian(h)).
    """
    progress = as_progress(progress)
    params = LemParameters(erodibility, m, n, runoff, diffusivity, settling_velocity)
    z = _check_landform(z, years, dt, params)
    run = _Evolution(z, dx, dy, params, area)
    nsteps = int(np.ceil(years / dt - 1e-9))
    t = 0.0
    progress(0)
    for step in range(nsteps):
        ts = min(dt, years - t)
        run.step(ts, progress.check)
        t += ts
        progress(100.0 * (step + 1) / nsteps)
    return run.result(nsteps, t)
