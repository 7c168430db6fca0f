"""hpcs:earthworksurfaces - the minimum and maximum earthwork surfaces (eq. 1 to 5)."""
import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..core import styles
from ..core.classify import BOUNDARY, flowdir_codes
from ..core.grid import require_data
from ..core.hydrology import receivers_from_codes
from ..core.surfaces import DEFAULT_PERCENTILE, INTERPOLATIONS, earthwork_surfaces
from .base import HpcsAlgorithm


def surface_style(lo, hi):
    """Terrain ramp from lo to hi (both surfaces get the same one)."""
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    cols = ["#2b83ba", "#abdda4", "#ffffbf", "#fdae61", "#d7191c"]
    return styles.pseudocolor([(lo + (hi - lo) * k / 4.0, c) for k, c in enumerate(cols)])


class EarthworkSurfaces(HpcsAlgorithm):
    NAME = "earthworksurfaces"
    DISPLAY_NAME = "Minimum and maximum earthwork surfaces"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Solves the maximum (dem_max) and minimum (dem_min) earthwork surfaces of the HPCS "
        "model (Xia et al. 2023, section 1.1.2, eq. 1 to 5): every near-natural landform of "
        "the dump should lie between them. Both equal the DEM outside the reshaping area.\n\n"
        "Inputs: the pre-mining DEM (metres, projected CRS), the cell classes of 'Hydrological "
        "cell classification', and the flow directions (ESRI D8) and catchments of 'Channel "
        "and ridge extraction', all on the DEM's grid. Angles are in degrees.\n\n"
        "Order of Fig. 3(b): eq. 1: fixed, confluence and boundary cells keep the DEM. "
        "eq. 2: each semi-fixed channel keeps the shape of its profile but its drop from the "
        "channel head o to the anchor c (the confluence, or the first cell outside the area) "
        "becomes L(o, c) tan A, L the flow-path length in metres; A = SEMI_A_MAX for dem_max "
        "and SEMI_A_MIN for dem_min. The head of a cell is the source of the longest "
        "semi-fixed flow path through it. eq. 3: a watershed cell looks at every catchment in "
        "its 3 x 3 window, takes the nearest known cell of that catchment (distance L in "
        "metres, elevation h): dem_max = min(h + L tan A_MAX), dem_min = max(h + L tan A_MIN). "
        "eq. 4: a floating channel cell does the same with watershed cells known, downward: "
        "dem_max = min(h - L tan A_MIN), dem_min = max(h - L tan A_MAX). Where these put "
        "dem_min above dem_max, dem_min is lowered to dem_max. eq. 5: the other cells of the "
        "area start at the DEM and take the mean of their 3 x 3 window, repeated n times, all "
        "other cells held ('Paper (n sweeps)'), or the converged limit of that mean, the "
        "discrete harmonic surface, by a sparse solve ('Converged', the default). The paper "
        "asks for at least n sweeps (n >= twice the largest distance in cells from a fixed "
        "channel cell to its nearest watershed cell); at that bound the sweeps are far from "
        "their limit (on the demo site up to 34 m at 25 m cells and 84 m at 12.5 m cells), "
        "so the surfaces would depend on the cell size. The converged surface is the limit "
        "that every n at or above the bound tends to.\n\n"
        "Slope limit (LIMIT_SLOPES, on by default): equations 2 to 4 fix line values cell by "
        "cell, and where two of them, or one and a fixed cell, disagree by more than the "
        "slope allows, eq. 5 would only smooth around a spike. So after each of eq. 2, 3 and "
        "4 the held cells, and after eq. 5 every cell of the area, are limited: no step "
        "between neighbouring cells may rise more than tan(A_MAX) x its length (10 m cells "
        "and 25 deg: 4.66 m, 6.59 m on a diagonal), or than the pre-mining DEM rises there "
        "where it is steeper, so that fixed cells always agree among themselves and natural "
        "slopes steeper than A_MAX stay possible. dem_max becomes the largest surface below "
        "the equations' values that obeys the limit (a held cell that stands too high is "
        "lowered), dem_min the smallest above them (a cell that sinks too low is raised); "
        "both also stay within what the fixed cells allow, and dem_min stays at or below "
        "dem_max. Fixed, confluence and boundary cells never change. A_MAX is the bound of "
        "both surfaces because it is the steepest slope either is built with: dem_max rises "
        "from the known cells at A_MAX (eq. 3), dem_min falls to the floating channels at "
        "A_MAX (eq. 4). Untick it for the paper's equations alone.\n\n"
        "Automatic values (leave blank): A_MAX 25 (the standard); A_MIN per cell, the "
        "smallest mean slope angle of the catchments in the cell's window (pre-mining DEM, "
        "Horn's slope; a cell without one takes the PERCENTILE-th percentile of the catchment "
        "means); SEMI_A_MAX / SEMI_A_MIN the (100 - PERCENTILE)-th / PERCENTILE-th percentile "
        "(default 10: the 90th and 10th) of the head-to-anchor slope angles of the natural "
        "semi-fixed channels of the area and of the first-order channels (head to first "
        "junction) around it in the catchments it touches (angles of 0 or less, pits and "
        "flats of the DEM, left out), SEMI_A_MAX at most A_MAX: robust extremes, so that one "
        "near-flat channel does not flatten every channel of dem_min (PERCENTILE 0 takes the "
        "single smallest and largest); SWEEPS twice the largest distance in cells from a "
        "fixed channel cell to its nearest watershed cell (the paper's rule). Every angle "
        "and n used is reported as a number output.\n\n"
        "Design quality (number outputs and log) over the reshaping area, for the pre-mining "
        "DEM, dem_min and dem_max: spikes, cells whose elevation differs from the median of "
        "their 3 x 3 window by more than tan(A_MAX) x cell size; the mean Horn slope; the "
        "mean step slope, which includes the centre cell (the angle of the mean of its four "
        "one-cell steps)."
    )

    INPUT = "INPUT"
    CLASSES = "CLASSES"
    FLOWDIR = "FLOWDIR"
    CATCHMENTS = "CATCHMENTS"
    A_MAX = "A_MAX"
    A_MIN = "A_MIN"
    SEMI_A_MAX = "SEMI_A_MAX"
    SEMI_A_MIN = "SEMI_A_MIN"
    INTERPOLATION = "INTERPOLATION"
    SWEEPS = "SWEEPS"
    LIMIT_SLOPES = "LIMIT_SLOPES"
    PERCENTILE = "PERCENTILE"
    OUTPUT_MAX = "OUTPUT_MAX"
    OUTPUT_MIN = "OUTPUT_MIN"

    INTERPOLATION_LABELS = ["Paper (n sweeps)", "Converged"]
    NUMBERS = (
        ("A_MAX_USED", "A_max used (degrees)"),
        ("A_MIN_USED", "A_min used, smallest over the cells (degrees)"),
        ("A_MIN_USED_HIGHEST", "A_min used, largest over the cells (degrees)"),
        ("SEMI_A_MAX_USED", "Semi-fixed channel angle of the maximum surface (degrees)"),
        ("SEMI_A_MIN_USED", "Semi-fixed channel angle of the minimum surface (degrees)"),
        ("SWEEPS_USED", "Sweeps n used by eq. 5 (0 = converged solve)"),
        ("SWEEPS_RULE", "Sweeps n by the paper's rule"),
        ("CLIPPED_CELLS", "Cells where dem_min was lowered to dem_max"),
        ("LIMITED_MAX", "Cells of the area whose dem_max the slope limit changed"),
        ("LIMITED_MIN", "Cells of the area whose dem_min the slope limit changed"),
        ("SPIKES_PNL", "Spikes of the pre-mining DEM in the area (cells off their 3 x 3 "
                       "median by more than tan(A_max) x cell)"),
        ("SPIKES_MIN", "Spikes of dem_min in the area"),
        ("SPIKES_MAX", "Spikes of dem_max in the area"),
        ("HORN_SLOPE_PNL", "Mean Horn slope of the pre-mining DEM in the area (degrees)"),
        ("HORN_SLOPE_MIN", "Mean Horn slope of dem_min in the area (degrees)"),
        ("HORN_SLOPE_MAX", "Mean Horn slope of dem_max in the area (degrees)"),
        ("STEP_SLOPE_PNL", "Mean step slope (centre cell included) of the pre-mining DEM in "
                           "the area (degrees)"),
        ("STEP_SLOPE_MIN", "Mean step slope (centre cell included) of dem_min in the area "
                           "(degrees)"),
        ("STEP_SLOPE_MAX", "Mean step slope (centre cell included) of dem_max in the area "
                           "(degrees)"),
    )
    #: design-quality outputs: key of the result's quality dict -> output suffix
    QUALITY = (("pnl", "PNL"), ("dem_min", "MIN"), ("dem_max", "MAX"))

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameter(self.INPUT)
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.CLASSES, self.tr("Cell classes (hpcs:classifycells)")))
        self.add_parameters((self.FLOWDIR, self.CATCHMENTS, self.A_MAX))
        for name, label in (
                (self.A_MIN, "A_min, natural catchment slope angle (degrees; blank = automatic)"),
                (self.SEMI_A_MAX, "Semi-fixed channel angle, maximum surface (degrees; "
                                  "blank = automatic)"),
                (self.SEMI_A_MIN, "Semi-fixed channel angle, minimum surface (degrees; "
                                  "blank = automatic)")):
            self.addParameter(QgsProcessingParameterNumber(
                name, self.tr(label), QgsProcessingParameterNumber.Double, defaultValue=None,
                optional=True, minValue=0.0, maxValue=89.9))
        self.addParameter(QgsProcessingParameterEnum(
            self.INTERPOLATION, self.tr("Interpolation of the other cells (eq. 5)"),
            options=[self.tr(s) for s in self.INTERPOLATION_LABELS], defaultValue=1))
        self.addParameter(QgsProcessingParameterNumber(
            self.SWEEPS, self.tr("Sweeps n (blank = the paper's rule)"),
            QgsProcessingParameterNumber.Integer, defaultValue=None, optional=True,
            minValue=1))
        p = QgsProcessingParameterBoolean(
            self.LIMIT_SLOPES, self.tr("Slope-limit the surfaces (no step steeper than A_max "
                                       "or the natural ground)"), defaultValue=True,
            optional=True)
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)
        p = QgsProcessingParameterNumber(
            self.PERCENTILE, self.tr("Percentile of the natural angles for the automatic "
                                     "semi-fixed angles (10 = 10th and 90th; 0 = extremes)"),
            QgsProcessingParameterNumber.Double, defaultValue=DEFAULT_PERCENTILE,
            optional=True, minValue=0.0, maxValue=50.0)
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_MAX, self.tr("Maximum earthwork surface (dem_max)"), optional=True,
            createByDefault=True))
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT_MIN, self.tr("Minimum earthwork surface (dem_min)"), optional=True,
            createByDefault=True))
        for name, label in self.NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def run_algorithm(self, parameters, context, feedback):
        z, grid = self.read_raster(parameters, self.INPUT, context)
        classes, cgrid = self.read_raster(parameters, self.CLASSES, context)
        self.require_same_grid(grid, cgrid, "the class raster")
        fd, fgrid = self.read_raster(parameters, self.FLOWDIR, context)
        self.require_same_grid(grid, fgrid, "the flow directions")
        cat, kgrid = self.read_raster(parameters, self.CATCHMENTS, context)
        self.require_same_grid(grid, kgrid, "the catchments")
        area = np.isfinite(classes) & (classes != BOUNDARY)
        require_data("The DEM (INPUT)", z, area, "the reshaping area (CLASSES other than "
                     "boundary)", grid.transform)
        require_data("The flow directions (FLOWDIR)", fd, area, "the reshaping area",
                     grid.transform)
        rec = receivers_from_codes(flowdir_codes(fd))
        sweeps = self.optional_number(parameters, self.SWEEPS, context)
        method = INTERPOLATIONS[self.parameterAsEnum(parameters, self.INTERPOLATION, context)]
        if sweeps is not None and method != "sweeps":
            feedback.pushWarning(self.tr(
                "SWEEPS is used only with the interpolation 'Paper (n sweeps)'; the converged "
                "surface ignores it."))
        res = earthwork_surfaces(
            z, classes, rec, cat, grid.dx, grid.dy,
            a_max=self.parameterAsDouble(parameters, self.A_MAX, context),
            a_min=self.optional_number(parameters, self.A_MIN, context),
            semi_a_max=self.optional_number(parameters, self.SEMI_A_MAX, context),
            semi_a_min=self.optional_number(parameters, self.SEMI_A_MIN, context),
            interpolation=method, sweeps=None if sweeps is None else int(round(sweeps)),
            progress=self.progress(feedback, 0, 90),
            limit_slopes=parameters.get(self.LIMIT_SLOPES) is None
            or self.parameterAsBoolean(parameters, self.LIMIT_SLOPES, context),
            percentile=self.optional_number(parameters, self.PERCENTILE, context)
            if self.optional_number(parameters, self.PERCENTILE, context) is not None
            else DEFAULT_PERCENTILE)
        self.report(res, method, feedback)
        area = np.isfinite(classes) & (classes != 5)
        dv = np.concatenate([res.dem_max[area], res.dem_min[area], z[np.isfinite(z)]])
        style = surface_style(float(np.nanmin(dv)), float(np.nanmax(dv)))
        results = self.numbers(res)
        results[self.OUTPUT_MAX] = self.write_raster(parameters, self.OUTPUT_MAX, context,
                                                     res.dem_max, grid, grid.float_dtype, None,
                                                     style)
        feedback.setProgress(95)
        results[self.OUTPUT_MIN] = self.write_raster(parameters, self.OUTPUT_MIN, context,
                                                     res.dem_min, grid, grid.float_dtype, None,
                                                     style)
        feedback.setProgress(100)
        return results

    def report(self, res, method, feedback):
        """The angles, eq. 5, the slope limit and the design quality, to the log."""
        feedback.pushInfo(self.tr(
            "A_max {0:g} deg; A_min {1:.3f} to {2:.3f} deg; semi-fixed channels {3:.3f} deg "
            "(max surface) and {4:.3f} deg (min surface).").format(
                res.a_max, res.a_min_low, res.a_min_high, res.semi_a_max, res.semi_a_min))
        if method == "sweeps":
            feedback.pushInfo(self.tr("Eq. 5: {0} sweeps of the 3 x 3 mean (paper's rule: "
                                      "{1}).").format(res.sweeps, res.sweeps_rule))
        else:
            feedback.pushInfo(self.tr("Eq. 5: converged harmonic surface (the paper's rule "
                                      "would use {0} sweeps).").format(res.sweeps_rule))
        if res.clipped:
            feedback.pushInfo(self.tr("dem_min was lowered to dem_max on {0} cells where eq. 3 "
                                      "or 4 put it higher.").format(res.clipped))
        if res.limited_max or res.limited_min:
            feedback.pushInfo(self.tr(
                "Slope limit: {0} cells of dem_max and {1} of dem_min changed so that no step "
                "rises more than tan(A_max) x its length (or the natural ground's rise where "
                "steeper).").format(res.limited_max, res.limited_min))
        q = res.quality
        names = {"pnl": self.tr("pre-mining DEM"), "dem_min": "dem_min", "dem_max": "dem_max"}
        feedback.pushInfo(self.tr(
            "Design quality over the area (spike: off the 3 x 3 median by more than {0:.2f} "
            "m): ").format(q["pnl"].spike_limit) + "; ".join(self.tr(
                "{0} {1} spikes, mean slope Horn {2:.2f} deg, step {3:.2f} deg").format(
                    names[key], q[key].spikes, q[key].horn_slope, q[key].step_slope)
                for key, _ in self.QUALITY) + ".")
        if res.unanchored:
            feedback.pushWarning(self.tr(
                "{0} semi-fixed cells have no known anchor along these flow directions; they "
                "were solved as floating cells. Were the classes computed from the same flow "
                "directions?").format(res.unanchored))

    def numbers(self, res):
        """The number outputs of a result."""
        results = {
            "A_MAX_USED": res.a_max, "A_MIN_USED": res.a_min_low,
            "A_MIN_USED_HIGHEST": res.a_min_high, "SEMI_A_MAX_USED": res.semi_a_max,
            "SEMI_A_MIN_USED": res.semi_a_min, "SWEEPS_USED": res.sweeps,
            "SWEEPS_RULE": res.sweeps_rule, "CLIPPED_CELLS": res.clipped,
            "LIMITED_MAX": res.limited_max, "LIMITED_MIN": res.limited_min,
        }
        for key, suffix in self.QUALITY:
            results[f"SPIKES_{suffix}"] = res.quality[key].spikes
            results[f"HORN_SLOPE_{suffix}"] = res.quality[key].horn_slope
            results[f"STEP_SLOPE_{suffix}"] = res.quality[key].step_slope
        return results
