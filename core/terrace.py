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
    W_i = min over the cells j around the strip at a lower level b_j of X(b_j) + d_ij,
    w_i = max over the ground cells j around the strip of g_j - d_ij tan(beta),

with d_ij the distance from cell i's centre to the edge of cell j, b_j the
platform of a neighbour strip or the ground g_j (dem_or outside the mine,
the pit surface on the final pit), beta the inner-dump wall angle.  So where
the platform stands above its neighbour or the ground the drop is made of
benches inside the strip, where it stands below the ground the wall rises
at beta inside the strip, and the strip keeps its volume: T_n solves
sum_i (z_i - H_fd) L_t^2 = S_n exactly (``clip_level``: z_i is
clip(T, lo_i, hi_i), piecewise linear in T).  A strip's benches depend only
on its lower neighbours, so the strips are settled from the lowest up
(``settle_strips``): the unsettled strip with the lowest level found
against its settled neighbours is final, because benches toward a
neighbour settled later could only raise the others.

**Single platform** (``design="single"``): the whole dump holds the total
supply under one flat top T with benches rising from the dump's edge:
d = distance from the edge, z_e = dem_or at the nearest cell outside, the
cone c = z_e + d H / P, y = c - T, k = floor(y / H), q = (y - k H) P / H,

    z = max(H_fd, min(T, T + k H + min(H, q tan alpha))),

T by bisection (berms at T - H, T - 2 H, ...).
"""
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from . import landform as lf
from .errors import InputError, as_progress
from .quality import design_quality

DESIGNS = ("strips", "single")


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
    strip_error: np.ndarray       # |V_n - S'_n| / S'_n against the held supply S'
    plan_error: np.ndarray        # |V_n - S_n| / S_n against the plan's supply S
    held: np.ndarray              # supply held by period, S' (S after carrying excess)
    carried: list                 # (from period, to period, m3) of excess carried on
    wall_angle: np.ndarray        # wall angle used by period (degrees; nan: single)
    quality: object = None        # core.quality.Quality of the landform over the dump

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


class StripGeometry:
    """One refilling strip: its cells, the cells around it (8-neighbour ring) and
    the running W_i (min over its lower edges of X(b_j) + d_ij, see the module doc).

    Work is cells x ring cells, chunked; the ring of a neighbour strip is added
    once, when that neighbour is settled, with the neighbour's surface there.
    """

    CHUNK = 1_000_000

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
        self.w = self.reduce(self.ground[0], self.ground[1], benches.face_start(g_j[gm]),
                             np.min)
        self.w0, self.tanb = self.w, benches.tanb
        self.wall0 = self.walls(benches.tanb)
        self.reset()

    def reset(self):
        """Back to the ground-only edges and the walls at beta (a new settling)."""
        self.w, self.wall, self.wall_tan = self.w0, self.wall0, self.tanb

    def reduce(self, rj, cj, values, how):
        """how(values_j + d_ij) over j for every cell i (how = np.min), or
        how(values_j - d_ij) when ``how`` is np.max; +-inf without ring cells."""
        sign = 1.0 if how is np.min else -1.0
        out = np.full(self.ri.size, sign * np.inf)
        if rj.size == 0:
            return out
        step = max(1, self.CHUNK // rj.size)
        for s in range(0, self.ri.size, step):
            d = edge_distance(self.ri[s:s + step], self.ci[s:s + step], rj, cj,
                              self.dx, self.dy)
            out[s:s + step] = how(values[None, :] + sign * d, axis=1)
        return out

    def walls(self, tanb):
        """w_i = max over the ground ring of g_j - d_ij tan(beta)."""
        rj, cj, g = self.ground
        return self.reduce(rj, cj, g / tanb, np.max) * tanb if rj.size else \
            np.full(self.ri.size, -np.inf)

    def add_neighbour(self, k, surface, benches):
        """Neighbour strip k is settled: its surface on the ring is a lower edge."""
        rj, cj = self.rings[k]
        self.w = np.minimum(self.w, self.reduce(rj, cj, benches.face_start(surface[rj, cj]),
                                                np.min))

    def bounds(self, benches):
        """(lo, hi) of z_i = clip(T, lo_i, hi_i)."""
        fin = np.isfinite(self.w)
        stairs = np.where(fin, benches.staircase(np.where(fin, self.w, 0.0)), np.inf)
        lo = np.maximum(self.floor, self.wall)
        return lo, np.maximum(lo, stairs)

    def level(self, benches, supply, cell_area):
        """(T, lo, hi, v_min, v_max): sum (clip(T, lo, hi) - H_fd) L_t^2 = supply."""
        lo, hi = self.bounds(benches)
        base = float(self.floor.sum())
        target = supply / cell_area + base
        cap = float(lo.max()) + max(target - float(lo.sum()), 0.0) + 1.0
        top, vmin, vmax = clip_level(lo, np.minimum(hi, cap), target)
        vmax = np.inf if np.isinf(hi).any() else vmax
        return top, lo, hi, (vmin - base) * cell_area, (vmax - base) * cell_area

    def steepen(self, benches, supply, cell_area):
        """Walls at the face angle (the steepest a dump face stands); False when even
        they hold more than ``supply`` with the platform on the floor."""
        self.wall, self.wall_tan = self.walls(benches.tana), benches.tana
        return self.level(benches, supply, cell_area)[3] <= supply


class Restart(Exception):
    """Excess was carried to a strip already settled: settle again from the start."""


class Settling:
    """The strips settled from the lowest up (see the module doc), with the two
    fallbacks: a strip whose walls at beta hold more than its supply gets its walls
    at the face angle (its platform as high as its earth allows); a strip whose benches meet before its platform
    holds its supply is built to that capacity and its excess goes to the nearest
    unsettled strip in the period order (the next period first)."""

    def __init__(self, geoms, supply, benches, cell_area, shape, adapt=True):
        self.geoms, self.benches, self.area, self.adapt = geoms, benches, cell_area, adapt
        self.held = np.array(supply, dtype=np.float64)      # supply after carrying
        self.levels = np.full(len(supply), np.nan)
        self.surface = np.full(shape, np.nan)
        self.carried = []                                    # (from, to, m3)
        self.full = set()                                    # strips at capacity
        self.cand = {}

    def evaluate(self, k):
        g = self.geoms[k]
        c = g.level(self.benches, self.held[k], self.area)
        if self.held[k] < c[3] and g.wall_tan < self.benches.tana and self.adapt:
            if not g.steepen(self.benches, self.held[k], self.area):
                raise_unfit(k, g, c, self.held[k], self.benches, self.area, self.adapt)
            c = g.level(self.benches, self.held[k], self.area)
        if self.held[k] > c[4] and self.adapt:
            self.carry(k, self.held[k] - c[4])
            c = g.level(self.benches, self.held[k], self.area)
        if not np.isfinite(c[0]):
            raise_unfit(k, g, c, self.held[k], self.benches, self.area, self.adapt)
        self.cand[k] = c

    def carry(self, k, excess):
        """Strip k is full: its excess goes to the nearest strip that is not full, the
        later periods first, else the earlier ones.  An unsettled one is re-evaluated;
        a settled one invalidates the order, so the settling starts again (with k
        full: it receives no more)."""
        self.full.add(k)
        free = [q for q in self.geoms if q not in self.full]
        order = sorted(q for q in free if q > k) + sorted((q for q in free if q < k),
                                                          reverse=True)
        if not order:
            raise_unfit(k, self.geoms[k], self.geoms[k].level(self.benches, self.held[k],
                                                              self.area),
                        self.held[k], self.benches, self.area)
        q = order[0]
        self.held[k] -= excess
        self.held[q] += excess
        self.carried.append((k, q, float(excess)))
        if q not in self.cand:
            raise Restart()
        self.evaluate(q)

    def run(self, progress):
        """Settle every strip; on :class:`Restart` start again with the supply as carried
        so far."""
        for _ in range(2 * len(self.geoms) + 2):
            try:
                return self.settle(progress)
            except Restart:
                self.levels[:] = np.nan
                self.surface[:] = np.nan
        raise InputError("The terraced strips did not settle; use DESIGN = single platform.")

    def settle(self, progress):
        self.cand = {}
        for k, g in self.geoms.items():
            g.reset()
            self.cand[k] = None
        for k in list(self.geoms):
            self.evaluate(k)
        for i in range(len(self.geoms)):
            if i % 8 == 0:
                progress(100.0 * i / len(self.geoms))
            k = min(self.cand, key=lambda q: self.cand[q][0])
            top, lo, hi = self.cand.pop(k)[:3]
            g = self.geoms[k]
            self.levels[k] = top
            self.surface[g.ri, g.ci] = np.clip(top, lo, hi)
            for q in g.rings:
                if q in self.cand:
                    self.geoms[q].add_neighbour(k, self.surface, self.benches)
                    self.evaluate(q)
        return self


def raise_unfit(k, geom, cand, supply, benches, cell_area, adapt=True):
    """InputError naming the strip whose supply cannot be held, with the figures and the fix."""
    vmin, vmax = cand[3], cand[4]
    cells = geom.floor.size
    other = ("" if adapt else ", let the strips adapt (ADAPT: steeper walls, excess carried "
             "to the next strip)")
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
    left = ", and no unsettled strip is left to take the excess" if adapt else ""
    raise InputError(
        f"The refilling strip of period {k} ({cells} cells) cannot hold its supply of "
        f"{supply:.6g} m3 on a terraced platform{left}: benches in lifts of "
        f"{benches.height:g} m rising from its lower edges meet inside it; it holds at most "
        f"{vmax:.6g} m3, {vmax / (cells * cell_area):.1f} m above the floor on average, where "
        f"its supply needs {supply / (cells * cell_area):.1f} m. Use narrower berms, steeper "
        "faces or higher benches, a plan whose supply per strip is nearer the strip's "
        f"capacity (PLAN = optimized){other}, or DESIGN = single platform.")


def per_strip_surface(ground, floor, refilling, sup, present, dx, dy, benches, progress,
                      adapt=True):
    """The per-strip design: the settled :class:`Settling` (surface nan off the dump,
    levels, held supply, carried volumes) and the wall angle of every strip."""
    rows, cols = refilling.shape
    windows = ndimage.find_objects(refilling)
    geoms = {}
    for i, k in enumerate(present):
        w = windows[k - 1]
        w = (slice(max(w[0].start - 1, 0), min(w[0].stop + 1, rows)),
             slice(max(w[1].start - 1, 0), min(w[1].stop + 1, cols)))
        geoms[int(k)] = StripGeometry(int(k), w, refilling, ground, floor, dx, dy, benches)
        if i % 8 == 0:
            progress(40.0 * i / len(present))
    done = Settling(geoms, sup, benches, dx * dy, refilling.shape, adapt).run(
        progress.sub(40, 95))
    walls = np.full(len(sup), np.nan)
    for k, g in geoms.items():
        walls[k] = np.degrees(np.arctan(g.wall_tan))
    return done, walls


def single_platform_surface(dem_or, floor, dump, mine, total, dx, dy, bench_height,
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


def traditional_landform(dem_or, floor, mining, refilling, supply, dx, dy, *, design="strips",
                         bench_height=10.0, face_angle=33.0, berm_width=30.0, wall_angle=None,
                         adapt=True, pit_angles=lf.PIT_ANGLES, progress=None):
    """The terraced landform TDL (see the module doc; eq. 6 volumes).

    supply: V_g per period (dict or array indexed by period).  design:
    "strips" (each refilling strip holds its own supply on its platform) or
    "single" (one platform holds the total).  bench_height (m), face_angle
    (degrees, 0 < alpha < 90), berm_width (m, >= 0), wall_angle: the wall
    where a platform is below the ground (degrees; default the pit's
    dump-side angle, pit_angles[2]).  adapt: where a strip cannot hold its
    supply, steepen its walls / carry its excess on (see :class:`Settling`)
    instead of stopping with an InputError.
    """
    progress = as_progress(progress)
    shape = lf.check_same_shape(INPUT=dem_or, FLOOR=floor, mining=mining, refilling=refilling)
    wall_angle = float(pit_angles[2] if wall_angle is None else wall_angle)
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
    dem_or, floor, mining, refilling, dump, pit, mine = lf.prepare_plan(
        dem_or, floor, mining, refilling)
    sup, _ = lf.merge_empty_strips(refilling, lf.supply_by_period(refilling, supply))
    present = np.unique(refilling[dump])
    total = float(sup[present].sum())
    area = dx * dy
    progress(2)
    pit_z = lf.pit_surface(dem_or, floor, mining, refilling, dx, dy, pit_angles)
    if design == "single":
        surf, top = single_platform_surface(dem_or, floor, dump, mine, total, dx, dy,
                                            bench_height, face_angle, berm_width,
                                            progress.sub(5, 90))
        levels = np.full(len(sup), np.nan)
        levels[present] = top
        held, carried, walls = sup, [], np.full(len(sup), np.nan)
    else:
        ground = np.where(pit, pit_z, dem_or)
        ground[dump] = np.nan
        benches = Benches(float(floor[dump].min()), float(bench_height),
                          float(np.tan(np.radians(face_angle))), float(berm_width),
                          float(np.tan(np.radians(wall_angle))))
        done, walls = per_strip_surface(ground, floor, refilling, sup, present, dx, dy,
                                        benches, progress.sub(5, 90), adapt)
        surf, levels, held, carried = done.surface, done.levels, done.held, done.carried
        top = float(np.nanmax(levels))
    z = lf.assemble(dem_or, surf, pit, dump, pit_z)
    slope = lf.slope_degrees(z, dx, dy)
    vols = lf.strip_volumes(z, floor, refilling, area, len(sup))
    progress(100)
    return TerraceResult(landform=z, dump=dump, pit=pit, design=design, top_elevation=top,
                         volume=float(((z[dump] - floor[dump]) * area).sum()),
                         total_supply=total, mean_slope=float(np.nanmean(slope[dump])),
                         max_slope=float(np.nanmax(slope[dump])), levels=levels, supply=sup,
                         strip_volume=vols, held=held, carried=carried, wall_angle=walls,
                         strip_error=lf.volume_errors(z, floor, refilling, held, area),
                         plan_error=lf.volume_errors(z, floor, refilling, sup, area),
                         quality=design_quality(z, dump, dx, dy))
