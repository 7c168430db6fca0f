"""Mining/refilling sub-areas: volumes, safe distance and the delineation
optimization (Xia et al. 2023, sections 1.1.1, 1.1.3, 1.1.4; eq. 6 to 9;
Fig. 2, 7, 8).

Frame.  The mining direction is an azimuth theta (degrees clockwise from
north; 270 = the pit advances due west).  Every point gets an *along*
coordinate ``s = x sin(theta) + y cos(theta) - s0`` (metres, increasing in the
mining direction, 0 at the first edge of the mine area, ``S`` at its last)
and a *cross* coordinate ``t = x cos(theta) - y sin(theta)``.  Strips are the
slabs ``s0 <= s < s1``: any direction works, not only the four axes.

Fractional coverage.  A cell is a dx x dy rectangle; its area projects onto
the along axis as the convolution of two uniform densities of widths
``a = dx |sin theta|`` and ``b = dy |cos theta|`` (a trapezoid; a box when
the strips are parallel to the cell edges).  The share of a cell between two
along-coordinates is the integral of that density, which is *exactly* the
area of the cell between the two strip edges, for every direction.  Summing
the cells' weighted densities gives a piecewise-quadratic cumulative volume
``C(s)`` (:class:`CumulativeProfile`); a strip's volume is ``C(s1) - C(s0)``
and the edge giving a wanted volume is ``C^-1`` (``np.searchsorted`` on the
breakpoints, then a closed-form quadratic inside the segment) - exact to
rounding, no trial moves.  The mine area itself is the set of cells whose
centre lies in the polygon (its rasterisation); the strip polygons are clipped
to the real polygon by the QGIS layer.

Plan (section 1.1.1, Fig. 2; decisions in docs/method.md section 4).  With
strip width W and pit length P (the open pit between the refilling front and
the mining face at the end of every period):

* box cut: ``[0, P]`` is mined before period 1 (its spoil goes to an outside
  dump and is not part of the balance);
* period n = 1..N mines ``a_mn = [m_(n-1), m_n]`` and refills
  ``a_fn = [f_(n-1), f_n]`` with that strip's spoil; originally
  ``f_n = n W`` and ``m_n = f_n + P``;
* the last pair ends at ``f_N = S - P`` and ``m_N = S``: the final pit
  ``[S - P, S]`` is mined but not refilled.  A remainder shorter than W/2
  is merged into the last pair.

The gap between the two sub-areas of period n is ``m_(n-1) - f_n`` (from the
refilling strip's pit-side edge to the mining strip's near edge; ``P - W`` in
the original plan) and must be at least the safe distance L_tn (eq. 9).
"""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, as_progress
from .grid import require_data, require_floor_below

KINDS = ("mining", "refilling")


# --------------------------------------------------------------------------
# frame
# --------------------------------------------------------------------------

def direction_vectors(azimuth):
    """Unit vectors (along d, cross n) in (x east, y north) for an azimuth in degrees."""
    th = np.radians(float(azimuth))
    d = np.array([np.sin(th), np.cos(th)])
    n = np.array([np.cos(th), -np.sin(th)])
    # snap the tiny residues of cos(270 deg) etc. so axis-aligned stays exact
    d[np.abs(d) < 1e-15] = 0.0
    n[np.abs(n) < 1e-15] = 0.0
    return d, n


@dataclass
class Frame:
    """Along/cross coordinates of the mine-area cells (section 1.1.1).

    rows, cols: indices of the mine cells; s, t: their centres' along and
    cross coordinates (s from the first edge of the mine area); a, b: the
    projection widths of one cell on the along axis (see module doc); length:
    S, the mine area's extent along the mining direction; origin: s0 in
    world coordinates.
    """
    azimuth: float
    rows: np.ndarray
    cols: np.ndarray
    s: np.ndarray
    t: np.ndarray
    a: float
    b: float
    length: float
    origin: float
    t_min: float
    t_max: float
    dx: float
    dy: float

    @property
    def half_extent(self):
        """Half the along-axis support of one cell ((a + b) / 2)."""
        return 0.5 * (self.a + self.b)

    def world(self, s, t):
        """World (x, y) of along/cross coordinates (arrays or scalars)."""
        d, n = direction_vectors(self.azimuth)
        s = np.asarray(s, float) + self.origin
        t = np.asarray(t, float)
        return s * d[0] + t * n[0], s * d[1] + t * n[1]

    def strip_ring(self, s0, s1, margin=None):
        """Closed ring (list of (x, y)) of the rotated rectangle between along
        coordinates s0 and s1, wide enough across to cover the mine area.

        The QGIS layer clips it to the mine-area polygon."""
        if margin is None:
            margin = 2.0 * (self.dx + self.dy)
        t0, t1 = self.t_min - margin, self.t_max + margin
        ss = [s0, s1, s1, s0, s0]
        ts = [t0, t0, t1, t1, t0]
        x, y = self.world(ss, ts)
        return list(zip(x.tolist(), y.tolist()))


def make_frame(mask, transform, azimuth):
    """Along/cross coordinates of the cells of ``mask`` for the mining azimuth.

    ``transform`` is a north-up GDAL geotransform.  Implements the strip
    geometry of section 1.1.1 for any direction.
    """
    mask = np.asarray(mask, bool)
    if not mask.any():
        raise InputError("The mine area does not contain the centre of any DEM cell; check that "
                         "the polygon overlaps the DEM.")
    if not np.isfinite(azimuth):
        raise InputError("The mining direction must be a number of degrees from north.")
    x0, dx, _, y0, _, dyn = transform
    dx, dy = abs(float(dx)), abs(float(dyn))
    rows, cols = np.nonzero(mask)
    x = x0 + transform[1] * (cols + 0.5)
    y = y0 + dyn * (rows + 0.5)
    d, n = direction_vectors(azimuth)
    s_abs = x * d[0] + y * d[1]
    t = x * n[0] + y * n[1]
    a, b = dx * abs(d[0]), dy * abs(d[1])
    half = 0.5 * (a + b)
    origin = float(s_abs.min() - half)
    s = s_abs - origin
    length = float(s.max() + half)
    return Frame(float(azimuth) % 360.0, rows, cols, s, t, a, b, length, origin,
                 float(t.min()), float(t.max()), dx, dy)


# --------------------------------------------------------------------------
# cumulative volume along the mining axis
# --------------------------------------------------------------------------

class CumulativeProfile:
    """C(s) = volume of the cells' weights lying at along-coordinate < s.

    Each cell's weight is spread over the along axis by the exact area
    density of the cell (a box of width a + b when the strips are parallel to
    the cell edges, else a trapezoid), so ``C(s1) - C(s0)`` is the sum of
    weight x (area share of the cell between s0 and s1) - the fractional cell
    coverage at strip edges.  Weights must be >= 0 (C is then
    non-decreasing and :meth:`inverse` is a search).
    """

    def __init__(self, s, weights, a, b):
        s = np.asarray(s, float)
        w = np.asarray(weights, float)
        c = a + b
        lo, hi = min(a, b), max(a, b)
        if lo <= 1e-9 * c:
            # box of width c: jumps of the density
            pos = np.concatenate([s - c / 2, s + c / 2])
            df = np.concatenate([w / c, -w / c])
            dg = np.zeros_like(df)
        else:
            k = w / (a * b)
            pos = np.concatenate([s - c / 2, s - (hi - lo) / 2, s + (hi - lo) / 2, s + c / 2])
            dg = np.concatenate([k, -k, -k, k])
            df = np.zeros_like(dg)
        order = np.argsort(pos, kind="stable")
        p, df, dg = pos[order], df[order], dg[order]
        g = np.cumsum(dg)                      # density slope on segment [p_k, p_k+1]
        seg = np.diff(p)
        gl = g[:-1] * seg
        f = np.cumsum(df) + np.concatenate([[0.0], np.cumsum(gl)])  # density at p_k (right)
        f = np.maximum(f, 0.0)
        inc = f[:-1] * seg + 0.5 * g[:-1] * seg * seg
        cum = np.concatenate([[0.0], np.cumsum(np.maximum(inc, 0.0))])
        self.p, self.f, self.g, self.cum = p, f, g, cum
        self.total = float(cum[-1])

    def __call__(self, s):
        s = np.asarray(s, float)
        p = self.p
        k = np.clip(np.searchsorted(p, s, side="right") - 1, 0, len(p) - 1)
        tt = np.clip(s - p[k], 0.0, None)
        val = self.cum[k] + self.f[k] * tt + 0.5 * self.g[k] * tt * tt
        val = np.where(s <= p[0], 0.0, val)
        val = np.where(s >= p[-1], self.total, val)
        return np.minimum(val, self.total) if val.ndim else float(min(val, self.total))

    def inverse(self, v):
        """Smallest s with C(s) = v (v clipped to [0, total])."""
        v = np.clip(np.asarray(v, float), 0.0, self.total)
        cum, p = self.cum, self.p
        k = np.clip(np.searchsorted(cum, v, side="left") - 1, 0, len(p) - 2)
        dv = np.maximum(v - cum[k], 0.0)
        f, g = self.f[k], self.g[k]
        disc = np.sqrt(np.maximum(f * f + 2.0 * g * dv, 0.0))
        den = f + disc
        with np.errstate(divide="ignore", invalid="ignore"):
            tt = np.where(den > 0, 2.0 * dv / den, 0.0)
        tt = np.clip(tt, 0.0, p[k + 1] - p[k])
        out = np.where(v <= 0.0, p[0], p[k] + tt)
        return out if out.ndim else float(out)

    def between(self, s0, s1):
        """Volume between along-coordinates s0 and s1 (arrays allowed)."""
        return self(s1) - self(s0)


# --------------------------------------------------------------------------
# inputs and volumes (eq. 6 to 8)
# --------------------------------------------------------------------------

def check_inputs(dem_or, dem_max, dem_min, floor, thickness, mask):
    """Clear errors for inputs that make eq. 6 to 8 meaningless.

    Returns notes (warnings) for surfaces below the seam floor, whose cells
    then need no fill (the demand is clipped at 0)."""
    mask = np.asarray(mask, bool)
    n = int(mask.sum())
    if n == 0:
        raise InputError("The mine area covers no cell of the DEM: the polygon lies outside the "
                         "DEM or is smaller than one cell. Draw it over the DEM (same CRS).")
    names = (("the pre-mining DEM (INPUT)", dem_or), ("the maximum-earthwork surface "
             "(SURFACE_MAX)", dem_max), ("the minimum-earthwork surface (SURFACE_MIN)", dem_min),
             ("the seam floor (FLOOR)", floor), ("the coal thickness (THICKNESS)", thickness))
    for label, arr in names:
        require_data(f"{label[0].upper()}{label[1:]}", arr, mask, "the mine area (MINE_AREA)")
    z, zx, zn, h, th = (np.asarray(a, float)[mask] for a in (dem_or, dem_max, dem_min, floor,
                                                            thickness))

    def report(bad, what, fix):
        cnt = int(bad.sum())
        return f"{what} in {cnt} of the {n} cells of the mine area. {fix}"

    require_floor_below(z, h, np.ones(z.shape, bool))
    neg = th < 0
    if neg.any():
        raise InputError(report(neg, f"The coal thickness (THICKNESS) is negative (down to "
                                f"{float(th.min()):.2f} m)", "Thickness is the minable coal "
                                "thickness in metres, >= 0."))
    over = h + th > z + 1e-9
    if over.any():
        raise InputError(report(over, "The coal thickness is larger than the depth of the seam "
                                f"floor (by up to {float((h + th - z).max()):.2f} m)",
                                "Thickness counts the coal between the floor and the surface, so "
                                "floor + thickness must not exceed the pre-mining surface."))
    inv = zn > zx + 1e-9
    if inv.any():
        raise InputError(report(inv, "SURFACE_MIN is above SURFACE_MAX (by up to "
                                f"{float((zn - zx).max()):.2f} m)", "Swap the two surfaces."))
    notes = []
    for surf, name in ((zn, "SURFACE_MIN"), (zx, "SURFACE_MAX")):
        low = surf < h - 1e-9
        if low.any():
            notes.append(
                f"{name} is below the seam floor in {int(low.sum())} of the {n} cells of the "
                f"mine area (by up to {float((h - surf).max()):.2f} m); the refill cannot go "
                "below the pit floor, so those cells count as needing no fill (eq. 7/8 "
                "clipped at 0).")
    return notes


def cell_volumes(dem_or, dem_max, dem_min, floor, thickness, frame, cell_area, k=1.0):
    """Per-cell supply and demand weights (m3) of the mine cells.

    eq. 6: v_g = k (dem_or - h_t - H_md) L_t^2 (supply, spoil per cell);
    eq. 7: v_fmax = (dem_max - H_fd) L_t^2; eq. 8: v_fmin = (dem_min - H_fd) L_t^2.
    **Decision**: k applies to the supply only (in the paper's eq. 7 and 8 it
    multiplies both sides of every comparison and cancels).
    """
    r, c = frame.rows, frame.cols
    z = np.asarray(dem_or, float)[r, c]
    h = np.asarray(floor, float)[r, c]
    vg = float(k) * (z - np.asarray(thickness, float)[r, c] - h) * cell_area
    vmax = (np.asarray(dem_max, float)[r, c] - h) * cell_area
    vmin = (np.asarray(dem_min, float)[r, c] - h) * cell_area
    return np.maximum(vg, 0.0), np.maximum(vmax, 0.0), np.maximum(vmin, 0.0)


# --------------------------------------------------------------------------
# safe distance (eq. 9, Fig. 8)
# --------------------------------------------------------------------------

class SafeDistance:
    """L_tn = max_i L_tni (eq. 9, Fig. 8) for a refilling edge and a mining face.

    For every cross-section line i (cells binned by their cross coordinate,
    bin = one cell), the horizontal distance the pit needs between the
    refilled strip's pit-side crest and the mining face crest:

        L_tni = (z_fill - H_d) / tan(dump slope) + tracking distance
                + (dem_or - H_d) / tan(working slope)

    z_fill is the refilled elevation at the refilling strip's pit-side edge,
    ``fill_surface`` there: the paper's dem_orfn(i, 1), i.e. the pre-mining
    DEM (the near-natural landform restores it), or SURFACE_MAX for a distance
    safe for any landform up to the maximum surface (:func:`delineate`'s
    ``fill_surface``).  H_d is the seam floor under each crest, dem_or the
    pre-mining surface at the mining face.  The edge cells are, per line, the
    cell the refilling edge cuts (the last cell starting before it) and the
    cell the mining face cuts (the first cell ending after it), within one
    cell of the edge.  Lines that have only one of the two use the largest run
    of the other side.
    """

    def __init__(self, frame, dem_or, fill_surface, floor, tracking=50.0, dump_slope=8.0,
                 working_slope=20.0):
        if not 0 < dump_slope < 90 or not 0 < working_slope < 90:
            raise InputError("The slope angles must be between 0 and 90 degrees.")
        if tracking < 0:
            raise InputError("The tracking distance must be >= 0 m.")
        r, c = frame.rows, frame.cols
        h = np.asarray(floor, float)[r, c]
        self.dump_run = np.maximum(np.asarray(fill_surface, float)[r, c] - h, 0.0) / np.tan(
            np.radians(dump_slope))
        self.work_run = np.maximum(np.asarray(dem_or, float)[r, c] - h, 0.0) / np.tan(
            np.radians(working_slope))
        step = max(min(frame.dx, frame.dy), 1e-9)
        tb = np.floor((frame.t - frame.t.min()) / step + 0.5).astype(np.int64)
        self.lines = tb
        self.n_lines = int(tb.max()) + 1
        # cells sorted by s, so an edge's neighbourhood is a searchsorted window
        self._order = np.argsort(frame.s, kind="stable")
        self._s_sorted = frame.s[self._order]
        self.s = frame.s
        self.reach = 2.0 * frame.half_extent
        self.tracking = float(tracking)

    def _edge_run(self, pos, run, before):
        """Per line: run of the cell at the edge ``pos`` (nan if none).

        before: the cell of the refilling side, i.e. the last cell (largest s)
        that starts before ``pos``; else the first cell (smallest s) that ends
        after ``pos``, on the mining side.  Cells further than one cell from
        the edge are ignored.
        """
        h = 0.5 * self.reach
        if before:      # pos - reach - h < s < pos + h
            lo, hi = pos - self.reach - h, pos + h
            key = self.s
        else:           # pos - h < s < pos + reach + h
            lo, hi = pos - h, pos + self.reach + h
            key = -self.s
        out = np.full(self.n_lines, np.nan)
        i0 = np.searchsorted(self._s_sorted, lo, side="right")
        i1 = np.searchsorted(self._s_sorted, hi, side="left")
        if i1 <= i0:
            return out
        idx = self._order[i0:i1]
        # per line the cell with the largest key: sort by (line, key)
        order = np.lexsort((key[idx], self.lines[idx]))
        idx = idx[order]
        ln = self.lines[idx]
        last = np.r_[ln[1:] != ln[:-1], True]
        out[ln[last]] = run[idx[last]]
        return out

    def __call__(self, fill_edge, mining_face):
        """L_tn (m) for the refilling edge and mining face along-coordinates."""
        dump = self._edge_run(fill_edge, self.dump_run, before=True)
        work = self._edge_run(mining_face, self.work_run, before=False)
        if np.all(np.isnan(dump)) and np.all(np.isnan(work)):
            return self.tracking
        dmax = np.nanmax(dump) if np.isfinite(dump).any() else 0.0
        wmax = np.nanmax(work) if np.isfinite(work).any() else 0.0
        both = np.isfinite(dump) & np.isfinite(work)
        if both.any():
            best = float(np.max(dump[both] + work[both]))
            # lines with only one side: pair with the other side's largest run
            only_d = np.isfinite(dump) & ~np.isfinite(work)
            only_w = np.isfinite(work) & ~np.isfinite(dump)
            if only_d.any():
                best = max(best, float(dump[only_d].max()) + wmax)
            if only_w.any():
                best = max(best, float(work[only_w].max()) + dmax)
        else:
            best = dmax + wmax
        return best + self.tracking


# --------------------------------------------------------------------------
# plan and optimization (Fig. 7)
# --------------------------------------------------------------------------

@dataclass
class Plan:
    """One plan: edges and per-period figures (all arrays of length N)."""
    f: np.ndarray          # refilling edges f_0..f_N
    m: np.ndarray          # mining edges m_0..m_N
    v_supply: np.ndarray = None
    v_fmin: np.ndarray = None
    v_fmax: np.ndarray = None
    gap: np.ndarray = None
    safe_dist: np.ndarray = None
    case: list = None
    status: list = None

    @property
    def n_periods(self):
        return len(self.f) - 1


@dataclass
class Delineation:
    """Result of :func:`delineate`."""
    frame: Frame
    strip_width: float
    pit_length: float
    pit_length_auto: bool
    k: float
    tolerance: float
    original: Plan
    optimized: Plan = None
    total_supply: float = 0.0
    total_fmin: float = 0.0
    total_fmax: float = 0.0
    box_cut_supply: float = 0.0
    final_pit_fmin: float = 0.0
    feasible: bool = True
    feasibility: str = ""
    messages: list = field(default_factory=list)

    @property
    def ratio(self):
        """sum V_g / sum V_fmin (the paper's target ratio)."""
        return self.total_supply / self.total_fmin if self.total_fmin > 0 else np.inf

    @property
    def band_ratio(self):
        """sum V_fmax / sum V_fmin: how wide the band between the earthwork
        surfaces is (1 = no room between them)."""
        return self.total_fmax / self.total_fmin if self.total_fmin > 0 else np.inf

    @property
    def n_periods(self):
        return self.original.n_periods


def original_edges(length, width, pit_length):
    """Edges (f, m) of the original plan (section 1.1.1, Fig. 2).

    f_n = n W (n < N), f_N = S - P; m_n = f_n + P.  A last remainder shorter
    than W / 2 is merged into the last pair.
    """
    S, W, P = float(length), float(width), float(pit_length)
    if not W > 0:
        raise InputError("The strip width must be > 0 m.")
    if not P > 0:
        raise InputError("The pit length must be > 0 m.")
    span = S - P
    if span <= 1e-9 * S:
        raise InputError(
            f"The pit length ({P:.1f} m) is not shorter than the mine area along the mining "
            f"direction ({S:.1f} m): no strip is left to mine and refill. Use a longer mine "
            "area, a shorter pit or another mining direction.")
    n = int(np.ceil(span / W - 1e-9))
    if n > 1 and span - (n - 1) * W < 0.5 * W:
        n -= 1
    f = np.minimum(np.arange(n + 1) * W, span)
    f[-1] = span
    return f, f + P


def evaluate(plan, supply, fmin, fmax, safe, ratio, tolerance):
    """Fill a plan's per-period volumes, gaps, safe distances and statuses."""
    f, m = plan.f, plan.m
    plan.v_supply = supply.between(m[:-1], m[1:])
    plan.v_fmin = fmin.between(f[:-1], f[1:])
    plan.v_fmax = fmax.between(f[:-1], f[1:])
    plan.gap = m[:-1] - f[1:]
    plan.safe_dist = np.array([safe(f[n + 1], m[n]) for n in range(len(f) - 1)])
    if plan.case is None:
        plan.case = ["none"] * (len(f) - 1)
    plan.status = [period_status(g, lo, hi, gap, L, ratio, tolerance)
                   for g, lo, hi, gap, L in zip(plan.v_supply, plan.v_fmin, plan.v_fmax,
                                                plan.gap, plan.safe_dist)]
    return plan


def period_status(vg, vmin, vmax, gap, safe_dist, ratio, tolerance):
    """'ok' when V_g in [V_fmin, V_fmax], V_g / V_fmin within tolerance of the
    plan ratio and the gap >= L_tn; else the reasons, separated by '; '."""
    rel = 1e-9 * max(abs(vmax), 1.0)
    out = []
    if vg < vmin - rel:
        out.append("short")
    elif vg > vmax + rel:
        out.append("excess")
    elif vmin > 0 and abs(vg / vmin / ratio - 1.0) > tolerance:
        out.append("off ratio")
    if gap < safe_dist - 1e-6:
        out.append("unsafe")
    return "ok" if not out else "; ".join(out)


def _safe_fill_edge(safe, face, edge, lower, tol=1e-3):
    """Largest refilling edge in [lower, edge] with face - f >= L_tn(f, face)
    (to ``tol`` m); ``lower`` when none is safe.

    L_tn depends on the edge cells, so the edge first steps back by the
    shortfall until safe, then the last safe / first unsafe pair is bisected.
    """
    def ok(f):
        return face - f >= safe(f, face) - 1e-9

    if ok(edge):
        return edge
    f = edge
    for _ in range(200):
        f = max(min(face - safe(f, face), f - tol), lower)
        if ok(f) or f <= lower:
            break
    if not ok(f):
        return lower
    lo, hi = f, edge
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


class _Period:
    """Period n of the optimization (Fig. 7): the bounds of its far edges, the
    ratio r_n of the remaining supply to the remaining minimum demand, and the
    moves of its edges (``f``, ``m`` are the plan's edge arrays, changed in place)."""

    def __init__(self, f, m, n, plan0, profiles, min_width):
        N = len(f) - 1
        self.f, self.m, self.n = f, m, n
        self.supply, self.fmin, self.fmax = profiles
        self.lo_f = f[n - 1] + min_width
        self.hi_f = f[N] - (N - n) * min_width
        self.lo_m = m[n - 1] + min_width
        self.hi_m = m[N] - (N - n) * min_width
        f[n] = min(max(plan0.f[n], self.lo_f), self.hi_f)
        m[n] = min(max(plan0.m[n], self.lo_m), self.hi_m)
        rem_g = self.supply.between(m[n - 1], m[N])
        rem_f = self.fmin.between(f[n - 1], f[N])
        self.r_n = rem_g / rem_f if rem_f > 0 else 1.0

    def state(self):
        """(V_g, V_fmin, V_fmax, target T) of the period's current strips."""
        f, m, n = self.f, self.m, self.n
        vg = self.supply.between(m[n - 1], m[n])
        vlo = self.fmin.between(f[n - 1], f[n])
        vhi = self.fmax.between(f[n - 1], f[n])
        tgt = min(max(self.r_n * vlo, vlo), vhi)
        return vg, vlo, vhi, tgt

    def move_mining(self, tgt):
        """Cases a, c: the mining far edge to C_g^-1(C_g(m_(n-1)) + T)."""
        m, n = self.m, self.n
        m[n] = min(max(self.supply.inverse(self.supply(m[n - 1]) + tgt), self.lo_m), self.hi_m)

    def balance(self, safe, tolerance):
        """Move the edges as Fig. 7 says; returns the case ('none', 'a' .. 'd')."""
        f, m, n = self.f, self.m, self.n
        vg, vlo, vhi, tgt = self.state()
        unsafe = (m[n - 1] - f[n]) < safe(f[n], m[n - 1]) - 1e-6
        short = vg < vlo or vg < tgt * (1.0 - tolerance)
        excess = vg > vhi or vg > tgt * (1.0 + tolerance)
        if not (short or excess or unsafe):
            return "none"
        if not unsafe:
            self.move_mining(tgt)
            return "a" if short else "c"
        f_safe = _safe_fill_edge(safe, m[n - 1], f[n], self.lo_f)
        if short:
            f_ratio = self.fmin.inverse(self.fmin(f[n - 1]) + vg / self.r_n)
            f[n] = min(max(min(f_ratio, f_safe), self.lo_f), self.hi_f)
            case = "b"
        else:
            f[n] = min(max(f_safe, self.lo_f), self.hi_f)
            case = "d"
        vg, vlo, vhi, tgt = self.state()
        if abs(vg - tgt) > tolerance * tgt or vg > vhi or vg < vlo:
            self.move_mining(tgt)
        return case


def optimize(plan0, supply, fmin, fmax, safe, *, tolerance=0.01, min_width=None,
             progress=None):
    """The delineation optimization of Fig. 7, period by period (section 1.1.4).

    For period n the near edges (f_(n-1), m_(n-1)) are those left by period
    n-1 and the far edges start where the original plan has them.  The
    target supply is ``T = clip(r_n V_fmin, V_fmin, V_fmax)`` with r_n the
    ratio of the remaining supply to the remaining minimum demand (equal to
    sum V_g / sum V_fmin while earlier periods hit their targets).  A period
    whose V_g is inside [V_fmin, V_fmax], within ``tolerance`` of T and whose
    gap >= L_tn is left unchanged ('none').  Otherwise:

    (a) short, gap >= L_tn: the mining strip's far edge moves forward to
        m_n = C_g^-1(C_g(m_(n-1)) + T);
    (b) short, gap < L_tn: the refilling strip's pit-side edge moves back to
        where V_fmin = V_g / r_n, or further to the safe position
        (m_(n-1) - f_n = L_tn) if that is behind; if the safe position made
        V_g exceed its target, the mining far edge then moves back as in (c);
    (c) excess, gap >= L_tn: the mining far edge moves back to C_g^-1(...+T);
    (d) excess (or within bounds but unsafe), gap < L_tn: the refilling
        pit-side edge moves back to the safe position and the mining far edge
        back to the new target.

    Every move is a search on the cumulative volumes (exact to rounding).
    The last period takes what is left; f_N, m_N (the final pit) and so the
    totals never change.  Strips stay contiguous and at least ``min_width``
    wide.
    """
    progress = as_progress(progress)
    f, m = plan0.f.copy(), plan0.m.copy()
    N = len(f) - 1
    if min_width is None:
        min_width = 1e-3
    cases = ["none"] * N
    for i in range(N - 1):
        progress(100.0 * i / max(N - 1, 1))
        period = _Period(f, m, i + 1, plan0, (supply, fmin, fmax), min_width)
        cases[i] = period.balance(safe, tolerance)
    progress(100.0)
    return Plan(f, m, case=cases)


#: narrowest strip the optimization may make, as a fraction of the cell size
#: (strips at the corners of an oblique layout can rightly be very narrow)
MIN_STRIP_FRACTION = 1e-3


class _NoSafety:
    """Safe distance of 0 (to balance the plan by cases a and c only)."""

    def __init__(self, tracking):
        self.tracking = tracking

    def __call__(self, fill_edge, mining_face):
        return -np.inf


def _smallest_safe(short_fn, start, limit, tol=1e-3, max_steps=200):
    """Smallest pit length P < ``limit`` with ``short_fn(P) <= 0`` (to ``tol``).

    ``short_fn(P)`` is the largest shortfall of a gap against L_tn (m).  From
    ``start`` the pit is lengthened by the shortfall until it is safe, then
    the last unsafe / first safe pair is bisected.  None when no P < limit
    is safe.
    """
    lo, hi = None, None
    P = start
    for _ in range(max_steps):
        if P >= limit:
            return None
        sh = short_fn(P)
        if sh <= 0:
            hi = P
            break
        lo = P
        P = P + sh + tol
    if hi is None:
        return None
    if lo is None:                  # start already safe: the gap of a tiny pit is < 0
        lo = min(tol, hi / 2.0)
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        if short_fn(mid) <= 0:
            hi = mid
        else:
            lo = mid
    return hi


def _auto_pit_length(frame, width, safe):
    """Smallest pit length P with P - w_n >= L_tn in every period of the
    original plan (the gap of period n is P minus its strip width w_n)."""
    S, W = frame.length, float(width)
    if W + safe.tracking >= S:
        raise InputError(
            f"The shortest pit, STRIP_WIDTH ({W:g} m) plus TRACKING_DISTANCE "
            f"({safe.tracking:g} m), is not shorter than the mine area along the mining "
            f"direction ({S:.1f} m), so no strip is left to mine. Use narrower strips (a few "
            f"per cent of the length, {S / 50:.0f} to {S / 5:.0f} m) or a shorter tracking "
            "distance.")

    def short(P):
        f, m = original_edges(S, W, P)
        return max(safe(f[n + 1], m[n]) - (m[n] - f[n + 1]) for n in range(len(f) - 1))

    P = _smallest_safe(short, W + safe.tracking, S)
    if P is None:
        raise InputError(
            f"The safe distance (eq. 9) needs a pit longer than the mine area itself ({S:.0f} m "
            "along the mining direction), so no strip is left to mine. Use a longer mine area "
            "(or another direction), a shallower seam floor, steeper slope angles or a shorter "
            "tracking distance.")
    return P


def _feasibility(total_g, total_lo, total_hi, k):
    if total_lo <= total_g <= total_hi:
        return True, (f"Feasible: supply sum V_g = {total_g:,.0f} m3 lies in [sum V_fmin, "
                      f"sum V_fmax] = [{total_lo:,.0f}, {total_hi:,.0f}] m3 (sum V_g / sum "
                      f"V_fmin = {total_g / total_lo:.4f}).")
    if total_g < total_lo:
        d = total_lo - total_g
        return False, (
            f"Infeasible plan: the spoil of the mining strips, sum V_g = {total_g:,.0f} m3 "
            f"(eq. 6, k = {k:g}), is {d:,.0f} m3 ({100 * d / total_lo:.2f} %) less than the "
            f"minimum the refilling strips need, sum V_fmin = {total_lo:,.0f} m3 (eq. 8, "
            "SURFACE_MIN down to FLOOR). Why: the mined volume (minus the coal) does not reach "
            "the lowest acceptable landform; the box cut's spoil goes outside and the final "
            "pit is left open. Fix: lower SURFACE_MIN, raise K (swell), or shorten the pit "
            "(PIT_LENGTH) so more spoil stays in the balance.")
    d = total_g - total_hi
    return False, (
        f"Infeasible plan: the spoil of the mining strips, sum V_g = {total_g:,.0f} m3 (eq. 6, "
        f"k = {k:g}), is {d:,.0f} m3 ({100 * d / total_hi:.2f} %) more than the refilling strips "
        f"can take, sum V_fmax = {total_hi:,.0f} m3 (eq. 7, SURFACE_MAX down to FLOOR). Why: "
        "the highest acceptable landform has less room than the spoil. Fix: raise SURFACE_MAX, "
        "lower K, or lengthen the pit (PIT_LENGTH) so less spoil is placed.")


#: the most periods (strips) one plan may have
MAX_PERIODS = 2000


def check_strip_width(width, length, cell):
    """STRIP_WIDTH against the mine's length along the mining direction and
    the cell size: at least one cell wide, shorter than the mine, at most
    MAX_PERIODS strips."""
    if width < cell:
        raise InputError(
            f"Parameter STRIP_WIDTH = {width:g} m is narrower than one cell ({cell:g} m): "
            "strips would hold no cell centre. Use at least one cell, typically 5 to 20 "
            f"cells ({5 * cell:g} to {20 * cell:g} m).")
    if width >= length:
        raise InputError(
            f"Parameter STRIP_WIDTH = {width:g} m is not shorter than the mine area along the "
            f"mining direction ({length:.1f} m), so the plan has no strip to refill. Use a "
            f"width of a few per cent of that length ({length / 50:.0f} to {length / 5:.0f} m"
            "), or check DIRECTION.")
    if length / width > MAX_PERIODS:
        raise InputError(
            f"Parameter STRIP_WIDTH = {width:g} m cuts the {length:.1f} m long mine into "
            f"{length / width:,.0f} periods (at most {MAX_PERIODS}); use at least "
            f"{length / MAX_PERIODS:.1f} m.")


@dataclass(frozen=True)
class PitSettings:
    """The settings of one delineation besides the strips: k of eq. 6, the ratio
    tolerance of Fig. 7, the refilled crest of eq. 9 ('original' or 'max') and
    the pit geometry of eq. 9 (tracking distance m, dump and working slopes deg)."""
    k: float = 1.0
    tolerance: float = 0.01
    fill_surface: str = "original"
    tracking: float = 50.0
    dump_slope: float = 8.0
    working_slope: float = 20.0


class _Delineator:
    """State of one :func:`delineate` run: the frame, the cumulative profiles
    of eq. 6 to 8, the safe distance of eq. 9 and the settings; its methods
    build the original plan and balance it (Fig. 7)."""

    def __init__(self, frame, arrays, settings, progress):
        dem_or, dem_max, dem_min, floor, thickness = arrays
        st = settings
        self.frame, self.k, self.tolerance = frame, float(st.k), st.tolerance
        self.progress = progress
        vg, vmax, vmin = cell_volumes(dem_or, dem_max, dem_min, floor, thickness, frame,
                                      frame.dx * frame.dy, st.k)
        self.supply = CumulativeProfile(frame.s, vg, frame.a, frame.b)
        self.fmax = CumulativeProfile(frame.s, vmax, frame.a, frame.b)
        self.fmin = CumulativeProfile(frame.s, vmin, frame.a, frame.b)
        if st.fill_surface not in ("original", "max"):
            raise InputError("fill_surface must be 'original' or 'max'.")
        crest = dem_or if st.fill_surface == "original" else dem_max
        self.safe = SafeDistance(frame, dem_or, crest, floor, st.tracking, st.dump_slope,
                                 st.working_slope)
        self.min_w = MIN_STRIP_FRACTION * min(frame.dx, frame.dy)
        self.width = None

    def totals(self, f, m):
        """(sum V_g, sum V_fmin, sum V_fmax) of the plan with edges f, m."""
        return (self.supply.between(m[0], m[-1]), self.fmin.between(f[0], f[-1]),
                self.fmax.between(f[0], f[-1]))

    def set_plan(self, res, P, f, m, totals):
        """The original plan of pit length P (edges f, m) and its totals into ``res``."""
        res.pit_length = float(P)
        res.total_supply, res.total_fmin, res.total_fmax = totals
        res.original = evaluate(Plan(f, m), self.supply, self.fmin, self.fmax, self.safe,
                                res.ratio, self.tolerance)
        res.box_cut_supply = self.supply.between(0.0, m[0])
        res.final_pit_fmin = self.fmin.between(f[-1], self.frame.length)

    def original(self, width, P, auto, notes):
        """The Delineation of the original plan (strips of ``width``, pit P)."""
        self.width = width
        f, m = original_edges(self.frame.length, width, P)
        self.progress(25)
        totals = self.totals(f, m)
        feasible, report = _feasibility(*totals, self.k)
        res = Delineation(self.frame, width, float(P), auto, self.k, float(self.tolerance),
                          None, feasible=feasible, feasibility=report, messages=list(notes))
        self.set_plan(res, P, f, m, totals)
        original = res.original
        unsafe = int(np.sum(original.gap < original.safe_dist - 1e-6))
        if unsafe:
            res.messages.append(
                f"The pit length {P:.1f} m leaves a gap of {P - width:.1f} m between the "
                f"strips, less than the safe distance L_tn in {unsafe} of "
                f"{original.n_periods} periods (largest L_tn "
                f"{float(original.safe_dist.max()):.1f} m); leave PIT_LENGTH blank to get "
                "the smallest safe pit.")
        return res

    def short(self, P):
        """The largest shortfall of a gap against L_tn once the plan of pit P is
        balanced by its mining edges only (cases a, c)."""
        self.progress.check()            # cancel between the trial plans
        f2, m2 = original_edges(self.frame.length, self.width, P)
        t = optimize(Plan(f2, m2), self.supply, self.fmin, self.fmax,
                     _NoSafety(self.safe.tracking), tolerance=self.tolerance,
                     min_width=self.min_w)
        return max(self.safe(t.f[n + 1], t.m[n]) - (t.m[n] - t.f[n + 1])
                   for n in range(len(t.f) - 1))

    def check_given_pit(self, res):
        """A given PIT_LENGTH too short for the balanced plan: say so."""
        P = res.pit_length
        if self.short(P) <= 1e-6:
            return
        P_safe = _smallest_safe(self.short, P, self.frame.length)
        res.messages.append(
            f"PIT_LENGTH {P:.1f} m is shorter than the smallest pit that keeps the safe "
            "distance once the periods are balanced ("
            + (f"{P_safe:.1f} m" if P_safe is not None else "none fits in the mine area")
            + "): the optimization has to move refilling edges back (cases b, d), the "
            "refilling front then lags, strips can shrink to slivers and periods stay "
            "unsafe or unbalanced. Leave PIT_LENGTH blank to use the smallest safe pit.")

    def lengthen_pit(self, res):
        """The automatic pit: lengthened to the smallest that keeps the safe
        distance in the balanced plan, if that plan stays feasible."""
        P = res.pit_length
        P2 = _smallest_safe(self.short, P, self.frame.length)
        if P2 is None or not P2 > P:
            return
        f2, m2 = original_edges(self.frame.length, self.width, P2)
        totals = self.totals(f2, m2)
        ok2, rep2 = _feasibility(*totals, self.k)
        if not ok2:
            res.messages.append(
                f"A pit of {P2:.1f} m would let the balanced plan keep the safe "
                f"distance in every period without moving refilling edges, but with "
                f"it the plan is infeasible ({rep2}); kept {P:.1f} m.")
            return
        self.set_plan(res, P2, f2, m2, totals)
        res.feasibility = rep2

    def optimize(self, res):
        """Fig. 7 on the original plan (after choosing the pit); into ``res.optimized``."""
        if not res.feasible:
            raise InputError(res.feasibility)
        self.progress(27)
        if res.pit_length_auto:
            self.lengthen_pit(res)
        else:
            self.check_given_pit(res)
        opt = optimize(res.original, self.supply, self.fmin, self.fmax, self.safe,
                       tolerance=self.tolerance, min_width=self.min_w,
                       progress=self.progress.sub(30, 95))
        opt = evaluate(opt, self.supply, self.fmin, self.fmax, self.safe, res.ratio,
                       self.tolerance)
        res.optimized = opt
        bad = [i + 1 for i, st in enumerate(opt.status) if st != "ok"]
        if bad:
            res.messages.append(
                f"After optimization {len(bad)} of {opt.n_periods} periods still miss a "
                f"constraint (periods {', '.join(map(str, bad[:20]))}"
                f"{' ...' if len(bad) > 20 else ''}; see their status).")


def delineate(dem_or, dem_max, dem_min, floor, thickness, mask, transform, *, azimuth=270.0,
              strip_width=90.0, pit_length=None, k=1.0, tracking=50.0, dump_slope=8.0,
              working_slope=20.0, optimize_plan=True, tolerance=0.01, fill_surface="original",
              progress=None):
    """Mining/refilling sub-areas of a mine plan and their optimization.

    Arrays (m, nan = nodata) share one north-up grid (``transform``); mask is
    the rasterised mine area.  Volumes: eq. 6 to 8 (:func:`cell_volumes`);
    safe distance: eq. 9 (:class:`SafeDistance`); optimization: Fig. 7
    (:func:`optimize`).  ``fill_surface``: the refilled crest elevation of
    eq. 9, 'original' (the pre-mining DEM, the paper's dem_orfn) or 'max'
    (SURFACE_MAX, conservative).  ``pit_length`` None = the smallest that meets the
    safe distance in every period of the original plan.  With
    ``optimize_plan`` an infeasible total raises :class:`InputError` with the
    numbers; without it the original plan is returned with ``feasible`` False
    and the same report in ``feasibility``.
    """
    progress = as_progress(progress)
    if not k > 0:
        raise InputError("K (ratio of spoil to stripped volume) must be > 0.")
    if not tolerance > 0:
        raise InputError("The ratio tolerance must be > 0.")
    notes = check_inputs(dem_or, dem_max, dem_min, floor, thickness, mask)
    frame = make_frame(mask, transform, azimuth)
    progress(5)
    run = _Delineator(frame, (dem_or, dem_max, dem_min, floor, thickness),
                      PitSettings(k, tolerance, fill_surface, tracking, dump_slope,
                                  working_slope), progress)
    progress(15)
    W = float(strip_width)
    if not W > 0:
        raise InputError("The strip width must be > 0 m.")
    check_strip_width(W, frame.length, min(frame.dx, frame.dy))
    auto = pit_length is None or not np.isfinite(pit_length) or pit_length <= 0
    P = _auto_pit_length(frame, W, run.safe) if auto else float(pit_length)
    res = run.original(W, P, auto, notes)
    if optimize_plan:
        run.optimize(res)
    progress(100)
    return res


def plan_rows(plan, ratio):
    """Per-period records of a plan (for tables and layers)."""
    rows = []
    for i in range(plan.n_periods):
        rows.append(dict(
            period=i + 1,
            mining_start=float(plan.m[i]), mining_end=float(plan.m[i + 1]),
            refilling_start=float(plan.f[i]), refilling_end=float(plan.f[i + 1]),
            v_supply=float(plan.v_supply[i]), v_fmin=float(plan.v_fmin[i]),
            v_fmax=float(plan.v_fmax[i]),
            ratio_to_target=(float(plan.v_supply[i] / plan.v_fmin[i] / ratio)
                             if plan.v_fmin[i] > 0 else float("nan")),
            gap=float(plan.gap[i]), safe_dist=float(plan.safe_dist[i]),
            case=plan.case[i], status=plan.status[i]))
    return rows
