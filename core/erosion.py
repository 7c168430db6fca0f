"""Soil erosion comparison of landforms (Xia et al. 2023, section 1.4,
Table 2 and Fig. 14).

The paper ran the CLiDE landscape evolution model for 10 years on every
landform (PNL, NNDL, MNNDL, TDL) with the surroundings included, and ranked
them by the total eroded volume inside the dump; Fig. 14 shows, per
mining-refilling period (refilling strip), each landform's 10-year erosion
minus PNL's.  :func:`compare_landforms` does the same with either model:

* ``'lem'``: the landscape evolution model of :mod:`core.lem` (stream power,
  Davy & Lague deposition, hillslope diffusion);
* ``'rusle'``: RUSLE (:mod:`core.rusle`), a static annual average.

Per landform, over the AREA mask: eroded volume (m^3, net lowering of the
cells, summed), deposited volume (net raising), exported volume (net sediment
that crossed the AREA edge, from the fluxes), the mean soil loss
``eroded * bulk_density / area_ha / years`` (t ha^-1 yr^-1) and the rank
(1 = least eroded, as Table 2).  Per sub-area (strip): the net loss
``eroded - deposited`` (m^3, negative where more was deposited than eroded,
as the paper's per-period values).  The *first* landform is the reference
(PNL) for the "minus reference" curves of Fig. 14.

**Simulated window.** The paper simulates the dump with 1000 m of its
surroundings, not the whole DEM.  With ``buffer`` (metres) the models run on
the window :func:`simulation_window` gives: the bounding box of the AREA and
sub-area cells widened by ``buffer`` on every side and clipped to the grid.
The window's edge is base level, as the grid edge is (water and sediment that
reach it leave); terrain beyond the window is not simulated, so water that
would flow into the window from beyond it is not counted.  The evolved
surfaces and changes are returned on the window (``ComparisonResult.window``
holds its row and column slices in the given grid).  The default buffer is
:data:`BUFFER` (1000 m); ``buffer=None`` simulates the whole grid.
"""
from dataclasses import dataclass, field

import numpy as np

from . import lem
from . import rusle as rusle_mod
from .errors import InputError, as_progress

MODELS = ("lem", "rusle")
#: metres of surroundings simulated around the area (the paper: the dump with 1000 m)
BUFFER = 1000.0


@dataclass
class LandformErosion:
    name: str
    eroded: float            # m^3 over the run, inside AREA
    deposited: float         # m^3
    exported: float          # m^3 (net, across the AREA edge)
    residual: float          # eroded - deposited - exported (round-off)
    mean_loss: float         # t ha^-1 yr^-1
    rank: int
    strips: np.ndarray       # net loss per sub-area, m^3
    elevation: np.ndarray    # evolved DEM (RUSLE: lowered by the soil loss)
    change: np.ndarray       # m, negative = erosion
    grid_budget: dict = field(default_factory=dict)


@dataclass
class ComparisonResult:
    model: str
    years: float
    area_ha: float
    landforms: list
    strip_labels: list
    reference: str
    #: (row slice, column slice) of the simulated window in the given grid
    window: tuple = (slice(None), slice(None))

    def table(self):
        """Rows for the CSV: landform, eroded, deposited, exported, mean loss, rank."""
        return [(lf.name, lf.eroded, lf.deposited, lf.exported, lf.mean_loss, lf.rank)
                for lf in self.landforms]

    def minus_reference(self):
        """{name: per-strip net loss minus the reference's} for the other landforms."""
        ref = self.landforms[0].strips
        return {lf.name: lf.strips - ref for lf in self.landforms[1:]}


def simulation_window(masks, dx, dy, buffer):
    """(row slice, column slice) of the window the models simulate: the
    bounding box of the True cells of every mask in ``masks``, widened by
    ``buffer`` metres (ceil(buffer / dx) columns, ceil(buffer / dy) rows) on
    every side and clipped to the grid.  ``buffer=None``: the whole grid."""
    masks = [np.asarray(m, dtype=bool) for m in masks]
    shape = masks[0].shape
    if buffer is None:
        return slice(0, shape[0]), slice(0, shape[1])
    if not (np.isfinite(buffer) and buffer >= 0):
        raise InputError(f"The buffer must be zero or a positive number of metres "
                         f"(got {buffer}).")
    rows = np.zeros(shape[0], dtype=bool)
    cols = np.zeros(shape[1], dtype=bool)
    for m in masks:
        rows |= m.any(axis=1)
        cols |= m.any(axis=0)
    if not rows.any():
        raise InputError("The area polygon covers no cell of the landforms' grid.")
    r = [int(i) for i in np.flatnonzero(rows)[[0, -1]]]
    c = [int(i) for i in np.flatnonzero(cols)[[0, -1]]]
    br, bc = int(np.ceil(buffer / dy - 1e-9)), int(np.ceil(buffer / dx - 1e-9))
    return (slice(max(0, r[0] - br), min(shape[0], r[-1] + 1 + br)),
            slice(max(0, c[0] - bc), min(shape[1], c[-1] + 1 + bc)))


def _crop(value, shape, window):
    """An array parameter on the grid cropped to the window (numbers unchanged)."""
    if np.ndim(value) == 2 and np.shape(value) == shape:
        return np.ascontiguousarray(np.asarray(value)[window])
    return value


def _check_landforms(landforms, area, subareas, model, bulk_density):
    """(names, grid shape, area mask, sub-areas) of the inputs, checked."""
    if model not in MODELS:
        raise InputError(f"Unknown erosion model '{model}'; choose one of {', '.join(MODELS)}.")
    if not landforms:
        raise InputError("No landform was given; choose at least one elevation raster.")
    names = [str(n) for n, _ in landforms]
    if len(set(names)) != len(names):
        raise InputError("Two landforms have the same name ({0}); rename the layers so each "
                         "landform has its own name.".format(
                             ", ".join(sorted({n for n in names if names.count(n) > 1}))))
    shape = np.asarray(landforms[0][1]).shape
    for name, z in landforms:
        if np.asarray(z).shape != shape:
            raise InputError(f"Landform '{name}' is not on the same grid as '{names[0]}'.")
    area = np.asarray(area, dtype=bool)
    if area.shape != shape:
        raise InputError("The area mask is not on the landforms' grid.")
    if not (np.isfinite(bulk_density) and bulk_density > 0):
        raise InputError(f"The bulk density must be positive (got {bulk_density} t/m3).")
    subareas = list(subareas or [])
    for label, m in subareas:
        if np.shape(m) != shape:
            raise InputError(f"Sub-area '{label}' is not on the landforms' grid.")
    return names, shape, area, subareas


@dataclass
class _Run:
    """What every landform of one comparison shares: the window's area and
    sub-areas, the model and its parameters (cropped to the window)."""
    model: str
    dx: float
    dy: float
    area: np.ndarray
    subareas: list
    years: float
    dt: float
    lem_parameters: dict
    rusle_parameters: dict
    bulk_density: float

    def erode(self, name, z, progress):
        """LandformErosion of one landform (``z`` on the window); rank set later."""
        area, cell_area, years = self.area, self.dx * self.dy, self.years
        valid = np.isfinite(z)
        if not (area & valid).any():
            raise InputError(f"The area polygon covers no valid cell of landform '{name}'.")
        if self.model == "lem":
            res = lem.evolve(z, self.dx, self.dy, years=years, dt=self.dt, area=area,
                             progress=progress, **self.lem_parameters)
            elevation, change = res.elevation, res.change
        else:
            factors = rusle_mod.RusleFactors(bulk_density=self.bulk_density, years=years,
                                             **self.rusle_parameters)
            res = rusle_mod.rusle(z, self.dx, self.dy, factors=factors, area=area,
                                  progress=progress)
            change = -res.volume / cell_area
            elevation = z + change
        b = res.budget["area"]
        area_ha = float((area & valid).sum()) * cell_area / 1.0e4
        mean_loss = b["eroded"] * self.bulk_density / area_ha / years
        strips = np.array([-float(np.nansum(change[m & valid])) * cell_area
                           for _, m in self.subareas])
        return LandformErosion(
            name=name, eroded=b["eroded"], deposited=b["deposited"], exported=b["exported"],
            residual=b["residual"], mean_loss=mean_loss, rank=0, strips=strips,
            elevation=elevation, change=change, grid_budget=res.budget["grid"]), area_ha


def compare_landforms(landforms, dx, dy, area, subareas=None, *, model="lem", years=10.0,
                      dt=1.0, lem_parameters=None, rusle_parameters=None,
                      bulk_density=rusle_mod.DEFAULTS["bulk_density"], buffer=BUFFER,
                      progress=None):
    """Erosion of every landform over ``years`` with ``model``.

    landforms: list of (name, 2-D elevation array, m), all on one grid;
    area: bool mask where erosion is summed (the rest of the grid still routes
    water and sediment); subareas: optional list of (label, bool mask) for the
    per-strip breakdown; lem_parameters: keyword arguments of
    :func:`core.lem.evolve` (erodibility, m, n, runoff, diffusivity,
    settling_velocity); rusle_parameters: R, K, C, P (numbers or arrays);
    bulk_density in t/m^3 converts volumes to mass; buffer (m): simulate the
    window of the area and sub-areas plus ``buffer`` (default 1000 m; None:
    the whole grid; see the module docstring).  The evolved surfaces and changes are on the
    window (``result.window``).
    """
    progress = as_progress(progress)
    names, shape, area, subareas = _check_landforms(landforms, area, subareas, model,
                                                    bulk_density)
    window = simulation_window([area] + [m for _, m in subareas], dx, dy, buffer)
    run = _Run(model, dx, dy, area[window],
               [(label, np.asarray(m, dtype=bool)[window]) for label, m in subareas],
               years, dt,
               {k: _crop(v, shape, window) for k, v in (lem_parameters or {}).items()},
               {k: _crop(v, shape, window) for k, v in (rusle_parameters or {}).items()},
               bulk_density)
    results = []
    nl = len(landforms)
    area_ha = None
    for i, (name, z) in enumerate(landforms):
        z = np.ascontiguousarray(np.asarray(z)[window], dtype=np.float64)
        res, this_ha = run.erode(name, z, progress.sub(100.0 * i / nl, 100.0 * (i + 1) / nl))
        area_ha = this_ha if area_ha is None else area_ha
        results.append(res)
    order = sorted(range(nl), key=lambda k: results[k].eroded)
    for rank, k in enumerate(order, start=1):
        results[k].rank = rank
    progress(100)
    return ComparisonResult(model=model, years=float(years), area_ha=float(area_ha),
                            landforms=results, strip_labels=[str(s) for s, _ in subareas],
                            reference=names[0], window=window)
