"""hpcs:subareadelineation - mining/refilling sub-areas and their optimization.

Thin glue around core.subareas.delineate: reads the rasters and the mine
area, writes the strips as a styled polygon layer, a CSV table per period and
an HTML supply-demand chart (the paper's Fig. 12(e)).
"""
import csv
import os

import numpy as np
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsGeometry,
    QgsPointXY,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterNumber,
    QgsRectangle,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core import render
from ..core.errors import InputError
from ..core.grid import atomic_output, rasterize_polygons
from ..core.subareas import delineate, plan_rows
from .base import HpcsAlgorithm

#: fill colours of the strip kinds (optimized plan, or the only plan)
KIND_COLOURS = {"mining": "#d95f02", "refilling": "#1b9e77", "box cut": "#7f7f7f",
                "final pit": "#4d4d4d"}

_POSTPROCESSORS = []   # keep the post-processors alive until QGIS used them


class SubareaDelineation(HpcsAlgorithm):
    NAME = "subareadelineation"
    DISPLAY_NAME = "Mining/refilling sub-area delineation"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Delineates the mining and refilling sub-areas (strips) of an open-pit mine plan and "
        "optimizes them so that every period's spoil fits the hydrologically acceptable "
        "landform (Xia et al. 2023, sections 1.1.1, 1.1.3, 1.1.4, eq. 6 to 9, Fig. 2, 7, 8).\n\n"
        "Inputs on one grid (metres, projected CRS): the pre-mining DEM, the floor elevation "
        "of the lowest minable seam, the minable coal thickness, and the maximum and minimum "
        "earthwork surfaces (hpcs:earthworksurfaces); the mine area polygon.\n\n"
        "Strips are perpendicular to the mining direction (degrees clockwise from north; 270 "
        "= the pit advances due west). The pit length P is the open pit between the "
        "refilling front and the mining face; blank = the smallest that keeps the safe "
        "distance in every period (of the optimized plan when optimizing). The box cut (the "
        "first P metres) is mined before period 1 and its spoil goes to an outside dump; "
        "period n mines one strip and refills one strip P metres behind it with that spoil; "
        "the last P metres are the final pit, mined but not refilled.\n\n"
        "Volumes (m3, cells shared between strips by their exact area share): eq. 6 supply "
        "V_g = k (DEM - thickness - floor); eq. 7 V_fmax = SURFACE_MAX - floor; eq. 8 V_fmin "
        "= SURFACE_MIN - floor (k on the supply only). The plan is feasible when sum V_g "
        "lies in [sum V_fmin, sum V_fmax]; otherwise the algorithm stops with the numbers "
        "(or, without optimization, reports them). A surface below the seam floor counts as "
        "needing no fill there (with a warning). Eq. 9 safe distance: for every line across "
        "the pit, (DEM - floor) / tan(dump slope) at the refilling strip's pit-side edge (the "
        "paper's dem_orfn: the near-natural landform restores the pre-mining surface) + "
        "tracking distance + (DEM - floor) / tan(working slope) at the mining strip's near "
        "edge; L_tn is the largest. The gap between the strips (refilling edge to mining "
        "strip) must be >= L_tn.\n\n"
        "Optimization (Fig. 7), period by period: (a) supply short, gap safe: the mining "
        "strip's far edge moves forward; (b) short, gap unsafe: the refilling strip's pit-side "
        "edge moves back; (c) excess, safe: the mining far edge moves back; (d) excess, "
        "unsafe: both move back; until V_g is within [V_fmin, V_fmax] and V_g / V_fmin equals "
        "sum V_g / sum V_fmin (1 % tolerance). Each move is a search on the cumulative "
        "volume along the mining axis. Strips stay contiguous; totals do not change.\n\n"
        "Outputs: the strips (kind mining / refilling, plus the box cut and the final pit) "
        "with their period, width, volumes, safe distance, case and status, for the "
        "original plan and, with OPTIMIZE, the optimized one (field 'plan'); the same per "
        "period as CSV; an HTML chart of V_g, V_fmin and V_fmax per period before and after "
        "optimization; the totals and the number of periods."
    )

    INPUT = "INPUT"
    FLOOR = "FLOOR"
    THICKNESS = "THICKNESS"
    SURFACE_MAX = "SURFACE_MAX"
    SURFACE_MIN = "SURFACE_MIN"
    MINE_AREA = "MINE_AREA"
    DIRECTION = "DIRECTION"
    STRIP_WIDTH = "STRIP_WIDTH"
    PIT_LENGTH = "PIT_LENGTH"
    K = "K"
    TRACKING_DISTANCE = "TRACKING_DISTANCE"
    DUMP_SLOPE = "DUMP_SLOPE"
    WORKING_SLOPE = "WORKING_SLOPE"
    OPTIMIZE = "OPTIMIZE"
    OUTPUT = "OUTPUT"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_CHART = "OUTPUT_CHART"

    NUMBERS = (
        ("TOTAL_SUPPLY", "Total supply sum V_g (m3)"),
        ("TOTAL_FMIN", "Total minimum demand sum V_fmin (m3)"),
        ("TOTAL_FMAX", "Total maximum demand sum V_fmax (m3)"),
        ("RATIO", "sum V_g / sum V_fmin"),
        ("BAND_RATIO", "sum V_fmax / sum V_fmin (width of the band between the surfaces)"),
        ("N_PERIODS", "Number of periods"),
        ("PIT_LENGTH_USED", "Pit length used (m)"),
        ("N_OK", "Periods meeting every constraint (final plan)"),
    )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameter(self.INPUT)
        self.add_seam_parameters()
        self.add_surface_parameters()
        self.add_parameters((self.MINE_AREA, self.DIRECTION, self.STRIP_WIDTH))
        num = QgsProcessingParameterNumber
        self.addParameter(num(self.PIT_LENGTH, self.tr(
            "Pit length (m; blank = the smallest that meets the safe distance)"), num.Double,
            defaultValue=None, optional=True, minValue=0.0))
        self.add_parameter(self.K)
        self.addParameter(num(self.TRACKING_DISTANCE, self.tr("Tracking distance (m)"),
                              num.Double, defaultValue=50.0, minValue=0.0))
        self.addParameter(num(self.DUMP_SLOPE, self.tr("Inner-dump slope angle (degrees)"),
                              num.Double, defaultValue=8.0, minValue=0.1, maxValue=89.9))
        self.addParameter(num(self.WORKING_SLOPE, self.tr("Working slope angle (degrees)"),
                              num.Double, defaultValue=20.0, minValue=0.1, maxValue=89.9))
        self.addParameter(QgsProcessingParameterBoolean(
            self.OPTIMIZE, self.tr("Optimize the delineation (Fig. 7)"), defaultValue=True))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT, self.tr("Sub-areas (strips)"), QgsProcessing.TypeVectorPolygon))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Table per period (CSV)"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_CHART, self.tr("Supply-demand chart (HTML)"),
            self.tr("HTML files (*.html)"), optional=True, createByDefault=True))
        for name, label in self.NUMBERS:
            self.addOutput(QgsProcessingOutputNumber(name, self.tr(label)))

    # --- inputs -------------------------------------------------------------
    def mine_area(self, parameters, context, grid):
        """(union geometry in the DEM's CRS, cell mask)."""
        geoms, _ = self.geometries_in_grid_crs(parameters, self.MINE_AREA, context, grid)
        geoms = [g.makeValid() if not g.isGeosValid() else g for g in geoms]
        if not geoms:
            raise InputError("Parameter MINE_AREA: the polygon layer has no features.")
        area = QgsGeometry.unaryUnion(geoms)
        parts = area.asGeometryCollection() if area.isMultipart() else [area]
        if len(parts) > 1:
            sizes = ", ".join(f"{p.area() / 1e4:.2f}" for p in parts[:6])
            raise InputError(
                f"Parameter MINE_AREA: the mine area is {len(parts)} separate pieces (areas "
                f"{sizes} ha). One strip plan needs one connected pit: run the delineation "
                "once per piece (select one, then 'Selected features only'), or join the "
                "pieces into one polygon.")
        xmin, ymin, xmax, ymax = grid.extent
        dem_box = QgsGeometry.fromRect(QgsRectangle(xmin, ymin, xmax, ymax))
        inside = area.intersection(dem_box).area()
        total = area.area()
        if total <= 0:
            raise InputError("Parameter MINE_AREA: the polygons have no area.")
        if inside <= 0:
            raise InputError(
                "The mine area lies entirely outside the DEM (its extent "
                f"{area.boundingBox().toString(0)} does not meet the DEM's "
                f"{xmin:.0f},{ymin:.0f} : {xmax:.0f},{ymax:.0f}). Check the layer and its CRS.")
        if inside < total * 0.999:
            raise InputError(
                f"The mine area extends outside the DEM: {100 * (1 - inside / total):.1f} % of "
                f"its {total / 1e6:.3f} km2 lie beyond the DEM extent, so its volumes cannot "
                "be computed. Clip the mine area to the DEM or use a larger DEM.")
        mask = rasterize_polygons([bytes(g.asWkb()) for g in geoms], grid)
        return area, mask

    # --- run ------------------------------------------------------------------
    def run_algorithm(self, parameters, context, feedback):
        z, grid = self.read_raster(parameters, self.INPUT, context)
        arrays = {}
        for name, what in ((self.FLOOR, "the seam floor"), (self.THICKNESS, "the thickness"),
                           (self.SURFACE_MAX, "SURFACE_MAX"), (self.SURFACE_MIN, "SURFACE_MIN")):
            arr, g = self.read_raster(parameters, name, context)
            self.require_same_grid(grid, g, what)
            arrays[name] = arr
        area, mask = self.mine_area(parameters, context, grid)
        optimize = self.parameterAsBoolean(parameters, self.OPTIMIZE, context)
        res = delineate(
            z, arrays[self.SURFACE_MAX], arrays[self.SURFACE_MIN], arrays[self.FLOOR],
            arrays[self.THICKNESS], mask, grid.transform,
            azimuth=self.parameterAsDouble(parameters, self.DIRECTION, context),
            strip_width=self.parameterAsDouble(parameters, self.STRIP_WIDTH, context),
            pit_length=self.optional_number(parameters, self.PIT_LENGTH, context, positive=True),
            k=self.parameterAsDouble(parameters, self.K, context),
            tracking=self.parameterAsDouble(parameters, self.TRACKING_DISTANCE, context),
            dump_slope=self.parameterAsDouble(parameters, self.DUMP_SLOPE, context),
            working_slope=self.parameterAsDouble(parameters, self.WORKING_SLOPE, context),
            optimize_plan=optimize, progress=self.progress(feedback, 0, 85))
        feedback.pushInfo(res.feasibility)
        feedback.pushInfo(self.tr("sum V_fmax / sum V_fmin = {0:.4f} (the room between the "
                                  "maximum and minimum earthwork surfaces).").format(
            res.band_ratio))
        feedback.pushInfo(self.tr("Pit length {0:.1f} m ({1}); {2} periods; box cut supply "
                                  "{3:,.0f} m3 (to an outside dump).").format(
            res.pit_length, self.tr("smallest safe") if res.pit_length_auto else
            self.tr("given"), res.n_periods, res.box_cut_supply))
        if not res.feasible:
            feedback.reportError(res.feasibility, fatalError=False)
        for msg in res.messages:
            feedback.pushWarning(msg)
        final = res.optimized if res.optimized is not None else res.original
        if res.optimized is not None:
            counts = {c: final.case.count(c) for c in ("a", "b", "c", "d", "none")}
            feedback.pushInfo(self.tr("Optimized: cases ") + ", ".join(
                f"{c} {n}" for c, n in counts.items()))

        dest = self.write_strips(parameters, context, res, area, grid)
        feedback.setProgress(92)
        results = {self.OUTPUT: dest}
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            write_table(table, res)
            results[self.OUTPUT_TABLE] = table
        chart = self.parameterAsFileOutput(parameters, self.OUTPUT_CHART, context)
        if chart:
            write_chart(chart, res)
            results[self.OUTPUT_CHART] = chart
        # plain Python numbers: a numpy float does not survive the QVariant conversion
        results.update({
            "TOTAL_SUPPLY": float(res.total_supply), "TOTAL_FMIN": float(res.total_fmin),
            "TOTAL_FMAX": float(res.total_fmax), "RATIO": float(res.ratio),
            "BAND_RATIO": float(res.band_ratio),
            "N_PERIODS": int(res.n_periods), "PIT_LENGTH_USED": float(res.pit_length),
            "N_OK": int(sum(1 for s in final.status if s == "ok")),
        })
        feedback.setProgress(100)
        return results

    # --- strips layer -----------------------------------------------------------
    @staticmethod
    def fields():
        f = QgsFields()
        for name, kind in (("period", QVariant.Int), ("kind", QVariant.String),
                           ("plan", QVariant.String), ("width_m", QVariant.Double),
                           ("start_m", QVariant.Double), ("end_m", QVariant.Double),
                           ("v_supply", QVariant.Double), ("v_fmin", QVariant.Double),
                           ("v_fmax", QVariant.Double), ("ratio", QVariant.Double),
                           ("gap_m", QVariant.Double), ("safe_dist", QVariant.Double),
                           ("case", QVariant.String), ("status", QVariant.String)):
            f.append(QgsField(name, kind))
        return f

    def write_strips(self, parameters, context, res, area, grid):
        fields = self.fields()
        crs = QgsCoordinateReferenceSystem.fromWkt(grid.crs_wkt) if grid.crs_wkt else \
            QgsCoordinateReferenceSystem()
        sink, dest = self.parameterAsSink(parameters, self.OUTPUT, context, fields,
                                          QgsWkbTypes.MultiPolygon, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT))
        frame = res.frame
        for rec in strip_records(res):
            ring = frame.strip_ring(rec["start_m"], rec["end_m"])
            rect = QgsGeometry.fromPolygonXY([[QgsPointXY(x, y) for x, y in ring]])
            geom = rect.intersection(area)
            if geom.isEmpty():
                continue
            geom.convertToMultiType()
            feat = QgsFeature(fields)
            feat.setGeometry(geom)
            for key, value in rec.items():
                feat[key] = None if (isinstance(value, float) and not np.isfinite(value)) \
                    else value
            sink.addFeature(feat, QgsFeatureSink.FastInsert)
        del sink
        optimized = res.optimized is not None
        path = dest.split("|")[0]
        if os.path.splitext(path)[1].lower() in (".gpkg", ".shp", ".geojson", ".json", ".fgb",
                                                ".sqlite", ".gml", ".kml", ".tab"):
            try:
                write_strip_qml(os.path.splitext(path)[0] + ".qml", fields, optimized)
            except Exception:   # a style is a nicety, never a failure
                pass
        if context.willLoadLayerOnCompletion(dest):
            post = StripStyler(optimized)
            _POSTPROCESSORS.append(post)
            context.layerToLoadOnCompletionDetails(dest).setPostProcessor(post)
        return dest


def strip_records(res):
    """Attribute records (with along-coordinates start_m/end_m) of every strip."""
    out = []
    plans = [("original", res.original)]
    if res.optimized is not None:
        plans.append(("optimized", res.optimized))
    for label, plan in plans:
        for row in plan_rows(plan, res.ratio):
            common = dict(period=row["period"], plan=label, v_supply=row["v_supply"],
                          v_fmin=row["v_fmin"], v_fmax=row["v_fmax"],
                          ratio=row["v_supply"] / row["v_fmin"] if row["v_fmin"] > 0
                          else float("nan"),
                          gap_m=row["gap"], safe_dist=row["safe_dist"], case=row["case"],
                          status=row["status"])
            for kind, a, b in (("mining", row["mining_start"], row["mining_end"]),
                               ("refilling", row["refilling_start"], row["refilling_end"])):
                out.append(dict(common, kind=kind, start_m=a, end_m=b, width_m=b - a))
        n = plan.n_periods
        out.append(dict(period=0, plan=label, kind="box cut", start_m=0.0,
                        end_m=float(plan.m[0]), width_m=float(plan.m[0]),
                        v_supply=res.box_cut_supply, case="none",
                        status="mined before period 1, spoil to an outside dump"))
        out.append(dict(period=n + 1, plan=label, kind="final pit", start_m=float(plan.f[-1]),
                        end_m=res.frame.length, width_m=res.frame.length - float(plan.f[-1]),
                        v_fmin=res.final_pit_fmin, case="none",
                        status="mined, not refilled (final void)"))
    return out


# --- styles -----------------------------------------------------------------

def _renderer(optimized):
    from qgis.core import QgsFillSymbol, QgsRuleBasedRenderer
    root = QgsRuleBasedRenderer.Rule(None)
    shown = "optimized" if optimized else "original"
    for kind, colour in KIND_COLOURS.items():
        sym = QgsFillSymbol.createSimple({
            "color": colour, "outline_color": "#222222", "outline_width": "0.2",
            "style": "solid" if kind in ("mining", "refilling") else "b_diagonal"})
        sym.setOpacity(0.6 if kind in ("mining", "refilling") else 0.8)
        rule = QgsRuleBasedRenderer.Rule(
            sym, filterExp=f"\"plan\" = '{shown}' AND \"kind\" = '{kind}'",
            label=f"{kind} ({shown})")
        root.appendChild(rule)
    if optimized:
        sym = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#000000",
                                          "outline_width": "0.4", "outline_style": "dash"})
        root.appendChild(QgsRuleBasedRenderer.Rule(
            sym, filterExp="\"plan\" = 'original' AND \"kind\" = 'mining'",
            label="original mining strips (outline)"))
    return QgsRuleBasedRenderer(root)


def _labeling(optimized):
    from qgis.core import (
        QgsPalLayerSettings,
        QgsTextBufferSettings,
        QgsTextFormat,
        QgsVectorLayerSimpleLabeling,
    )
    settings = QgsPalLayerSettings()
    shown = "optimized" if optimized else "original"
    settings.fieldName = (f"CASE WHEN \"plan\" = '{shown}' AND \"kind\" IN ('mining', "
                          "'refilling') THEN to_string(\"period\") END")
    settings.isExpression = True
    settings.placement = QgsPalLayerSettings.OverPoint
    fmt = QgsTextFormat()
    fmt.setSize(8)
    buf = QgsTextBufferSettings()
    buf.setEnabled(True)
    buf.setSize(0.8)
    fmt.setBuffer(buf)
    settings.setFormat(fmt)
    return QgsVectorLayerSimpleLabeling(settings)


def style_layer(layer, optimized):
    layer.setRenderer(_renderer(optimized))
    layer.setLabeling(_labeling(optimized))
    layer.setLabelsEnabled(True)
    layer.triggerRepaint()


def write_strip_qml(path, fields, optimized):
    """QML beside the output so the layer opens styled (kind colours, period labels)."""
    from qgis.core import QgsVectorLayer
    from qgis.PyQt.QtXml import QDomDocument
    tmp = QgsVectorLayer("MultiPolygon", "strips", "memory")
    tmp.dataProvider().addAttributes(fields.toList())
    tmp.updateFields()
    style_layer(tmp, optimized)
    doc = QDomDocument("qgis")
    tmp.exportNamedStyle(doc)
    with atomic_output(path) as _tmp, open(_tmp, "w", encoding="utf-8") as fh:
        fh.write(doc.toString())


class StripStyler(QgsProcessingLayerPostProcessorInterface):
    def __init__(self, optimized):
        super().__init__()
        self.optimized = optimized

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if layer is not None and layer.isValid():
            style_layer(layer, self.optimized)


# --- table and chart ----------------------------------------------------------

TABLE_COLUMNS = ("plan", "period", "mining_start_m", "mining_end_m", "mining_width_m",
                 "refilling_start_m", "refilling_end_m", "refilling_width_m", "v_supply_m3",
                 "v_fmin_m3", "v_fmax_m3", "vg_over_vfmin", "ratio_to_target", "gap_m",
                 "safe_dist_m", "case", "status")


def write_table(path, res):
    """CSV, one row per plan and period (along-coordinates in m from the start edge)."""
    plans = [("original", res.original)]
    if res.optimized is not None:
        plans.append(("optimized", res.optimized))
    with atomic_output(path) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(TABLE_COLUMNS)
        for label, plan in plans:
            for r in plan_rows(plan, res.ratio):
                w.writerow([
                    label, r["period"], f"{r['mining_start']:.3f}", f"{r['mining_end']:.3f}",
                    f"{r['mining_end'] - r['mining_start']:.3f}", f"{r['refilling_start']:.3f}",
                    f"{r['refilling_end']:.3f}",
                    f"{r['refilling_end'] - r['refilling_start']:.3f}",
                    f"{r['v_supply']:.1f}", f"{r['v_fmin']:.1f}", f"{r['v_fmax']:.1f}",
                    f"{r['v_supply'] / r['v_fmin']:.6f}" if r["v_fmin"] > 0 else "",
                    f"{r['ratio_to_target']:.6f}", f"{r['gap']:.3f}", f"{r['safe_dist']:.3f}",
                    r["case"], r["status"]])
    return path


def write_chart(path, res):
    """HTML page with the supply-demand chart and the totals (core.render)."""
    return render.write_supply_demand(path, res)
