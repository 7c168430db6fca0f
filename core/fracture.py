"""Discrete fracture network (DFN) of discs and its traces on a horizontal plane.

From the paste-filling / DFN / damage paper, sections 2.3 and 2.4 (the text is
partly garbled and its equations are missing; the model is the standard
disc DFN it describes):

* shape: flat circular discs characterised by their diameter D;
* size (2.3): a power law, ``n(D) ~ D^-a`` on ``[D_min, D_max]`` (the truncated
  power law), whose cumulative distribution is

      F(D) = (D_min^(1-a) - D^(1-a)) / (D_min^(1-a) - D_max^(1-a))     (a != 1)
      F(D) = ln(D / D_min) / ln(D_max / D_min)                          (a == 1)

  and a diameter is drawn by inverting it, ``D = F^-1(u)``, u ~ U(0, 1);
* position (2.4): centres independent and uniform in the box; each candidate
  gets a random P in (0, 1) and is kept (beta = 1) when ``P < Prob`` and
  abandoned otherwise (beta = 0), until the termination condition (a number
  of discs or the intensity P32) is reached; here ``Prob`` is a constant or a
  function of the position (e.g. read from a probability raster);
* orientation (2.4): Fisher distribution around the mean pole with
  concentration kappa, ``f(theta) ~ exp(kappa cos theta) sin theta``, sampled by
  ``cos theta = 1 + ln(1 - u (1 - exp(-2 kappa))) / kappa``, phi = 2 pi v
  (Fisher, Lewis & Embleton 1987); its mean resultant length is
  ``E[cos theta] = coth(kappa) - 1/kappa``;
* intensity: ``P32 = sum(pi D^2 / 4) / V`` (disc area per unit box volume).

Traces: the intersection of each disc with the horizontal plane z = z0 is a
chord of the disc; a disc lying in that plane (dip 0 at the plane's
elevation) gives its whole circle.  ``P21 = sum(trace length) / plan area``.
"""
from dataclasses import dataclass, field

import numpy as np

from .errors import InputError, as_progress

#: a disc this close to horizontal (sin dip) and to the plane (x radius) lies in it
_FLAT = 1e-12
_COPLANAR = 1e-9
CIRCLE_SEGMENTS = 72


# --- sizes ------------------------------------------------------------------

def _check_sizes(exponent, d_min, d_max):
    if not (np.isfinite(exponent) and np.isfinite(d_min) and np.isfinite(d_max)):
        raise InputError("The power-law exponent and the diameters must be numbers.")
    if not 0 < d_min <= d_max:
        raise InputError(f"The diameters must satisfy 0 < D_min <= D_max (got D_min = "
                         f"{d_min:g}, D_max = {d_max:g}).")


def power_law_cdf(d, exponent, d_min, d_max):
    """F(D) of the truncated power law n(D) ~ D^-a on [D_min, D_max]."""
    d = np.clip(np.asarray(d, dtype=np.float64), d_min, d_max)
    if d_max == d_min:
        return (d >= d_max).astype(float)
    a = float(exponent)
    if abs(a - 1.0) < 1e-12:
        return np.log(d / d_min) / np.log(d_max / d_min)
    e = 1.0 - a
    return (d_min ** e - d ** e) / (d_min ** e - d_max ** e)


def power_law_inverse(u, exponent, d_min, d_max):
    """D = F^-1(u) for u in [0, 1] (inverse-CDF sampling of the truncated power law)."""
    u = np.asarray(u, dtype=np.float64)
    if d_max == d_min:
        return np.full(u.shape, float(d_min))
    a = float(exponent)
    if abs(a - 1.0) < 1e-12:
        return d_min * (d_max / d_min) ** u
    e = 1.0 - a
    return (d_min ** e - u * (d_min ** e - d_max ** e)) ** (1.0 / e)


# --- orientations -----------------------------------------------------------

def pole_from_orientation(dip_direction, dip):
    """Upward unit normal (east, north, up) of a plane with this dip direction and dip (deg)."""
    dd, dp = np.radians(dip_direction), np.radians(dip)
    return np.stack([np.sin(dp) * np.sin(dd), np.sin(dp) * np.cos(dd), np.cos(dp)], axis=-1)


def orientation_from_normal(normals):
    """(dip direction 0..360, dip 0..90) in degrees of planes with these normals.

    The sign of a normal does not matter: it is first turned upward.
    """
    n = np.asarray(normals, dtype=np.float64).reshape(-1, 3)
    n = np.where(n[:, 2:3] < 0, -n, n)
    dip = np.degrees(np.arccos(np.clip(n[:, 2], -1.0, 1.0)))
    dd = np.degrees(np.arctan2(n[:, 0], n[:, 1])) % 360.0
    return dd, dip


def fisher_cos_theta(u, kappa):
    """cos(theta) of Fisher(kappa) from u ~ U(0, 1): 1 + ln(1 - u (1 - e^(-2 kappa))) / kappa."""
    u = np.asarray(u, dtype=np.float64)
    if kappa <= 0:
        return 1.0 - 2.0 * u                     # kappa = 0: uniform on the sphere
    return 1.0 + np.log1p(u * np.expm1(-2.0 * kappa)) / kappa


def fisher_vectors(mean_pole, kappa, u, v):
    """Unit vectors Fisher-distributed around ``mean_pole`` from uniforms u, v."""
    m = np.asarray(mean_pole, dtype=np.float64)
    m = m / np.linalg.norm(m)
    helper = np.array([1.0, 0.0, 0.0]) if abs(m[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    e1 = np.cross(helper, m)
    e1 /= np.linalg.norm(e1)
    e2 = np.cross(m, e1)
    ct = fisher_cos_theta(u, kappa)
    st = np.sqrt(np.clip(1.0 - ct * ct, 0.0, None))
    phi = 2.0 * np.pi * np.asarray(v, dtype=np.float64)
    return ((st * np.cos(phi))[:, None] * e1 + (st * np.sin(phi))[:, None] * e2
            + ct[:, None] * m)


def fisher_mean_resultant(kappa):
    """Expected mean resultant length of Fisher(kappa): coth(kappa) - 1/kappa."""
    if kappa <= 0:
        return 0.0
    return 1.0 / np.tanh(kappa) - 1.0 / kappa


# --- the network -------------------------------------------------------------

@dataclass
class FractureNetwork:
    centres: np.ndarray              # (n, 3) x, y, z
    diameters: np.ndarray            # (n,)
    normals: np.ndarray              # (n, 3) unit normals as sampled (Fisher)
    dip_direction: np.ndarray        # (n,) degrees
    dip: np.ndarray                  # (n,) degrees
    box: tuple                       # (xmin, ymin, zmin, xmax, ymax, zmax)
    candidates: int = 0              # centres drawn (accepted or not)
    traces: list = field(default_factory=list)   # (disc index, (k, 2) xy, length)
    trace_elevation: float = np.nan

    @property
    def count(self):
        return int(self.diameters.size)

    @property
    def areas(self):
        return np.pi * self.diameters ** 2 / 4.0

    @property
    def volume(self):
        xmin, ymin, zmin, xmax, ymax, zmax = self.box
        return (xmax - xmin) * (ymax - ymin) * (zmax - zmin)

    @property
    def p32(self):
        """Disc area per unit volume of the box (m2/m3)."""
        return float(self.areas.sum() / self.volume)

    @property
    def p21(self):
        """Trace length per unit plan area of the box (m/m2) on the trace plane."""
        xmin, ymin, _, xmax, ymax, _ = self.box
        return float(sum(t[2] for t in self.traces) / ((xmax - xmin) * (ymax - ymin)))


def _check_box(box):
    xmin, ymin, zmin, xmax, ymax, zmax = [float(v) for v in box]
    if not (xmax > xmin and ymax > ymin):
        raise InputError("The extent of the fracture network is empty; give an extent with "
                         "a positive width and height.")
    if not zmax > zmin:
        raise InputError(f"The depth range is empty: the maximum elevation ({zmax:g}) must be "
                         f"above the minimum ({zmin:g}).")
    return xmin, ymin, zmin, xmax, ymax, zmax


#: D_max may be at most this many times the box's diagonal
MAX_DIAMETER_FACTOR = 10.0


def check_max_diameter(d_max, d_min, box):
    """Upper bound of D_MAX: at most MAX_DIAMETER_FACTOR x the box's diagonal.

    A disc much wider than the box crosses it many times over: its trace runs
    up to D_max long far outside the box (a trace line of 1e15 m for
    D_max = 1e15), and the few largest discs alone hold most of the disc area
    P32 counts, so nothing inside the box is being modelled any more."""
    xmin, ymin, zmin, xmax, ymax, zmax = box
    diag = float(np.sqrt((xmax - xmin) ** 2 + (ymax - ymin) ** 2 + (zmax - zmin) ** 2))
    if d_max > MAX_DIAMETER_FACTOR * diag:
        raise InputError(
            f"Parameter D_MAX = {d_max:g} m is more than {MAX_DIAMETER_FACTOR:g} times the "
            f"diagonal of the box ({diag:.4g} m): such discs cross the whole box many times "
            "over, their traces run up to D_MAX long far outside it and the few largest "
            "discs alone hold most of P32. Use a D_MAX between D_MIN "
            f"({d_min:g} m) and the size of the box (at most {MAX_DIAMETER_FACTOR * diag:.4g} m"
            "), or a larger box.")


def _check_orientation(dip, kappa):
    if not 0 <= dip <= 90:
        raise InputError(f"The mean dip must be between 0 and 90 degrees (got {dip:g}).")
    if kappa < 0:
        raise InputError("The Fisher concentration kappa must be >= 0 (0 = uniform).")


def _target(count, p32, volume, exponent, d_min, d_max, max_discs):
    """(count, target disc area) of the termination condition, checked."""
    if (count is None) == (p32 is None):
        raise InputError("Give either a number of discs or a target P32 intensity.")
    if count is not None:
        count = int(count)
        if count < 1:
            raise InputError("The number of discs must be at least 1.")
        if count > max_discs:
            raise InputError(f"{count} discs is more than the limit of {max_discs}; use a "
                             "smaller box or a lower count.")
        return count, None
    if not p32 > 0:
        raise InputError("The target P32 intensity must be > 0 (m2 of disc per m3).")
    target_area = float(p32) * volume
    expected = target_area / (np.pi / 4.0 * _mean_d2(exponent, d_min, d_max))
    if expected > max_discs:
        raise InputError(
            f"P32 = {p32:g} m2/m3 in a box of {volume:.4g} m3 needs about {expected:.0f} "
            f"discs, more than the limit of {max_discs}; lower P32, raise D_min or use a "
            "smaller box.")
    return None, target_area


def _acceptance(acceptance):
    """(constant probability or None, function or None) of ``acceptance``."""
    if callable(acceptance):
        return None, acceptance
    p = float(acceptance)
    if not 0 < p <= 1:
        raise InputError(f"The acceptance probability must be in (0, 1] (got {p:g}).")
    return p, None


class _DiscSampler:
    """State of one :func:`generate_network` draw: the random stream, the
    accepted discs so far and the termination condition (count or area)."""

    def __init__(self, box, exponent, d_min, d_max, dip_direction, dip, kappa, count,
                 target_area, acceptance, seed, max_discs, batch):
        xmin, ymin, zmin, xmax, ymax, zmax = box
        self.exponent, self.d_min, self.d_max, self.kappa = exponent, d_min, d_max, kappa
        self.count, self.target_area = count, target_area
        self.p, self.accept_fn = _acceptance(acceptance)
        self.rng = np.random.default_rng(None if seed is None else int(seed))
        self.pole = pole_from_orientation(dip_direction, dip)
        self.lo = np.array([xmin, ymin, zmin])
        self.span = np.array([xmax - xmin, ymax - ymin, zmax - zmin])
        self.max_discs, self.batch = max_discs, batch
        self.max_candidates = max(100 * max_discs, 10 ** 7)
        self.parts_c, self.parts_d, self.parts_n = [], [], []
        self.n_done, self.area_done, self.candidates = 0, 0.0, 0

    def _stop(self, kept, d):
        """How many of this batch's kept discs end the draw (None: all, go on)."""
        if self.count is not None and self.n_done + kept.size >= self.count:
            return self.count - self.n_done
        if self.target_area is not None:
            cum = self.area_done + np.cumsum(np.pi * d * d / 4.0)
            hit = np.flatnonzero(cum >= self.target_area)
            if hit.size:
                return int(hit[0]) + 1
        return None

    def draw_batch(self):
        """One batch of candidates (x, y, z, P, u for D, u, v for the
        orientation per candidate); True once the target is reached."""
        r = self.rng.random((self.batch, 7))
        centres = self.lo + r[:, :3] * self.span
        if self.accept_fn is None:
            prob = self.p
        else:
            prob = np.clip(np.nan_to_num(np.asarray(self.accept_fn(*centres.T), float)), 0, 1)
        kept = np.flatnonzero(r[:, 3] < prob)
        d = power_law_inverse(r[kept, 4], self.exponent, self.d_min, self.d_max)
        normals = fisher_vectors(self.pole, self.kappa, r[kept, 5], r[kept, 6])
        stop = self._stop(kept, d)
        if stop is not None:
            self.candidates += int(kept[stop - 1]) + 1 if stop > 0 else 0
            kept, d, normals = kept[:stop], d[:stop], normals[:stop]
        else:
            self.candidates += self.batch
        self.parts_c.append(centres[kept])
        self.parts_d.append(d)
        self.parts_n.append(normals)
        self.n_done += kept.size
        self.area_done += float(np.sum(np.pi * d * d / 4.0))
        return stop is not None

    def check_limits(self):
        if self.n_done > self.max_discs:
            raise InputError(f"More than {self.max_discs} discs are needed; lower the target.")
        if self.candidates >= self.max_candidates:
            raise InputError(
                f"{self.candidates} candidate centres gave only {self.n_done} discs: the "
                "acceptance probability is (almost) zero in the box. Raise it or check that "
                "the probability raster covers the extent.")

    @property
    def fraction(self):
        if self.count is not None:
            return self.n_done / self.count
        return self.area_done / self.target_area

    def network(self, box):
        centres = np.concatenate(self.parts_c) if self.parts_c else np.zeros((0, 3))
        diam = np.concatenate(self.parts_d)
        normals = np.concatenate(self.parts_n) if self.parts_n else np.zeros((0, 3))
        dd, dp = orientation_from_normal(normals)
        return FractureNetwork(centres, diam, normals, dd, dp, box, self.candidates)


def generate_network(box, exponent, d_min, d_max, dip_direction, dip, kappa, *, count=None,
                     p32=None, acceptance=1.0, seed=0, max_discs=200000, batch=4096,
                     progress=None):
    """Draw the discs until ``count`` discs or the intensity ``p32`` is reached.

    ``acceptance``: the probability ``Prob`` in (0, 1] that a candidate centre
    is kept, a constant or ``f(x, y, z) -> array`` (values clipped to 0..1).
    Random numbers are drawn in fixed batches from ``numpy.random.default_rng(seed)``
    (per candidate: x, y, z, P, then u for D and u, v for the orientation),
    so the same seed gives the same network and a smaller target gives a
    prefix of a larger one.  With ``p32`` discs are added until the running
    sum of disc areas first reaches ``p32 * V`` (that disc included).
    ``d_max`` is at most :data:`MAX_DIAMETER_FACTOR` x the box's diagonal
    (:func:`check_max_diameter`).
    """
    progress = as_progress(progress)
    box = _check_box(box)
    _check_sizes(exponent, d_min, d_max)
    check_max_diameter(d_max, d_min, box)
    _check_orientation(dip, kappa)
    xmin, ymin, zmin, xmax, ymax, zmax = box
    volume = (xmax - xmin) * (ymax - ymin) * (zmax - zmin)
    count, target_area = _target(count, p32, volume, exponent, d_min, d_max, max_discs)
    sampler = _DiscSampler(box, exponent, d_min, d_max, dip_direction, dip, kappa, count,
                           target_area, acceptance, seed, max_discs, batch)
    while not sampler.draw_batch():
        sampler.check_limits()
        progress(80.0 * min(sampler.fraction, 1.0))
    net = sampler.network(box)
    progress(80)
    return net


def _mean_d2(a, d_min, d_max):
    """E[D^2] of the truncated power law (for the P32 feasibility check)."""
    if d_max == d_min:
        return d_min ** 2
    d = np.geomspace(d_min, d_max, 2001)
    f = np.diff(power_law_cdf(d, a, d_min, d_max))
    mid = np.sqrt(d[1:] * d[:-1])
    return float(np.sum(f * mid ** 2))


def disc_traces(centres, diameters, normals, elevation, segments=CIRCLE_SEGMENTS):
    """Traces of discs on the horizontal plane z = ``elevation``.

    For a disc of centre c, radius r and upward unit normal n (dip delta,
    ``sin delta = |n_xy|``), with ``h = z0 - c_z``: the plane of the disc
    meets z = z0 along a horizontal line at in-plane distance
    ``d = |h| / sin delta`` from c, through ``m = c + (h / sin delta) s``
    (s the unit up-dip vector of the disc, ``s = (e_z - n_z n) / sin delta``)
    with direction ``t = (n_y, -n_x, 0) / sin delta`` (the strike).  When
    ``d < r`` the trace is the chord ``m +- sqrt(r^2 - d^2) t``.  A
    horizontal disc (sin delta < 1e-12) at the plane's elevation
    (|h| <= 1e-9 r) lies in the plane: its trace is its circle, drawn as a
    closed ring of ``segments`` sides, with length pi D.

    Returns a list of (disc index, (k, 2) array of x, y vertices, length).
    """
    c = np.asarray(centres, dtype=np.float64).reshape(-1, 3)
    r = np.asarray(diameters, dtype=np.float64) / 2.0
    n = np.asarray(normals, dtype=np.float64).reshape(-1, 3)
    n = n / np.linalg.norm(n, axis=1, keepdims=True)
    n = np.where(n[:, 2:3] < 0, -n, n)
    h = float(elevation) - c[:, 2]
    sin_d = np.hypot(n[:, 0], n[:, 1])
    flat = sin_d < _FLAT
    with np.errstate(divide="ignore", invalid="ignore"):
        dist = np.abs(h) / sin_d
        half = np.sqrt(np.clip(r * r - dist * dist, 0.0, None))
        sx = -n[:, 2] * n[:, 0] / sin_d
        sy = -n[:, 2] * n[:, 1] / sin_d
        tx, ty = n[:, 1] / sin_d, -n[:, 0] / sin_d
        mx = c[:, 0] + h / sin_d * sx
        my = c[:, 1] + h / sin_d * sy
    cut = ~flat & (dist < r)
    coplanar = flat & (np.abs(h) <= _COPLANAR * np.maximum(r, 1.0))
    out = []
    ang = np.linspace(0.0, 2.0 * np.pi, int(segments) + 1)
    ang[-1] = 0.0                                        # close the ring exactly
    for i in np.flatnonzero(cut | coplanar):
        if coplanar[i]:
            xy = np.column_stack([c[i, 0] + r[i] * np.cos(ang), c[i, 1] + r[i] * np.sin(ang)])
            out.append((int(i), xy, float(2.0 * np.pi * r[i])))
        else:
            xy = np.array([[mx[i] - half[i] * tx[i], my[i] - half[i] * ty[i]],
                           [mx[i] + half[i] * tx[i], my[i] + half[i] * ty[i]]])
            out.append((int(i), xy, float(2.0 * half[i])))
    return out


def fracture_network(box, exponent, d_min, d_max, dip_direction, dip, kappa, *, count=None,
                     p32=None, acceptance=1.0, seed=0, trace_elevation=None,
                     max_discs=200000, progress=None):
    """Generate the DFN (:func:`generate_network`) and its traces at ``trace_elevation``
    (:func:`disc_traces`; none when it is None)."""
    progress = as_progress(progress)
    net = generate_network(box, exponent, d_min, d_max, dip_direction, dip, kappa,
                           count=count, p32=p32, acceptance=acceptance, seed=seed,
                           max_discs=max_discs, progress=progress.sub(0, 85))
    if trace_elevation is not None:
        net.trace_elevation = float(trace_elevation)
        net.traces = disc_traces(net.centres, net.diameters, net.normals, trace_elevation)
    progress(100)
    return net


def raster_probability(array, grid, scale=1.0):
    """Acceptance function reading a probability raster (0..1) at (x, y).

    Cells with no data and points outside the raster give 0; values are
    multiplied by ``scale`` and clipped to 0..1.
    """
    a = np.asarray(array, dtype=np.float64)
    x0, dx, _, y0, _, dy = grid.transform
    rows, cols = grid.shape

    def prob(x, y, z=None):  # noqa: ARG001 (z: plan raster)
        col = np.floor((np.asarray(x) - x0) / dx).astype(np.int64)
        row = np.floor((np.asarray(y) - y0) / dy).astype(np.int64)
        inside = (col >= 0) & (col < cols) & (row >= 0) & (row < rows)
        out = np.zeros(col.shape)
        out[inside] = a[row[inside], col[inside]]
        return np.clip(np.nan_to_num(out * scale), 0.0, 1.0)
    return prob
