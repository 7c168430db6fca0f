"""Channel and ridge extraction (paper section 1.1.2; docs/method.md section 1).

``extract_channels`` runs the whole step: condition the DEM (fill, flats),
D8 directions, accumulation, the channel threshold (OTSU), channels, ridges
from the inverted DEM, channel links and their catchments.
"""
from dataclasses import dataclass, field

import numpy as np

from . import hydrology as hy
from . import threshold as th
from .errors import InputError, as_progress

#: threshold methods, in the order of the algorithm's enum
METHODS = ("scaling", "histogram", "fixed")


@dataclass
class ChannelNetwork:
    filled: np.ndarray          # depression-filled DEM (nan = nodata)
    receivers: np.ndarray       # flat receiver index, N = out of grid
    flowdir: np.ndarray         # ESRI codes, uint8, 255 = nodata
    accumulation: np.ndarray    # cells, self included (nan = nodata)
    channels: np.ndarray        # bool
    ridges: np.ndarray          # bool
    links: np.ndarray           # link id on channel cells, 0 elsewhere
    catchments: np.ndarray      # link id each cell drains to, 0 = none, -1 nodata
    channel_threshold: float
    ridge_threshold: float
    diagnostics: dict = field(default_factory=dict)

    @property
    def n_links(self):
        return int(self.links.max()) if self.links.size else 0


def choose_threshold(accumulation, method, fixed=None, name="CHANNEL_THRESHOLD"):
    """The channel threshold (cells) by ``method`` in METHODS (``name``: the
    parameter a fixed threshold came from, for the messages)."""
    a = np.asarray(accumulation)          # nan = nodata: each method leaves it out
    if method == "scaling":
        t, info = th.scaling_break_threshold(a)
        return t, info
    if method == "histogram":
        return th.histogram_threshold(a), {}
    if method == "fixed":
        if fixed is None:
            raise InputError(f"The 'Fixed' threshold method needs {name or 'the threshold'}: "
                             "give it in cells, or choose an automatic method.")
        if not np.isfinite(fixed) or fixed < 1:
            raise InputError("The fixed threshold must be a number of cells >= 1.")
        if np.isfinite(a).any() and fixed > float(np.nanmax(a)):
            what = "ridge" if "RIDGE" in name else "channel"
            raise InputError(
                f"The threshold {fixed:g} cells ({name}) is above the largest "
                f"accumulation of the DEM, {float(np.nanmax(a)):g} cells, so no cell would be a "
                f"{what}. Use a smaller threshold (for example 1 % of it, "
                f"{max(1.0, float(np.nanmax(a)) / 100):g}), or leave it blank for the automatic one.")
        return float(fixed), {}
    raise InputError(f"Unknown threshold method '{method}'; use one of {METHODS}.")


def extract_channels(z, dx, dy, *, method="scaling", channel_threshold=None,
                     ridge_threshold=None, progress=None):
    """Channels, ridges, links and catchments of DEM ``z`` (nan = nodata).

    dx, dy: cell width and height in metres.  ``method`` picks the
    threshold: 'scaling' (OTSU on the density/threshold scaling break, the
    paper's), 'histogram' (Otsu on log accumulation) or 'fixed' (the given
    ``channel_threshold`` / ``ridge_threshold`` in cells).
    Channels: accumulation >= threshold; ridges: the same on max(z) - z.

    Memory: the ridge pass runs first and keeps only its mask, freeing each
    grid as soon as it has been used, so the two conditionings are never in
    memory together; receivers, links and catchments are int32 (N + 1 <
    2^31); the breadth-first levels of the accumulation are reused by the
    links and catchments.  A caller that hands over its only reference to ``z``
    (``extract_channels(held.pop(), ...)``) lets it be freed once conditioned.
    """
    progress = as_progress(progress)
    z = np.asarray(z, dtype=np.float64)
    hy.check_dem(z)
    if method not in METHODS:
        raise InputError(f"Unknown threshold method '{method}'; use one of {METHODS}.")
    valid = np.isfinite(z)
    racc = _ridge_accumulation(z, dx, dy, progress.sub(0, 40))
    t_ri, info_ri = choose_threshold(racc, method, ridge_threshold, "RIDGE_THRESHOLD")
    ridges = valid & (racc >= t_ri)
    del racc
    progress(45)
    shape = z.shape
    filled, rec, codes, acc, levels = hy.condition(z, dx, dy, progress.sub(45, 85),
                                                   compact=True, with_levels=True)
    del z                        # freed here when the caller handed over its reference
    t_ch, info_ch = choose_threshold(acc, method, channel_threshold, "CHANNEL_THRESHOLD")
    channels = valid & (acc >= t_ch)
    links, catchments = hy.channel_links(rec, channels, levels=levels)
    del levels
    catchments = catchments.reshape(shape)
    catchments[~valid] = -1
    progress(100)
    return ChannelNetwork(filled, rec, codes, acc, channels, ridges,
                          links.reshape(shape), catchments, t_ch, t_ri,
                          {"channel": info_ch, "ridge": info_ri})


def _ridge_accumulation(z, dx, dy, progress):
    """Accumulation of the inverted DEM max(z) - z (nan = nodata): hy.condition's
    steps, each grid freed once used (only the accumulation is kept)."""
    inv = hy.invert_dem(z)
    filled = hy.fill_depressions(inv, progress.sub(0, 40))
    del inv
    rec, _ = hy.flow_directions(filled, dx, dy, progress.sub(40, 80), compact=True)
    del filled
    acc = hy.accumulate(rec)
    del rec
    acc[~np.isfinite(z).ravel()] = np.nan
    progress(100)
    return acc.reshape(z.shape)
