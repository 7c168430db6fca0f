"""hpcs:nearnaturallandform - the HPCS near-natural landform (NNDL / MNNDL)."""

import numpy as np
from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
)

from ..core import landform as lf
from ..core.errors import InputError
from ..core.nearnatural import NearNaturalSettings, near_natural_landform
from .base import HpcsAlgorithm, supply_from_records


class NearNaturalLandform(HpcsAlgorithm):
    NAME = "nearnaturallandform"
    DISPLAY_NAME = "Near-natural landform (HPCS)"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Builds the HPCS near-natural landform of the inner dump (Xia et al. 2023, section "
        "2.3): NNDL with the original sub-areas, MNNDL with the optimized ones.\n\n"
        "Inputs (one grid, elevations in metres, projected CRS): the pre-mining DEM, the "
        "maximum and minimum earthwork surfaces (eq. 1 to 5), the floor of the lowest "
        "minable seam, the catchments of channel extraction (for the slope mitigation) and "
        "the sub-area layer of 'Mining/refilling sub-area delineation' (fields period, kind, "
        "v_supply; PLAN picks its 'optimized' strips for MNNDL or its 'original' strips for "
        "NNDL).\n\n"
        "Each refilling strip n holds exactly its supply V_g (eq. 6, m3) above the seam "
        "floor. The supply of refilling strip n is v_supply of the refilling feature of "
        "period n if set, else of the mining feature of period n. A cell belongs to the strip "
        "containing its centre; where strips are not much wider than a cell, each polygon's "
        "supply is shared among the rasterised strips by the area of the polygon in their "
        "cells (total kept). Where V_g exceeds V_fmax (eq. 7) the strip rises above dem_max "
        "('uplifted'); where V_g is below V_fmin (eq. 8) it sinks below dem_min ('sunk'), "
        "never below the floor.\n\n"
        "One surface covers the whole dump, so strips join without steps: every strip's "
        "volume exact, inside [dem_min, dem_max] where the supply is within [V_fmin, V_fmax], "
        "not below dem_min where it exceeds V_fmax, not above dem_max where it is short. "
        "BLEND (advanced) picks which: 'Natural' (default) keeps the pristine landform's "
        "shape, its channels and ridges, wherever the band allows: the departure from the "
        "DEM, y = z - DEM, has the least sum of squared one-cell steps (y_i - y_j)^2 / d^2 "
        "between neighbouring cells and towards the ground around the dump. 'Gentlest' "
        "minimises the same sum for z itself: the lowest slope, but it also fills channels. "
        "'Smoothest blend' is dem_min + t (dem_max - dem_min) with the smoothest t, which "
        "carries the spikes of the two surfaces. The first two cut and fill the spikes and "
        "pits of the earthwork surfaces wherever the band allows.\n\n"
        "Slope mitigation (optional; the paper's slope mitigation module): earth is moved "
        "between the catchment units (strip x catchment) of each strip, volumes kept, by "
        "projected gradient descent on the centre-inclusive mean slope (per cell the angle "
        "of the mean of its four one-cell step gradients), which spikes and checkerboards "
        "raise, unlike Horn's slope. A step is kept only if that slope fell and neither the "
        "Horn slope nor the number of spikes rose and no strip seam became steeper than "
        "the slope bound.\n\n"
        "The final pit (mined, not refilled) has the seam floor at the bottom and walls at "
        "the working-side, end-wall and dump-side angles (20, 13, 8 degrees by default) "
        "rising to the DEM. Outside the mine area the output equals the DEM.\n\n"
        "Numbers: mean and maximum slope (degrees, Horn) over the refilled area, and the "
        "mean before the mitigation; over the dump's interior (cells whose 3 x 3 window lies "
        "in the dump) the mean centre-inclusive step slope after and before the mitigation "
        "and the number of spikes (cells off the median of their 3 x 3 window by more than "
        "tan(25 degrees) x cell size); the largest relative volume error of any strip.")

    INPUT = "INPUT"
    SURFACE_MAX = "SURFACE_MAX"
    SURFACE_MIN = "SURFACE_MIN"
    FLOOR = "FLOOR"
    CATCHMENTS = "CATCHMENTS"
    SUBAREAS = "SUBAREAS"
    SLOPE_MITIGATION = "SLOPE_MITIGATION"
    SLOPE_BOUND = "SLOPE_BOUND"
    BLEND = "BLEND"
    #: BLEND options: core.nearnatural's ``blend`` and the option label
    BLENDS = (("natural", "Natural: the pristine landform's shape, smoothest offset"),
              ("surface", "Gentlest: least squared one-cell steps"),
              ("tau", "Smoothest blend t of dem_min and dem_max"))
    OUTPUT = "OUTPUT"
    MEAN_SLOPE = "MEAN_SLOPE"
    MAX_SLOPE = "MAX_SLOPE"
    VOLUME_ERROR_MAX = "VOLUME_ERROR_MAX"
    MEAN_SLOPE_BEFORE = "MEAN_SLOPE_BEFORE"
    STEP_SLOPE = "STEP_SLOPE"
    STEP_SLOPE_BEFORE = "STEP_SLOPE_BEFORE"
    SPIKES = "SPIKES"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameter(self.INPUT)
        self.add_surface_parameters()
        self.add_parameter(self.FLOOR)
        self.add_parameter(self.CATCHMENTS, optional=True)
        self.add_parameter(self.SUBAREAS)
        self.add_plan_parameter()
        self.addParameter(QgsProcessingParameterBoolean(
            self.SLOPE_MITIGATION, self.tr("Slope mitigation between catchment units"),
            defaultValue=True))
        p = QgsProcessingParameterNumber(
            self.SLOPE_BOUND, self.tr("Slope bound at strip seams for the mitigation (degrees)"),
            QgsProcessingParameterNumber.Double, defaultValue=25.0, minValue=0.0, maxValue=89.9)
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)
        p = QgsProcessingParameterEnum(
            self.BLEND, self.tr("Surface between the strips' volumes"),
            options=[self.tr(label) for _, label in self.BLENDS], defaultValue=0, optional=True)
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(p)
        self.add_pit_angle_parameters()
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Near-natural landform"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(self.MEAN_SLOPE,
                                                 self.tr("Mean slope of the dump (degrees)")))
        self.addOutput(QgsProcessingOutputNumber(self.MAX_SLOPE,
                                                 self.tr("Maximum slope of the dump (degrees)")))
        self.addOutput(QgsProcessingOutputNumber(
            self.VOLUME_ERROR_MAX, self.tr("Largest relative volume error of a strip")))
        for name, label in (
                (self.MEAN_SLOPE_BEFORE, "Mean slope of the dump before mitigation (degrees)"),
                (self.STEP_SLOPE, "Mean step slope of the dump's interior (degrees)"),
                (self.STEP_SLOPE_BEFORE,
                 "Mean step slope of the dump's interior before mitigation (degrees)"),
                (self.SPIKES, "Spikes in the dump's interior")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        rasters = {}
        for name in (self.SURFACE_MAX, self.SURFACE_MIN, self.FLOOR, self.CATCHMENTS):
            arr, g = self.read_raster(parameters, name, context,
                                      required=name != self.CATCHMENTS)
            self.require_same_grid(grid, g, name)
            rasters[name] = arr
        mitigation = self.parameterAsBool(parameters, self.SLOPE_MITIGATION, context)
        if mitigation and rasters[self.CATCHMENTS] is None:
            raise InputError("Slope mitigation needs CATCHMENTS (the catchment raster of "
                             "'Channel and ridge extraction'); give it or switch the "
                             "mitigation off.")
        strips = self.plan_strips(parameters, context, grid)
        mining, refilling, records, plan = (strips.mined_periods, strips.refilling,
                                            strips.records, strips.plan)
        if plan:
            feedback.pushInfo(self.tr("Plan: {0}").format(plan))
        supply = lf.apportioned_supply(refilling, *strips.polygons["refilling"], grid,
                                    supply_from_records(records))
        res = near_natural_landform(
            dem, rasters[self.SURFACE_MAX], rasters[self.SURFACE_MIN], rasters[self.FLOOR],
            mining, refilling, supply, grid.dx, grid.dy, catchments=rasters[self.CATCHMENTS],
            settings=NearNaturalSettings(
                mitigation=mitigation,
                slope_bound=self.parameterAsDouble(parameters, self.SLOPE_BOUND, context),
                pit_angles=self.read_pit_angles(parameters, context),
                blend=self.BLENDS[self.parameterAsEnum(parameters, self.BLEND, context)
                                  if parameters.get(self.BLEND) is not None else 0][0]),
            progress=self.progress(feedback, 0, 90))
        moved = res.diagnostics.get("merged_periods") or []
        if moved:
            feedback.pushWarning(self.tr(
                "{0} refilling strip(s) cover no cell centre (narrower than a cell); their "
                "supply went to the nearest strip with cells: {1}").format(
                    len(moved), ", ".join(f"{a}->{b}" for a, b in moved[:20])))
        # volumes as written (float32 when the DEM is float32)
        written = res.landform.astype(grid.float_dtype).astype(np.float64)
        errs = lf.volume_errors(written, rasters[self.FLOOR], refilling, res.supply,
                                grid.cell_area)
        feedback.pushInfo(self.tr("period  supply (m3)  V_fmin (m3)  V_fmax (m3)  t  "
                                  "state  volume error"))
        for n in np.nonzero(np.isfinite(res.strip_tau))[0]:
            t = res.strip_tau[n]
            state = "uplifted" if t > 1 + 1e-9 else ("sunk" if t < -1e-9 else "within")
            feedback.pushInfo(f"{n:6d}  {res.supply[n]:.6g}  {res.v_fmin[n]:.6g}  "
                              f"{res.v_fmax[n]:.6g}  {t:.4f}  {state}  {errs[n]:.2e}")
        feedback.pushInfo(self.tr(
            "Mean slope {0:.2f} degrees (before mitigation {1:.2f}); steepest step across "
            "a strip seam {2:.1f} degrees.").format(
                res.mean_slope, res.mean_slope_before, res.max_seam_slope))
        q0, q1 = res.quality_before, res.quality
        feedback.pushInfo(self.tr(
            "Mean slope of the dump's interior ({0} cells), before -> after mitigation: "
            "Horn {1:.2f} -> {2:.2f} degrees, step slope (centre-inclusive) {3:.2f} -> {4:.2f} "
            "degrees; spikes {5} -> {6} (largest {7:.1f} m off its 3 x 3 median; limit "
            "{8:.1f} m); {9} mitigation step(s) kept.").format(
                q1.cells, q0.horn_slope, q1.horn_slope, q0.step_slope, q1.step_slope,
                q0.spikes, q1.spikes, q1.largest_spike, q1.spike_limit,
                res.diagnostics.get("passes_accepted", 0)))
        out = self.write_raster(parameters, self.OUTPUT, context, res.landform, grid,
                                grid.float_dtype)
        fin = errs[np.isfinite(errs)]
        return {self.OUTPUT: out, self.MEAN_SLOPE: res.mean_slope,
                self.MAX_SLOPE: res.max_slope,
                self.VOLUME_ERROR_MAX: float(fin.max()) if fin.size else 0.0,
                self.MEAN_SLOPE_BEFORE: res.mean_slope_before,
                self.STEP_SLOPE: res.quality.step_slope,
                self.STEP_SLOPE_BEFORE: res.quality_before.step_slope,
                self.SPIKES: res.quality.spikes}
