"""hpcs:hauldistance - mean straight-line earthwork haul distance (eq. 13)."""
import csv

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsLineString,
    QgsPoint,
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.grid import atomic_output
from ..core.haul import haul_distance, strip_coverage
from .base import HpcsAlgorithm


class HaulDistance(HpcsAlgorithm):
    NAME = "hauldistance"
    DISPLAY_NAME = "Mean earthwork haul distance"
    GROUP_ID = "evaluation"
    HELP = (
        "Mean straight-line (3-D) distance the earth travels from the mining strips to the "
        "refilling strips, per period and overall (Xia et al. 2023, eq. 13, sections 1.3 "
        "and 2.3.2).\n\n"
        "Inputs on one grid (metres, projected CRS): the pre-mining DEM, the floor of the "
        "lowest minable seam, the minable coal thickness, the landform DEM, and the sub-area "
        "layer of 'Mining/refilling sub-area delineation' (fields period and kind; with a "
        "field 'plan', PLAN picks the optimized or the original strips). Only the 'mining' "
        "strips are sources: the box cut's spoil is not part of the periods' balance. A cell "
        "counts for a strip by the share of its area inside the strip's polygon (measured on "
        "a grid up to 64 x finer), so strips narrower than a cell keep their volume.\n\n"
        "In each period the mining strip is stripped from its highest point down in lifts of "
        "the bench height: a cell gives its overburden, between the top of the coal (floor "
        "+ thickness) and the pre-mining surface, times K (the supply of eq. 6, V_g = K x "
        "sum(dem_or - h_t - H_md) x cell area). The refilling strip of the same period is "
        "built from its lowest floor point up, in lifts of the bench height, between the "
        "floor and the landform; a higher lift is begun only when the one below is full. "
        "Source and destination volumes are paired in that order by cumulative volume; each "
        "paired piece travels the 3-D distance between the volume centre of its source lift "
        "and that of its destination lift. The mean is weighted by volume. All of a period's "
        "supply is placed: if the room in the refilling strip (floor to landform) differs "
        "from the supply, the destination lifts are scaled by supply / room, so the "
        "landform's shape receives exactly the supply (a landform built to hold each strip's "
        "supply needs no scaling); the table reports the room and the ratio.\n\n"
        "Outputs: the overall mean haul distance (m), a CSV table per period (supply, "
        "room, moved volume, room / supply, lift counts, mean distance) with a last row "
        "'all', and an optional line layer (3-D lines) from each source lift centre to each "
        "destination lift centre it feeds, with the volume and distance, for a map of the "
        "earth moves."
    )

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    THICKNESS = "THICKNESS"
    LANDFORM = "LANDFORM"
    SUBAREAS = "SUBAREAS"
    BENCH_HEIGHT = "BENCH_HEIGHT"
    K = "K"
    MEAN_HAUL_DISTANCE = "MEAN_HAUL_DISTANCE"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_LINES = "OUTPUT_LINES"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_haul_inputs()
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Haul distance per period (CSV)"),
            self.tr("CSV files (*.csv)"), optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_LINES, self.tr("Earth moves (lift centre to lift centre)"),
            QgsProcessing.TypeVectorLine, optional=True, createByDefault=True))
        self.addOutput(QgsProcessingOutputNumber(
            self.MEAN_HAUL_DISTANCE, self.tr("Mean haul distance (m)")))

    def run_algorithm(self, parameters, context, feedback):
        dem, grid = self.read_raster(parameters, self.INPUT, context)
        floor, g = self.read_raster(parameters, self.FLOOR, context)
        self.require_same_grid(grid, g, "the seam floor")
        thick, g = self.read_raster(parameters, self.THICKNESS, context)
        self.require_same_grid(grid, g, "the coal thickness")
        land, g = self.read_raster(parameters, self.LANDFORM, context)
        self.require_same_grid(grid, g, "the landform")
        strips = self.plan_strips(parameters, context, grid)
        records, plan, polys = strips.records, strips.plan, strips.polygons
        mining, factor = strip_coverage(*polys["mining"], grid)
        refilling, _ = strip_coverage(*polys["refilling"], grid)
        if plan:
            feedback.pushInfo(self.tr("Plan: {0}").format(plan))
        feedback.pushInfo(self.tr("Strip area shares from a grid {0} x finer.").format(factor))
        bench = self.parameterAsDouble(parameters, self.BENCH_HEIGHT, context)
        k = self.parameterAsDouble(parameters, self.K, context)
        x, y = grid.cell_centres()
        res = haul_distance(dem, floor, thick, land, mining, refilling, x, y, grid.cell_area,
                            bench_height=bench, k=k, progress=self.progress(feedback, 0, 90))
        self.check_supply(res, records, feedback)
        moved = sum(r["moved"] for r in res.periods)
        supply = res.diagnostics["supply"]
        demand = res.diagnostics["demand"]
        feedback.pushInfo(self.tr(
            "{0} periods; supply {1:.6g} m3, room in the refilling strips {2:.6g} m3, moved "
            "{3:.6g} m3; mean haul distance {4:.2f} m.").format(
                len(res.periods), supply, demand, moved, res.mean_distance))
        for r in res.periods:
            if r["moved"] == 0:
                feedback.pushWarning(self.tr(
                    "Period {0}: nothing moved (supply {1:.6g} m3, room {2:.6g} m3); a "
                    "mining or refilling strip is missing or empty.").format(
                        r["period"], r["supply"], r["demand"]))
        off = [r for r in res.periods if r["moved"] > 0 and abs(r["demand_ratio"] - 1) > 0.05]
        if off:
            feedback.pushWarning(self.tr(
                "In {0} period(s) the room in the refilling strip differs from the supply by "
                "more than 5 % (largest ratio room / supply {1:.3g}, smallest {2:.3g}); the "
                "room was scaled to the supply. Usual causes: a landform built for another "
                "plan or another K, or a landform that does not hold each strip's supply.").format(
                    len(off), max(r["demand_ratio"] for r in off),
                    min(r["demand_ratio"] for r in off)))
        results = {self.MEAN_HAUL_DISTANCE: res.mean_distance}
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            self.write_table(table, res)
        results[self.OUTPUT_TABLE] = table or None
        results[self.OUTPUT_LINES] = self.write_lines(parameters, context, grid, res)
        feedback.setProgress(100)
        return results

    def check_supply(self, res, records, feedback):
        """Warn when the layer's total v_supply differs from the supply computed here."""
        given = 0.0
        for a in records or []:
            if str(a.get("kind", "")).lower() == "mining":
                try:
                    given += float(a.get("v_supply"))
                except (TypeError, ValueError):
                    return
        supply = res.diagnostics["supply"]
        if given > 0 and abs(given - supply) > 0.02 * supply:
            feedback.pushWarning(self.tr(
                "The supply computed from the rasters ({0:.6g} m3) differs by more than 2 % "
                "from the total v_supply of the sub-area layer ({1:.6g} m3); check K and "
                "that the same floor and thickness rasters were used.").format(supply, given))

    @staticmethod
    def write_table(path, res):
        cols = ["period", "supply", "demand", "moved", "demand_ratio", "source_lifts",
                "destination_lifts", "mean_distance"]
        with atomic_output(path) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["period", "supply_m3", "room_m3", "moved_m3", "room_over_supply",
                        "source_lifts", "destination_lifts", "mean_haul_distance_m"])
            for r in res.periods:
                w.writerow([r[c] if isinstance(r[c], int) else f"{r[c]:.6f}" for c in cols])
            tot = {c: sum(r[c] for r in res.periods)
                   for c in ("supply", "demand", "moved", "source_lifts", "destination_lifts")}
            ratio = tot["demand"] / tot["supply"] if tot["supply"] > 0 else float("nan")
            w.writerow(["all", f"{tot['supply']:.6f}", f"{tot['demand']:.6f}",
                        f"{tot['moved']:.6f}", f"{ratio:.6f}", tot["source_lifts"],
                        tot["destination_lifts"], f"{res.mean_distance:.6f}"])

    def write_lines(self, parameters, context, grid, res):
        fields = QgsFields()
        fields.append(QgsField("period", QVariant.Int))
        fields.append(QgsField("src_lift", QVariant.Int))
        fields.append(QgsField("dst_lift", QVariant.Int))
        fields.append(QgsField("volume_m3", QVariant.Double))
        fields.append(QgsField("dist_m", QVariant.Double))
        fields.append(QgsField("src_z", QVariant.Double))
        fields.append(QgsField("dst_z", QVariant.Double))
        crs = QgsCoordinateReferenceSystem.fromWkt(grid.crs_wkt) if grid.crs_wkt \
            else QgsCoordinateReferenceSystem()
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT_LINES, context, fields,
                                          QgsWkbTypes.LineStringZ, crs)
        if sink is None:
            return None
        for m in res.moves:
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry(QgsLineString([QgsPoint(*m["src"]),
                                                     QgsPoint(*m["dst"])])))
            f.setAttributes([m["period"], m["src_lift"], m["dst_lift"], m["volume"],
                             m["distance"], m["src"][2], m["dst"][2]])
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        return dest
