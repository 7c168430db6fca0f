"""hpcs:traditionallandform - the traditional terraced landform (TDL)."""
import csv
import os

import numpy as np
from qgis.core import (
    QgsProcessingOutputFile,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
)

from ..core import landform as lf
from ..core.grid import atomic_output
from ..core.terrace import DESIGNS, traditional_landform
from .base import HpcsAlgorithm, supply_from_records

#: DESIGN enum labels, in the order of core.terrace.DESIGNS
DESIGN_LABELS = ("Per-strip platforms (each strip holds its own supply)",
                 "Single platform (the whole dump holds the total supply)")


class TraditionalLandform(HpcsAlgorithm):
    NAME = "traditionallandform"
    DISPLAY_NAME = "Traditional terraced landform"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Builds the traditional terraced dump (TDL, the paper's 'step-like' landform) with "
        "the same earth and the same final pit as the near-natural landform.\n\n"
        "Inputs (one grid, metres, projected CRS): the pre-mining DEM, the floor of the "
        "lowest minable seam and the sub-area layer (fields period, kind, v_supply; PLAN picks "
        "its 'optimized' or 'original' strips).\n\n"
        "DESIGN 'Per-strip platforms' (default): each refilling strip holds its own period's "
        "supply V_g (v_supply, eq. 6, m3; shared by area where strips are not much wider "
        "than a cell) on a flat platform at the level that holds it. The dump is built up "
        "from the seam floor in lifts of BENCH_HEIGHT (m): berms at the lift levels. Where "
        "a platform stands above its neighbour strip or the ground around it, the drop is "
        "made of benches inside the strip (faces at FACE_ANGLE, degrees; berms of "
        "BERM_WIDTH, m); where it stands below the ground, the wall rises inside the strip "
        "at the dump-side angle DUMP_ANGLE (the paper's inner-dump side, 8 degrees). Each "
        "strip's level is solved exactly for its volume above the floor, so the staircase "
        "along the mining direction shows the supply of the plan period by period. "
        "'Single platform': one flat top for the whole dump holds the total supply, with "
        "benches from the dump's edge (berms every bench height below the top).\n\n"
        "ADAPT (per-strip design, default on): where a strip cannot hold its supply, in "
        "this order: its walls at DUMP_ANGLE are set at FACE_ANGLE where they would hold "
        "more than its supply; where its benches meet before its platform holds it, the "
        "toe of its benches moves out onto the platforms of the settled strips around it "
        "(up to 4 cells; the earth dumped on their cells counts as this strip's, so its "
        "platform still holds exactly its supply); else its berms are narrowed to the "
        "widest that hold the supply inside it; else, with no berms, its benches move out "
        "up to 64 cells; else it shares one platform with its neighbour (the next "
        "period first), the pair holding their summed supply, and so on; if even one "
        "platform over the whole dump cannot hold the supply, the single-platform design "
        "is built. All of it is logged and listed in the CSV (berm, cells of other strips "
        "under its benches, volume held); off, such a strip stops the run with an error "
        "naming it.\n\n"
        "The final pit (mined, not refilled) has the floor at the bottom and walls at "
        "20 / 13 / 8 degrees (working side / end walls / dump side) rising to the DEM; "
        "outside the mine area the output equals the DEM.\n\n"
        "Outputs: the landform, a CSV beside it (NAME_levels.csv, NAME the landform file's "
        "name) of the platform level, "
        "platform group, wall angle, supply, volume and volume errors of every strip, the "
        "mean slope of the dump (degrees, Horn; and the centre-inclusive step slope and "
        "spike count over the dump's interior), the highest platform (m), the largest "
        "relative volume error of a strip against its own supply and the number of strips "
        "sharing a platform.")

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    SUBAREAS = "SUBAREAS"
    DESIGN = "DESIGN"
    BENCH_HEIGHT = "BENCH_HEIGHT"
    FACE_ANGLE = "FACE_ANGLE"
    BERM_WIDTH = "BERM_WIDTH"
    ADAPT = "ADAPT"
    SHARED_STRIPS = "SHARED_STRIPS"
    OUTPUT = "OUTPUT"
    OUTPUT_LEVELS = "OUTPUT_LEVELS"
    MEAN_SLOPE = "MEAN_SLOPE"
    STEP_SLOPE = "STEP_SLOPE"
    SPIKES = "SPIKES"
    TOP_ELEVATION = "TOP_ELEVATION"
    VOLUME_ERROR_MAX = "VOLUME_ERROR_MAX"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_plan_inputs()
        self.addParameter(QgsProcessingParameterEnum(
            self.DESIGN, self.tr("Design"), options=[self.tr(s) for s in DESIGN_LABELS],
            defaultValue=0))
        self.add_parameter(self.BENCH_HEIGHT)
        self.addParameter(QgsProcessingParameterNumber(
            self.FACE_ANGLE, self.tr("Bench face angle (degrees)"),
            QgsProcessingParameterNumber.Double, defaultValue=33.0, minValue=0.1,
            maxValue=89.9))
        self.addParameter(QgsProcessingParameterNumber(
            self.BERM_WIDTH, self.tr("Berm width (m)"), QgsProcessingParameterNumber.Double,
            defaultValue=30.0, minValue=0.0))
        adapt = QgsProcessingParameterBoolean(
            self.ADAPT, self.tr("Per-strip design: steepen walls / benches on the neighbours' "
                                "platforms / narrower berms / share platforms where a strip "
                                "cannot hold its supply"), defaultValue=True)
        adapt.setFlags(adapt.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        self.addParameter(adapt)
        self.add_pit_angle_parameters()
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Traditional landform"), optional=True,
            createByDefault=True))
        self.addOutput(QgsProcessingOutputFile(
            self.OUTPUT_LEVELS, self.tr("Platform levels per strip (CSV beside the landform)")))
        for name, label in (
                (self.MEAN_SLOPE, "Mean slope of the dump (degrees)"),
                (self.STEP_SLOPE, "Mean step slope of the dump interior (degrees)"),
                (self.SPIKES, "Spikes in the dump interior (cells)"),
                (self.TOP_ELEVATION, "Top platform elevation (m)"),
                (self.VOLUME_ERROR_MAX, "Largest relative volume error of a strip"),
                (self.SHARED_STRIPS, "Strips sharing a platform with a neighbour")):
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        floor, g = self.read_raster(parameters, self.FLOOR, context)
        self.require_same_grid(grid, g, self.FLOOR)
        strips = self.plan_strips(parameters, context, grid)
        mining, refilling = strips.mined_periods, strips.refilling
        design = DESIGNS[self.parameterAsEnum(parameters, self.DESIGN, context)]
        supply = supply_from_records(strips.records)
        if design == "strips":
            supply = lf.apportioned_supply(refilling, *strips.polygons["refilling"], grid,
                                            supply)
        res = traditional_landform(
            dem, floor, mining, refilling, supply, grid.dx, grid.dy, design=design,
            bench_height=self.parameterAsDouble(parameters, self.BENCH_HEIGHT, context),
            face_angle=self.parameterAsDouble(parameters, self.FACE_ANGLE, context),
            berm_width=self.parameterAsDouble(parameters, self.BERM_WIDTH, context),
            adapt=self.parameterAsBool(parameters, self.ADAPT, context),
            pit_angles=self.read_pit_angles(parameters, context),
            progress=self.progress(feedback, 0, 90))
        # volumes as written (float32 when the DEM is float32)
        written = res.landform.astype(grid.float_dtype).astype(np.float64)
        errs = lf.volume_errors(written, floor, refilling, res.supply, grid.cell_area)
        rows = self.level_rows(res, refilling, floor, errs)
        if res.fallback:
            feedback.pushWarning(self.tr("Per-strip platforms cannot be built here: {0} The "
                                         "single-platform design was built.").format(
                                             res.fallback))
        for m in res.groups if res.design == "strips" else []:
            feedback.pushWarning(self.tr(
                "Strips {0} to {1} share one platform: a strip among them cannot hold its "
                "supply on its own under its benches.").format(m[0], m[-1]))
        if res.design == "strips":
            berm = self.parameterAsDouble(parameters, self.BERM_WIDTH, context)
            enc = [r[0] for r in rows if r[11] > 0]
            narrow = [r[0] for r in rows if r[10] < berm - 1e-6]
            if enc or narrow:
                feedback.pushWarning(self.tr(
                    "Strips whose benches stand on their neighbours' platforms (their earth "
                    "on the neighbours' cells counts as theirs): {0}; strips with narrower "
                    "berms than BERM_WIDTH (their supply does not fit inside them "
                    "otherwise): {1}. See the CSV.").format(
                        ", ".join(map(str, enc)) or "-", ", ".join(map(str, narrow)) or "-"))
        feedback.pushInfo(self.tr("period  platform (m)  wall (degrees)  berm (m)  cells of "
                                  "other strips under its benches  supply (m3)  held (m3)  "
                                  "volume on its cells (m3)  error of its platform  error of "
                                  "its cells vs supply"))
        for r in rows:
            feedback.pushInfo(f"{r[0]:6d}  {r[2]:.2f}  {r[4]:.2f}  {r[10]:.2f}  {r[11]:.0f}  "
                              f"{r[6]:.6g}  {r[12]:.6g}  {r[7]:.6g}  {r[8]:.2e}  {r[9]:.2e}")
        q = res.quality
        feedback.pushInfo(self.tr(
            "Design {0}: highest platform {1:.2f} m; volume {2:.6g} m3 for a supply of "
            "{3:.6g} m3; mean slope {4:.2f} degrees (Horn), {5:.2f} (step), {6} spike(s)."
        ).format(design, res.top_elevation, res.volume, res.total_supply, res.mean_slope,
                 q.step_slope, q.spikes))
        out = self.write_raster(parameters, self.OUTPUT, context, res.landform, grid,
                                grid.float_dtype)
        table = os.path.splitext(out)[0] + "_levels.csv" if out else None
        if table:
            with atomic_output(table) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(["period", "cells", "platform_m", "platform_group", "wall_angle_deg",
                            "floor_min_m", "supply_m3", "volume_m3", "platform_error",
                            "error_vs_supply", "berm_m", "encroached_cells", "held_m3"])
                w.writerows([[r[0], r[1], f"{r[2]:.10g}", r[3]] + [f"{v:.10g}" for v in r[4:]]
                             for r in rows])
        # the error of what holds each strip's supply: its platform (with the earth its
        # benches put on other strips), or its group's shared platform
        held = res.strip_error[np.isfinite(res.strip_error)]
        fin = held if res.design == "strips" else errs[np.isfinite(errs)]
        return {self.OUTPUT: out, self.OUTPUT_LEVELS: table or None,
                self.MEAN_SLOPE: res.mean_slope, self.STEP_SLOPE: q.step_slope,
                self.SPIKES: q.spikes, self.TOP_ELEVATION: res.top_elevation,
                self.VOLUME_ERROR_MAX: float(fin.max()) if fin.size else 0.0,
                self.SHARED_STRIPS: int(sum(len(m) for m in res.groups)
                                        if res.design == "strips" else 0)}

    @staticmethod
    def level_rows(res, refilling, floor, errs):
        """(period, cells, platform, group, wall angle, floor min, supply, volume, error
        of its platform, error vs supply, berm, encroached cells, held) of every strip."""
        lab = refilling[res.dump]
        cells = np.bincount(lab, minlength=len(res.supply))
        fmin = np.full(len(res.supply), np.inf)
        np.minimum.at(fmin, lab, floor[res.dump])
        group = {n: f"{m[0]}-{m[-1]}" for m in res.groups for n in m}
        return [(int(n), int(cells[n]), float(res.levels[n]), group.get(int(n), str(n)),
                 float(res.wall_angle[n]), float(fmin[n]), float(res.supply[n]),
                 float(res.strip_volume[n]), float(res.strip_error[n]), float(errs[n]),
                 float(res.berm[n]), float(res.encroached[n]), float(res.held[n]))
                for n in np.nonzero(cells)[0] if n > 0]
