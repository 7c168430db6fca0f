"""Traditional terraced landform (TDL; docs/method.md section 5, the paper's "step-like" dump).

Two designs share the bench geometry: benches of height H, faces at the face
angle alpha, horizontal berms of width B, so one bench period is
P = H / tan(alpha) + B horizontally.  The final pit is the same as for the
near-natural landform (``landform.pit_surface``); outside the mine area the
landform equals dem_or.  Volumes are eq. 6 to 8: sum (z - H_fd) L_t^2.

**Per-strip platforms** (``design="strips"``, the default): the dump is
built up from the seam floor in lifts of H, so the berms lie at the lift
levels L_k = z_0 + k H (z_0 = lowest floor of the dump).  The global
staircase starting with a face at z_0,

    G(x) = z_0 + k H + min(H, (x - k P) tan alpha),  k = floor(x / P),

rises one lift per period; X(b) = k_b P + (b - L_kb) / tan alpha is where
the face above level b starts (k_b = floor((b - z_0) / H)), so a staircase
whose toe is at level b on an edge rises as G(X(b) + d) at distance d from
that edge.  Each refilling strip a_fn holds its own supply S_n = V_g(a_mn)
on a flat platform at T_n; every cell i of the strip is

    z_i = max(H_fd, w_i, min(T_n, G(W_i))),
    W_i = min over the cells j around the strip of X(b_j) + d_ij,
    w_i = max over the ground cells j around the strip of g_j - d_ij tan(beta),

with d_ij the distance from cell i's centre to the edge of cell j, b_j the
surface of a settled neighbour strip or the ground g_j (dem_or outside the mine,
the pit surface on the final pit), beta the inner-dump wall angle.  So where
the platform stands above its neighbour or the ground the drop is made of
benches inside the strip, where it stands below the ground the wall rises
at beta inside the strip, and the strip keeps its volume: T_n solves
sum_i (z_i - H_fd) L_t^2 = S_n exactly (``clip_level``: z_i is
clip(T, lo_i, hi_i), piecewise linear in T).  A strip's benches depend only
on its lower neighbours, so the strips are settled from the lowest up
(``Settling``): the unsettled strip with the lowest level found
against its settled neighbours is final, because benches toward a
neighbour settled later could only raise the others.  Where the plan's supply
does not fit this geometry (``adapt``, :class:`Settling`, in this order): walls
at the face angle where even the beta walls hold more than the strip's supply;
where its benches meet before its platform holds the supply, the toe of its
benches moves out onto the settled strips around it (the earth dumped on their
platforms, counted as this strip's: ``held``, ``encroached``); narrower berms
for that strip (where the ground climbs across it faster than atan(H / P), the
benches from its low edge cannot reach the platform otherwise); with no berms,
encroachment farther; strips sharing one platform with their neighbour in the
period order; the single-platform design last.

**Single platform** (``design="single"``): the whole dump holds the total
supply under one flat top T with benches rising from the dump's edge:
d = distance from the edge, z_e = dem_or at the nearest cell outside, the
cone c = z_e + d H / P, y = c - T, k = floor(y / H), q = (y - k H) P / H,

    z = max(H_fd, min(T, T + k H + min(H, q tan alpha))),

T by bisection (berms at T - H, T - 2 H, ...).
"""
from dataclasses import dataclass, replace

import numpy as np
from scipy import ndimage

from . import landform as lf
from .errors import InputError, as_progress
from .quality import design_quality

DESIGNS = ("strips", "single")
#: the ADAPT steps of the per-strip design, in the order they are tried (:class:`Settling`)
ADAPT_STEPS = ("walls", "encroach", "berms", "share")


def adapt_steps(adapt):
    """True: every ADAPT step; False / None: none; else the named steps (a collection)."""
    if adapt is True:
        return frozenset(ADAPT_STEPS)
    if not adapt:
        return frozenset()
    steps = frozenset(adapt)
    if not steps <= set(ADAPT_STEPS):
        raise InputError(f"Unknown ADAPT step(s) {sorted(steps - set(ADAPT_STEPS))}; use "
                         f"{', '.join(ADAPT_STEPS)}.")
    return steps


@dataclass
class TerraceResult:
    landform: np.ndarray
    dump: np.ndarray
    pit: np.ndarray
    design: str
    top_elevation: float          # highest platform (m)
    volume: float                 # sum over the dump (m3)
    total_supply: float
    mean_slope: float             # Horn, over the dump
    max_slope: float
    levels: np.ndarray            # platform level by period (nan: no strip; single: T)
    supply: np.ndarray            # supply by period used (after merging empty strips)
    strip_volume: np.ndarray      # volume by period (m3)
    strip_error: np.ndarray       # error of the platform holding strip n: |V - S| / S
                                  # over its group of strips (one strip: its own)
    plan_error: np.ndarray        # |V_n - S_n| / S_n of every strip against its supply
    held: np.ndarray              # volume held by period (= S_n outside shared platforms)
    groups: list                  # lists of periods sharing one platform (ADAPT)
    wall_angle: np.ndarray        # wall angle used by period (degrees; nan: single)
    berm: np.ndarray = None       # berm width used by period (m; nan: single)
    encroached: np.ndarray = None  # cells of other strips its benches cover, by period
    quality: object = None        # core.quality.Quality of the landform over the dump
    fallback: str = ""            # why the per-strip design fell back to a single platform

    @property
    def volume_error(self):
        return abs(self.volume - self.total_supply) / max(self.total_supply, 1e-300)

    @property
    def volume_error_max(self):
        e = self.strip_error[np.isfinite(self.strip_error)]
        return float(e.max()) if e.size else 0.0


@dataclass(frozen=True)
class Benches:
    """Bench geometry: lift levels z0 + k H, faces at alpha, berms B, walls at beta."""
    z0: float
    height: float
    tana: float
    berm: float
    tanb: float

    @property
    def period(self):
        return self.height / self.tana + self.berm

    def with_berm(self, berm):
        """The same lifts and faces with berms of ``berm`` m."""
        return replace(self, berm=float(berm))

    def staircase(self, x):
        """G(x): the staircase from z0 (face first) at horizontal position x."""
        k = np.floor(x / self.period)
        return self.z0 + k * self.height + np.minimum(self.height,
                                                      (x - k * self.period) * self.tana)

    def face_start(self, b):
        """X(b): where the face rising above level b starts on the staircase."""
        k = np.floor((np.asarray(b, dtype=np.float64) - self.z0) / self.height)
        return k * self.period + (b - self.z0 - k * self.height) / self.tana


def terrace_surface(cone, top, floor, bench_height, face_angle, berm_width):
    """Single platform: z = max(floor, min(T, T + k H + min(H, q tan alpha)))."""
    H = float(bench_height)
    tana = np.tan(np.radians(float(face_angle)))
    P = H / tana + float(berm_width)
    y = np.minimum(cone - top, 0.0)
    k = np.floor(y / H)
    q = (y - k * H) * (P / H)
    z = top + k * H + np.minimum(H, q * tana)
    return np.maximum(floor, np.minimum(top, z))


def clip_level(lo, hi, target):
    """T with sum_i clip(T, lo_i, hi_i) = target (lo <= hi), exactly.

    The sum is piecewise linear and non-decreasing in T; it is evaluated at
    every breakpoint (sorted lo and hi, cumulative sums) and T interpolated
    on the bracketing piece.  Returns (T, v_min, v_max) with T = nan when
    target lies outside [v_min, v_max] = [sum lo, sum hi].
    """
    lo = np.asarray(lo, dtype=np.float64)
    hi = np.asarray(hi, dtype=np.float64)
    vmin, vmax = float(lo.sum()), float(hi.sum())
    if not vmin - 1e-9 * abs(vmin) <= target <= vmax + 1e-9 * abs(vmax):
        return float("nan"), vmin, vmax
    ls, hs = np.sort(lo), np.sort(hi)
    cl = np.concatenate([[0.0], np.cumsum(ls)])
    ch = np.concatenate([[0.0], np.cumsum(hs)])
    t = np.unique(np.concatenate([ls, hs]))
    nh = np.searchsorted(hs, t, side="right")      # hi <= t: hold hi
    nl = np.searchsorted(ls, t, side="left")       # lo < t: not held at lo
    v = ch[nh] + (cl[-1] - cl[nl]) + t * (nl - nh)
    i = int(np.searchsorted(v, target, side="left"))
    if i == 0:
        return float(t[0]), vmin, vmax
    if i >= len(t):
        return float(t[-1]), vmin, vmax
    dv = v[i] - v[i - 1]
    top = t[i - 1] + (target - v[i - 1]) / dv * (t[i] - t[i - 1]) if dv > 0 else t[i]
    return float(top), vmin, vmax


def edge_distance(ri, ci, rj, cj, dx, dy):
    """Distance (m) from each centre i to the edge of each cell j, along the line i-j."""
    ey = (ri[:, None] - rj[None, :]) * float(dy)
    ex = (ci[:, None] - cj[None, :]) * float(dx)
    d = np.hypot(ex, ey)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = np.minimum(np.where(ex != 0, 0.5 * dx * d / np.abs(ex), np.inf),
                          np.where(ey != 0, 0.5 * dy * d / np.abs(ey), np.inf))
    return np.maximum(d - half, 0.0)


def reduce_edges(ri, ci, rj, cj, values, dx, dy, *, how=np.min, chunk=1_000_000):
    """how(values_j + d_ij) over the edge cells j for every cell i (how = np.min), or
    how(values_j - d_ij) when ``how`` is np.max; +-inf without edge cells."""
    sign = 1.0 if how is np.min else -1.0
    out = np.full(ri.size, sign * np.inf)
    if rj.size == 0:
        return out
    step = max(1, chunk // rj.size)
    for s in range(0, ri.size, step):
        d = edge_distance(ri[s:s + step], ci[s:s + step], rj, cj, dx, dy)
        out[s:s + step] = how(values[None, :] + sign * d, axis=1)
    return out


def stairs_over(w, benches):
    """G(W_i), +inf where no lower edge bounds the cell (W_i = inf)."""
    fin = np.isfinite(w)
    return np.where(fin, benches.staircase(np.where(fin, w, 0.0)), np.inf)


def solve_level(lo, hi, base, supply, cell_area):
    """(T, v_min, v_max): sum (clip(T, lo, hi) - base) L_t^2 = supply (v: m3 above base)."""
    b = float(base.sum())
    target = supply / cell_area + b
    cap = float(lo.max()) + max(target - float(lo.sum()), 0.0) + 1.0
    top, vmin, vmax = clip_level(lo, np.minimum(hi, cap), target)
    vmax = np.inf if np.isinf(hi).any() else vmax
    return top, (vmin - b) * cell_area, (vmax - b) * cell_area


class StripGeometry:
    """One refilling strip: its cells, the cells around it (8-neighbour ring), its
    lower edges (the ground ring, then the ring of every settled neighbour with the
    neighbour's surface there) and W_i (min over the lower edges of X(b_j) + d_ij,
    see the module doc) for a bench geometry.

    Work is cells x ring cells, chunked.
    """

    def __init__(self, label, window, refilling, ground, floor, dx, dy, benches):
        sub = refilling[window]
        own = sub == label
        ring = ndimage.binary_dilation(own, np.ones((3, 3), bool)) & ~own
        r0, c0 = window[0].start, window[1].start
        ri, ci = np.nonzero(own)
        rj, cj = np.nonzero(ring)
        self.label, self.dx, self.dy = label, dx, dy
        self.ri, self.ci = ri + r0, ci + c0
        self.floor = floor[self.ri, self.ci]
        lab_j = sub[rj, cj]
        g_j = ground[window][rj, cj]
        gm = (lab_j <= 0) & np.isfinite(g_j)
        self.ground = (rj[gm] + r0, cj[gm] + c0, g_j[gm])
        self.rings = {int(k): (rj[lab_j == k] + r0, cj[lab_j == k] + c0)
                      for k in np.unique(lab_j[lab_j > 0])}
        self.tanb, self.tana = benches.tanb, benches.tana
        self.wall0 = self.walls(benches.tanb, [self.ground])
        self.reset(benches)

    def reset(self, benches):
        """Back to the ground-only edges, the walls at beta and the design's benches."""
        self.edges, self.cache = [self.ground], {}
        self.wall, self.wall_tan, self.benches = self.wall0, self.tanb, benches
        self.faces = np.full(self.ri.size, -np.inf)

    def reduce(self, rj, cj, values, how):
        return reduce_edges(self.ri, self.ci, rj, cj, values, self.dx, self.dy, how=how)

    def walls(self, tanb, edges=None):
        """w_i = max over the ground ring (or ``edges``) of b_j - d_ij tan(beta), and
        over the rings of the settled neighbours with the face angle (the
        ``faces`` kept by add_neighbour)."""
        w = np.full(self.ri.size, -np.inf)
        for rj, cj, b in [self.ground] if edges is None else edges:
            if rj.size:
                w = np.maximum(w, self.reduce(rj, cj, b / tanb, np.max) * tanb)
        return w if edges is not None else np.maximum(w, self.faces)

    def add_neighbour(self, k, surface):
        """Neighbour strip k is settled: its surface on the ring is an edge, a lower
        edge for the benches and, where it stands higher (a neighbour settled first
        that stays above this strip along part of the seam), a wall inside this strip
        at the wall angle, as from higher ground."""
        rj, cj = self.rings[k]
        edge = (rj, cj, surface[rj, cj].copy())
        self.edges.append(edge)
        self.faces = np.maximum(self.faces, self.walls(self.tana, [edge]))
        self.wall = np.maximum(self.wall, self.faces)
        self.cache = {}

    def w(self, benches):
        """W_i for the bench geometry ``benches`` (cached)."""
        if benches not in self.cache:
            w = np.full(self.ri.size, np.inf)
            for rj, cj, b in self.edges:
                w = np.minimum(w, self.reduce(rj, cj, benches.face_start(b), np.min))
            self.cache[benches] = w
        return self.cache[benches]

    def bounds(self, benches):
        """(lo, hi) of z_i = clip(T, lo_i, hi_i)."""
        lo = np.maximum(self.floor, self.wall)
        return lo, np.maximum(lo, stairs_over(self.w(benches), benches))

    def level(self, benches, supply, cell_area):
        """(T, lo, hi, v_min, v_max): sum (clip(T, lo, hi) - H_fd) L_t^2 = supply."""
        lo, hi = self.bounds(benches)
        top, vmin, vmax = solve_level(lo, hi, self.floor, supply, cell_area)
        return top, lo, hi, vmin, vmax

    def steepen(self, benches, supply, cell_area):
        """Walls at the face angle (the steepest a dump face stands); False when even
        they hold more than ``supply`` with the platform on the floor."""
        self.wall, self.wall_tan = self.walls(benches.tana), benches.tana
        return self.level(benches, supply, cell_area)[3] <= supply


class Unbuildable(InputError):
    """Even one platform over the whole dump cannot hold the supply under the benches."""


class Merge(Exception):
    """A group of strips cannot hold its supply: merge it with its neighbour, settle again."""

    def __init__(self, group):
        super().__init__(group)
        self.group = group


class Settling:
    """The strips settled from the lowest up (see the module doc).  With ``adapt``, a
    strip that cannot hold its supply under the design's benches, in this order:

    1. walls at the face angle where its walls at beta hold more than its supply;
    2. narrower berms (the widest, down to none, that hold its supply inside it);
    3. with berms of none, its benches encroach on the settled strips around it: the
       toe moves out one cell at a time onto their surface (the earth is dumped on
       top of their platforms), until its platform holds the supply; the earth on
       their cells above their surface counts as this strip's (``held``);
    4. it shares one platform with its neighbour in the period order (the next
       period first), the group holding the sum of their supplies, and the settling
       starts again.  At the end of that road the whole dump is one platform."""

    #: farthest encroachment, cells beyond the strip: with the design's berms, with none
    NEAR, REACH = 4, 64

    def __init__(self, refilling, ground, floor, sup, present, dx, dy, benches, adapt):
        self.lab = np.array(refilling, dtype=np.int64, copy=True)    # group of every cell
        self.ground, self.floor = ground, floor
        self.args = (ground, floor, dx, dy, benches)
        self.dx, self.dy = dx, dy
        self.benches, self.area, self.adapt = benches, dx * dy, adapt_steps(adapt)
        self.order = [int(k) for k in present]
        self.windows = ndimage.find_objects(self.lab)
        self.members = {k: [k] for k in self.order}
        self.supply = {k: float(sup[k]) for k in self.order}
        self.geoms = {k: self.geometry(k) for k in self.order}
        self.levels, self.surface = {}, np.full(refilling.shape, np.nan)

    def window(self, members, grow=1):
        """Union of the strips' bounding boxes, grown by ``grow`` cells (clipped)."""
        ws = [self.windows[k - 1] for k in members]
        rows, cols = self.lab.shape
        return (slice(max(min(x[0].start for x in ws) - grow, 0),
                      min(max(x[0].stop for x in ws) + grow, rows)),
                slice(max(min(x[1].start for x in ws) - grow, 0),
                      min(max(x[1].stop for x in ws) + grow, cols)))

    def geometry(self, g):
        return StripGeometry(g, self.window(self.members[g]), self.lab, *self.args)

    def merge(self, g):
        """Group g and its neighbour in the period order become one group."""
        first, last = self.order.index(self.members[g][0]), self.order.index(self.members[g][-1])
        if last + 1 < len(self.order):
            other = self.order[last + 1]
        elif first > 0:
            other = self.order[first - 1]
        else:
            return False
        h = next(q for q, m in self.members.items() if other in m)
        a, b = sorted((g, h), key=lambda q: self.members[q][0])
        wb = self.window(self.members[b])
        self.members[a] = sorted(self.members[a] + self.members.pop(b))
        self.supply[a] += self.supply.pop(b)
        del self.geoms[b]
        sub = self.lab[wb]
        sub[sub == b] = a
        for q in [q for q, geo in self.geoms.items() if b in geo.rings or q == a]:
            self.geoms[q] = self.geometry(q)        # their rings name the new group
        return True

    def narrower_berms(self, geo, s):
        """The widest berm (bisection to 1 mm) under which the strip holds ``s``
        inside it; None when even no berms do not."""
        if geo.level(self.benches.with_berm(0.0), s, self.area)[4] < s:
            return None
        ok, bad = 0.0, self.benches.berm
        while bad - ok > 1e-3:
            mid = 0.5 * (ok + bad)
            if geo.level(self.benches.with_berm(mid), s, self.area)[4] >= s:
                ok = mid
            else:
                bad = mid
        geo.benches = self.benches.with_berm(ok)
        c = geo.level(geo.benches, s, self.area)
        return (c[0], c[1], c[2], geo.ri, geo.ci, geo.floor) if np.isfinite(c[0]) else None

    def encroach(self, g, geo, s, b, reach):
        """With berms of none, the toe of the strip's benches moved out onto the
        settled strips around it, one cell (8-neighbour) at a time: the zone Z
        of their cells within k cells of the strip.  Over the strip and Z, W_i is
        taken from the edges of strip + Z (the ground and the settled surface
        there); a cell of Z is clip(T, z_Z, max(z_Z, G(W_i))) with z_Z its
        surface.  None when k reaches ``reach`` or Z stops growing first."""
        win = self.window(self.members[g], reach + 2)
        sub, surf = self.lab[win], self.surface[win]
        r0, c0 = win[0].start, win[1].start
        own = sub == g
        settled = np.isin(sub, list(self.levels)) & np.isfinite(surf)
        lo_own = np.maximum(geo.floor, geo.wall)
        rr, cc = geo.ri - r0, geo.ci - c0       # the strip's cells in geo's order
        zone = np.zeros_like(own)
        box = np.ones((3, 3), bool)
        for _ in range(reach):
            grown = ndimage.binary_dilation(own | zone, box) & settled
            if grown.sum() == zone.sum():
                return None
            zone = grown
            region = own | zone
            ring = ndimage.binary_dilation(region, box) & ~region
            zr, zc = np.nonzero(zone)
            ri, ci = np.concatenate([rr, zr]), np.concatenate([cc, zc])
            rj, cj = np.nonzero(ring)
            g_j = np.where(sub[rj, cj] <= 0, self.ground[win][rj, cj], surf[rj, cj])
            e = np.isfinite(g_j)
            w = reduce_edges(ri, ci, rj[e], cj[e], b.face_start(g_j[e]), self.dx, self.dy)
            base = np.concatenate([geo.floor, surf[zr, zc]])
            lo = np.concatenate([lo_own, surf[zr, zc]])
            hi = np.maximum(lo, stairs_over(w, b))
            top = solve_level(lo, hi, base, s, self.area)[0]
            if np.isfinite(top):
                geo.benches = b
                return top, lo, hi, ri + r0, ci + c0, base
        return None

    def evaluate(self, g):
        geo, s = self.geoms[g], self.supply[g]
        geo.benches = self.benches
        c = geo.level(self.benches, s, self.area)
        if s < c[3] and "walls" in self.adapt and geo.wall_tan < self.benches.tana:
            geo.steepen(self.benches, s, self.area)
            c = geo.level(self.benches, s, self.area)
        cand = (c[0], c[1], c[2], geo.ri, geo.ci, geo.floor) if np.isfinite(c[0]) else None
        if cand is None and s > c[4]:
            a, none = self.adapt, self.benches.with_berm(0.0)
            cand = (("encroach" in a and self.encroach(g, geo, s, self.benches, self.NEAR))
                    or ("berms" in a and self.narrower_berms(geo, s))
                    or ("encroach" in a and "berms" in a
                        and self.encroach(g, geo, s, none, self.REACH)) or None)
            if cand is None and "encroach" in a and any(q != g and q not in self.levels
                                                       for q in self.geoms):
                cand = (np.inf,)    # wait: its benches may stand on strips settled later
        if cand is None:
            if "share" in self.adapt and len(self.members) > 1:
                raise Merge(g)
            raise_unfit(self.members[g], geo, c, s, self.benches, self.area,
                        "share" in self.adapt)
        self.cand[g] = cand

    def run(self, progress):
        while True:
            try:
                return self.settle(progress)
            except Merge as m:
                if not self.merge(m.group):
                    raise
                self.levels, self.surface[:] = {}, np.nan

    def rebuild(self, q):
        """Strip q's lower edges from the surface of its settled neighbours, anew."""
        geo = self.geoms[q]
        geo.reset(self.benches)
        for k in geo.rings:
            if k in self.levels:
                geo.add_neighbour(k, self.surface)
        self.evaluate(q)

    def settle(self, progress):
        self.cand, self.held, self.encroached, self.berm = {}, {}, {}, {}
        for g in self.geoms.values():
            g.reset(self.benches)
        for g in self.geoms:
            self.evaluate(g)
        n = len(self.geoms)
        for i in range(n):
            if i % 8 == 0:
                progress(100.0 * i / n)
            g = min(self.cand, key=lambda q: self.cand[q][0])
            if not np.isfinite(self.cand[g][0]):    # every strip left is waiting
                if "share" in self.adapt and len(self.members) > 1:
                    raise Merge(g)
                geo = self.geoms[g]
                raise_unfit(self.members[g], geo, geo.level(self.benches, self.supply[g],
                                                             self.area),
                            self.supply[g], self.benches, self.area, self.adapt)
            top, lo, hi, ri, ci, base = self.cand.pop(g)
            geo = self.geoms[g]
            z = np.clip(top, lo, hi)
            own = geo.ri.size
            raised = z[own:] > base[own:]
            self.levels[g], self.berm[g] = top, geo.benches.berm
            self.held[g] = float((z - base).sum()) * self.area
            self.encroached[g] = int(raised.sum())
            self.surface[ri, ci] = z
            # evaluated again: its unsettled neighbours, the waiting strips and the
            # encroaching candidates (their zone may have changed)
            touched = {q for q in self.cand if q in geo.rings or not np.isfinite(
                self.cand[q][0]) or self.cand[q][3].size > self.geoms[q].ri.size}
            if raised.any():        # the strips next to the raised cells see them
                near = np.zeros(self.lab.shape, bool)
                near[ri[own:][raised], ci[own:][raised]] = True
                near = ndimage.binary_dilation(near, np.ones((3, 3), bool))
                touched |= {int(q) for q in np.unique(self.lab[near]) if q in self.cand}
            for q in touched:
                self.rebuild(q)
        return self


def raise_unfit(periods, geom, cand, supply, benches, cell_area, adapt=True):
    """InputError naming the strip whose supply cannot be held, with the figures and the fix."""
    vmin, vmax = cand[3], cand[4]
    cells = geom.floor.size
    k = str(periods[0]) if len(periods) == 1 else f"{periods[0]} to {periods[-1]} (one platform)"
    other = ("" if adapt else ", let the strips adapt (ADAPT: steeper walls, benches on the "
             "neighbours' platforms, narrower berms, strips sharing a platform)")
    if supply < vmin:
        raise InputError(
            f"The refilling strip of period {k} ({cells} cells) cannot hold as little as its "
            f"supply of {supply:.6g} m3: with its platform on the seam floor, the walls at "
            f"{np.degrees(np.arctan(geom.wall_tan)):.3g} degrees rising inside it to the "
            f"higher ground around it already hold {vmin:.6g} m3. Check the supply (v_supply) "
            f"of that period and the seam floor there{other}, or use DESIGN = single platform.")
    floor_mid = float(np.median(geom.floor))
    ground = geom.ground[2]
    if ground.size and floor_mid > float(ground.max()) + benches.height:
        raise InputError(
            f"The refilling strip of period {k} ({cells} cells) cannot hold its supply of "
            f"{supply:.6g} m3: the seam floor under it (median {floor_mid:.1f} m) lies above "
            f"the ground around it (at most {float(ground.max()):.1f} m), so the benches "
            "would have to start below the floor. Check FLOOR against the DEM (same units "
            "and vertical datum?).")
    left = ", even as one platform over the whole dump" if adapt else ""
    raise (Unbuildable if adapt else InputError)(
        f"The refilling strip of period {k} ({cells} cells) cannot hold its supply of "
        f"{supply:.6g} m3 on a terraced platform{left}: benches in lifts of "
        f"{benches.height:g} m rising from its lower edges meet inside it; it holds at most "
        f"{vmax:.6g} m3, {vmax / (cells * cell_area):.1f} m above the floor on average, where "
        f"its supply needs {supply / (cells * cell_area):.1f} m. Use narrower berms, steeper "
        "faces or higher benches, a plan whose supply per strip is nearer the strip's "
        f"capacity (PLAN = optimized){other}, or DESIGN = single platform.")


def per_strip_surface(ground, floor, refilling, sup, present, dx, dy, *, benches, progress,
                      adapt=True):
    """The per-strip design, settled (:class:`Settling`); returns the surface (nan off
    the dump), the groups of periods sharing a platform and, by period, a dict of
    arrays: level, wall (angle, degrees), berm (width used, m), encroached (cells of
    other strips its benches cover) and held (m3 its platform holds, of its group)."""
    done = Settling(refilling, ground, floor, sup, present, dx, dy, benches, adapt)
    progress(20)
    done.run(progress.sub(20, 95))
    by = {k: np.full(len(sup), np.nan) for k in ("level", "wall", "berm", "encroached",
                                                  "held")}
    for g, members in done.members.items():
        by["level"][members] = done.levels[g]
        by["wall"][members] = np.degrees(np.arctan(done.geoms[g].wall_tan))
        by["berm"][members] = done.berm[g]
        by["encroached"][members] = done.encroached[g]
        by["held"][members] = done.held[g]
    groups = [m for m in done.members.values() if len(m) > 1]
    return done.surface, groups, by


def single_platform_surface(dem_or, floor, dump, mine, total, dx, dy, *, bench_height,
                            face_angle, berm_width, progress):
    """The dump surface of the single-platform design (see the module doc) and T."""
    area = dx * dy
    outside = ~dump
    if not outside.any():
        raise InputError("The dump covers the whole grid; give a DEM that extends beyond it.")
    d, (ir, ic) = lf.edt(outside, dx, dy, indices=True)
    ref = np.where(np.isfinite(dem_or), dem_or, np.nanmin(dem_or[mine]))
    z_edge = ref[ir, ic][dump]
    dd = np.maximum(d[dump] - 0.5 * min(dx, dy), 0.0)
    H = float(bench_height)
    P = H / np.tan(np.radians(float(face_angle))) + float(berm_width)
    cone = z_edge + dd * (H / P)
    zf = floor[dump]

    def volume(top):
        return float(((terrace_surface(cone, top, zf, H, face_angle, berm_width) - zf)
                      * area).sum())

    lo, hi = float(zf.min()), float(cone.max())
    if volume(hi) < total:
        raise InputError(
            f"The supply ({total:.6g} m3) does not fit in a terraced dump rising from the "
            f"edge of the refilled area: benches of {H:g} m with {face_angle:g} degree faces "
            f"and {berm_width:g} m berms hold at most {volume(hi):.6g} m3 there. Use "
            "narrower berms, steeper faces or higher benches.")
    vlo, vhi = volume(lo), volume(hi)
    for i in range(200):
        if i % 16 == 0:
            progress(80 * i / 200)
        mid = 0.5 * (lo + hi)
        vm = volume(mid)
        if vm < total:
            lo, vlo = mid, vm
        else:
            hi, vhi = mid, vm
        if hi - lo <= 1e-12 * max(abs(hi), 1.0) or abs(vm - total) <= 1e-12 * max(total, 1.0):
            break
    # V is linear in T between breakpoints: finish on the bracket's linear piece
    top = lo + (total - vlo) / (vhi - vlo) * (hi - lo) if vhi > vlo else 0.5 * (lo + hi)
    if abs(volume(top) - total) > abs(volume(mid) - total):
        top = mid
    surf = np.full(dump.shape, np.nan)
    surf[dump] = terrace_surface(cone, top, zf, H, face_angle, berm_width)
    return surf, float(top)


def check_parameters(design, bench_height, face_angle, wall_angle, berm_width):
    """Stop on a design or bench geometry that cannot be built."""
    if design not in DESIGNS:
        raise InputError(f"Unknown TDL design {design!r}; use one of {', '.join(DESIGNS)}.")
    if not bench_height > 0:
        raise InputError("The bench height must be > 0 m.")
    if not 0 < face_angle < 90:
        raise InputError("The face angle must be between 0 and 90 degrees.")
    if not 0 < wall_angle < 90:
        raise InputError("The wall angle must be between 0 and 90 degrees.")
    if not berm_width >= 0:
        raise InputError("The berm width must be >= 0 m.")


def _single_platform_levels(sup, present, top):
    """(levels, walls, groups, by-strip figures) of the single-platform design."""
    levels = np.full(len(sup), np.nan)
    levels[present] = top
    walls, groups = np.full(len(sup), np.nan), [[int(k) for k in present]]
    by = {"berm": np.full(len(sup), np.nan), "encroached": np.zeros(len(sup)), "held": None}
    return levels, walls, groups, by


def _held_errors(design, sup, present, total, vols, groups, by):
    """The volume each strip's platform holds (its own cells above the floor,
    plus the earth its benches put on other strips' cells; of its group where
    strips share one) and its relative error against the supply it holds,
    per period."""
    held, gerr = sup.copy(), np.full(len(sup), np.nan)
    if design == "strips":
        held[present] = by["held"][present]
        gerr[present] = np.abs(held[present] - sup[present]) / np.maximum(sup[present],
                                                                          1e-300)
        for m in groups:
            s_g = float(sup[m].sum())
            gerr[m] = abs(float(by["held"][m[0]]) - s_g) / max(s_g, 1e-300)
            held[m] = vols[m]
    else:
        gerr[present] = abs(float(vols[present].sum()) - total) / max(total, 1e-300)
    return held, gerr


def traditional_landform(dem_or, floor, mining, refilling, supply, dx, dy, *, design="strips",
                         bench_height=10.0, face_angle=33.0, berm_width=30.0, wall_angle=None,
                         adapt=True, pit_angles=lf.PIT_ANGLES, progress=None):
    """The terraced landform TDL (see the module doc; eq. 6 volumes).

    supply: V_g per period (dict or array indexed by period).  design:
    "strips" (each refilling strip holds its own supply on its platform) or
    "single" (one platform holds the total).  bench_height (m), face_angle
    (degrees, 0 < alpha < 90), berm_width (m, >= 0), wall_angle: the wall
    where a platform is below the ground (degrees; default the pit's
    dump-side angle, pit_angles[2]).  adapt: True (every step of ADAPT_STEPS),
    False, or the steps to use: where a strip cannot hold its supply, steepen its
    walls ("walls"), let its benches stand on its settled neighbours' platforms
    ("encroach"), narrow its berms ("berms"), let it share a platform with its
    neighbour ("share"; see :class:`Settling`) and, with "share", where even one
    platform over the whole dump cannot hold it under benches from every edge,
    build the single-platform design (``fallback`` says why) instead of stopping
    with an InputError.
    """
    progress = as_progress(progress)
    lf.check_same_shape(INPUT=dem_or, FLOOR=floor, mining=mining, refilling=refilling)
    wall_angle = float(pit_angles[2] if wall_angle is None else wall_angle)
    check_parameters(design, bench_height, face_angle, wall_angle, berm_width)
    dem_or, floor, mining, refilling, dump, pit, mine = lf.prepare_plan(
        dem_or, floor, mining, refilling)
    sup, _ = lf.merge_empty_strips(refilling, lf.supply_by_period(refilling, supply))
    present = np.unique(refilling[dump])
    total = float(sup[present].sum())
    area = dx * dy
    progress(2)
    pit_z = lf.pit_surface(dem_or, floor, mining, refilling, dx, dy, pit_angles)
    fallback = ""
    if design == "strips":
        ground = np.where(pit, pit_z, dem_or)
        ground[dump] = np.nan
        benches = Benches(float(floor[dump].min()), float(bench_height),
                          float(np.tan(np.radians(face_angle))), float(berm_width),
                          float(np.tan(np.radians(wall_angle))))
        try:
            surf, groups, by = per_strip_surface(
                ground, floor, refilling, sup, present, dx, dy, benches=benches,
                progress=progress.sub(5, 90), adapt=adapt)
            levels, walls = by["level"], by["wall"]
            top = float(np.nanmax(levels))
        except Unbuildable as e:        # only with adapt: the last resort, said so
            design, fallback = "single", str(e)
    if design == "single":
        try:
            surf, top = single_platform_surface(dem_or, floor, dump, mine, total, dx, dy,
                                                bench_height=bench_height,
                                                face_angle=face_angle, berm_width=berm_width,
                                                progress=progress.sub(5, 90))
        except InputError as e:
            if not fallback:
                raise
            raise InputError(f"{fallback} The single-platform design, tried last, fails "
                             f"too: {e}") from None
        levels, walls, groups, by = _single_platform_levels(sup, present, top)
    z = lf.assemble(dem_or, surf, pit, dump, pit_z)
    slope = lf.slope_degrees(z, dx, dy)
    vols = lf.strip_volumes(z, floor, refilling, area, len(sup))
    single = lf.volume_errors(z, floor, refilling, sup, area)
    held, gerr = _held_errors(design, sup, present, total, vols, groups, by)
    progress(100)
    return TerraceResult(landform=z, dump=dump, pit=pit, design=design, top_elevation=top,
                         volume=float(((z[dump] - floor[dump]) * area).sum()),
                         total_supply=total, mean_slope=float(np.nanmean(slope[dump])),
                         max_slope=float(np.nanmax(slope[dump])), levels=levels, supply=sup,
                         strip_volume=vols, held=held, groups=groups, wall_angle=walls,
                         strip_error=gerr, plan_error=single, fallback=fallback,
                         berm=by["berm"], encroached=by["encroached"],
                         quality=design_quality(z, dump, dx, dy))
