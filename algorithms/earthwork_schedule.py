"""hpcs:earthworkschedule - the earthwork schedule per period (construction output)."""
import csv
import math

from qgis.core import (
    QgsProcessingOutputNumber,
    QgsProcessingParameterFileDestination,
)

from ..core.grid import atomic_output
from ..core.haul import strip_coverage
from ..core.schedule import earthwork_schedule
from .base import HpcsAlgorithm


def _fmt(value, digits=3):
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    return value if isinstance(value, (int, str)) else f"{value:.{digits}f}"


def strip_positions(records):
    """{(period, kind): (start_m, end_m)} of the 'mining' / 'refilling' strips of a plan."""
    out = {}
    for a in records or []:
        kind = str(a.get("kind", "")).strip().lower()
        try:
            key = (int(float(a.get("period"))), kind)
            out[key] = (float(a.get("start_m")), float(a.get("end_m")))
        except (TypeError, ValueError):
            continue
    return out


class EarthworkSchedule(HpcsAlgorithm):
    NAME = "earthworkschedule"
    DISPLAY_NAME = "Earthwork schedule per period"
    GROUP_ID = "evaluation"
    HELP = (
        "The construction sequence of a landform: for every mining-refilling period, how much "
        "earth is moved from which mining strip to which refilling strip, in which lifts "
        "(elevations, m) and over what mean haul distance (m). It is the haul model of 'Mean "
        "earthwork haul distance' (Xia et al. 2023, eq. 13) written out as a schedule: the "
        "mining strip is stripped from its highest point down in lifts of the bench height "
        "(its overburden between the top of the coal and the pre-mining surface, times K, "
        "eq. 6), the refilling strip is built from its lowest floor point up in lifts of the "
        "bench height between the seam floor and the landform, and the two are paired in "
        "that order by cumulative volume; each step takes one piece of earth from one source "
        "lift to one destination lift, hauled the 3-D distance between the lifts' volume "
        "centres.\n\n"
        "Inputs on one grid (metres, projected CRS): the pre-mining DEM, the seam floor, the "
        "coal thickness, the landform DEM and the sub-area layer of 'Mining/refilling "
        "sub-area delineation' (PLAN picks the optimized or the original strips: the plan "
        "the landform was built on).\n\n"
        "Outputs: a CSV per period (mining and refilling strip, their position along the "
        "mining direction in m, volume moved and supply in m3, room in the refilling strip, "
        "the elevations stripped and built, number of lifts and steps, mean haul in m) with "
        "a last row 'all', and a CSV of every step in construction order (source lift and "
        "its elevations, destination lift and its elevations, volume, haul, cumulative "
        "volume of the period).")

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    THICKNESS = "THICKNESS"
    LANDFORM = "LANDFORM"
    SUBAREAS = "SUBAREAS"
    BENCH_HEIGHT = "BENCH_HEIGHT"
    K = "K"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_STEPS = "OUTPUT_STEPS"
    MEAN_HAUL_DISTANCE = "MEAN_HAUL_DISTANCE"
    VOLUME = "VOLUME"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_haul_inputs()
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Earthwork schedule per period (CSV)"),
            self.tr("CSV files (*.csv)"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_STEPS, self.tr("Earthwork schedule, every lift-to-lift step (CSV)"),
            self.tr("CSV files (*.csv)"), optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(
            self.MEAN_HAUL_DISTANCE, self.tr("Mean haul distance (m)")))
        self.addOutput(QgsProcessingOutputNumber(self.VOLUME, self.tr("Volume moved (m3)")))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        rasters = []
        for name, what in ((self.FLOOR, "the seam floor"), (self.THICKNESS, "the coal thickness"),
                           (self.LANDFORM, "the landform")):
            arr, g = self.read_raster(parameters, name, context)
            self.require_same_grid(grid, g, what)
            rasters.append(arr)
        strips = self.plan_strips(parameters, context, grid)
        mining, _ = strip_coverage(*strips.polygons["mining"], grid)
        refilling, _ = strip_coverage(*strips.polygons["refilling"], grid)
        if strips.plan:
            feedback.pushInfo(self.tr("Plan: {0}").format(strips.plan))
        x, y = grid.cell_centres()
        sched = earthwork_schedule(
            dem, *rasters, mining, refilling, x, y, grid.cell_area,
            bench_height=self.parameterAsDouble(parameters, self.BENCH_HEIGHT, context),
            k=self.parameterAsDouble(parameters, self.K, context),
            progress=self.progress(feedback, 0, 95))
        moved = sum(p["moved"] for p in sched.periods)
        feedback.pushInfo(self.tr(
            "Schedule: {0} periods, {1} steps, {2:.6g} m3 moved, mean haul {3:.2f} m.").format(
                len(sched.periods), len(sched.steps), moved, sched.mean_distance))
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            self.write_periods(table, sched, strip_positions(strips.records))
        steps = self.parameterAsFileOutput(parameters, self.OUTPUT_STEPS, context)
        if steps:
            self.write_steps(steps, sched)
        feedback.setProgress(100)
        return {self.OUTPUT_TABLE: table or None, self.OUTPUT_STEPS: steps or None,
                self.MEAN_HAUL_DISTANCE: sched.mean_distance, self.VOLUME: moved}

    @staticmethod
    def write_periods(path, sched, positions):
        head = ["period", "mining_strip_start_m", "mining_strip_end_m",
                "refilling_strip_start_m", "refilling_strip_end_m", "moved_m3", "supply_m3",
                "room_m3", "stripped_top_m", "stripped_bottom_m", "built_bottom_m",
                "built_top_m", "source_lifts", "destination_lifts", "steps",
                "mean_haul_distance_m"]
        with atomic_output(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            for p in sched.periods:
                ms = positions.get((p["period"], "mining"), (None, None))
                rs = positions.get((p["period"], "refilling"), (None, None))
                w.writerow([p["period"], _fmt(ms[0], 2), _fmt(ms[1], 2), _fmt(rs[0], 2),
                            _fmt(rs[1], 2)] + [_fmt(p[c]) for c in (
                                "moved", "supply", "room", "src_top", "src_bottom",
                                "dst_bottom", "dst_top", "source_lifts", "destination_lifts",
                                "steps", "mean_distance")])
            tot = lambda c: sum(p[c] for p in sched.periods)  # noqa: E731
            w.writerow(["all", "", "", "", "", _fmt(tot("moved")), _fmt(tot("supply")),
                        _fmt(tot("room")), "", "", "", "", tot("source_lifts"),
                        tot("destination_lifts"), tot("steps"), _fmt(sched.mean_distance)])

    @staticmethod
    def write_steps(path, sched):
        cols = ["period", "step", "src_lift", "src_bottom", "src_top", "dst_lift",
                "dst_bottom", "dst_top", "volume", "distance", "cumulative"]
        head = ["period", "step", "source_lift", "source_bottom_m", "source_top_m",
                "destination_lift", "destination_bottom_m", "destination_top_m", "volume_m3",
                "haul_distance_m", "cumulative_m3"]
        with atomic_output(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(head)
            for s in sched.steps:
                w.writerow([_fmt(s[c]) for c in cols])
