"""hpcs:comparisonreport - one HTML report comparing landforms (section 2.3)."""
import os

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterString,
)

from ..core import evaluation as ev
from ..core import render
from ..core.erosion import MODELS
from ..core.errors import InputError
from ..core.grid import read_raster, require_data, require_metric
from ..core.haul import strip_coverage
from .base import HpcsAlgorithm
from .validation import check_raster_values

#: default OPTIMIZED_NAMES: landforms whose name contains one of these use the optimized plan
DEFAULT_OPTIMIZED = "MNNDL, optim"


def plan_for(name, plans, patterns):
    """The plan a landform was built on: the only plan of a one-plan layer;
    else 'optimized' when its name contains one of ``patterns``
    (case-insensitive), otherwise 'original'."""
    if len(plans) == 1:
        return next(iter(plans))
    low = name.lower()
    if any(p and p.lower() in low for p in patterns):
        return "optimized"
    return "original"


class ComparisonReport(HpcsAlgorithm):
    NAME = "comparisonreport"
    DISPLAY_NAME = "Landform comparison report"
    GROUP_ID = "evaluation"
    HELP = (
        "One self-contained HTML report (and a CSV with the same numbers) comparing reshaped "
        "landforms with the pristine landform, as section 2.3 of Xia et al. (2023): volumes "
        "and supply-demand per period, mean slope, hydrological fusion rate (with and without "
        "the final pit), channel overlap, catchments and channel length, mean haul distance "
        "and eroded volume, hillshade/channel and catchment figures of every landform side "
        "by side, the paper's figures, and per criterion which landform wins and by how "
        "much.\n\n"
        "Inputs (one grid, metres, projected CRS): the pristine landform (PNL, pre-mining "
        "DEM); the reshaped landforms (e.g. NNDL, MNNDL, TDL), named after their layers or "
        "by LANDFORM_NAMES (comma-separated, in the order of the layers); the seam floor and "
        "the coal thickness (for the haul distance; without both it is not computed); the "
        "sub-area layer of 'Mining/refilling sub-area delineation' (fields period, kind; "
        "plan, v_supply, v_fmin, v_fmax, ratio, status for the volumes section).\n\n"
        "Which plan each landform uses: a layer with both plans (field plan = original / "
        "optimized) gives the optimized strips to every landform whose name contains one of "
        "OPTIMIZED_NAMES (comma-separated, case-insensitive; default 'MNNDL, optim'), the "
        "original strips to the others (NNDL, TDL). A layer with one plan serves all. The "
        "plan decides the strips of the fusion rate (S_b, eq. 10-12), the final pit and the "
        "mining/refilling pairs of the haul distance (eq. 13). The log and the report show "
        "the plan of every landform.\n\n"
        "Criteria (computed by the plugin's evaluation algorithms' functions): mean Horn "
        "slope over the evaluation area (lower is better); fusion rate and fusion rate "
        "without the pit (higher); channel overlap with PNL in the dump (higher; channels = "
        "accumulation >= CHANNEL_THRESHOLD cells, blank = OTSU threshold of PNL); catchments "
        "and channel length in the dump (closer to PNL's is better); mean haul distance with "
        "K and BENCH_HEIGHT as in 'Mean earthwork haul distance' (lower); eroded volume over "
        "YEARS with EROSION_MODEL at the default parameters of 'Soil erosion comparison' "
        "(lower), or read from that algorithm's CSV (EROSION_TABLE, column landform = the "
        "landform names) to reuse a run with other parameters. The evaluation area for the "
        "slope and the erosion is EVALUATION_AREA, or, blank, the dump (the union of the refilling "
        "strips).\n\n"
        "Winner: the best reshaped landform per criterion (PNL is the reference, shown "
        "beside); the margin is the difference to the runner-up, absolute and in per cent "
        "of the runner-up's value (for 'closer to PNL': the difference of the distances, in "
        "per cent of PNL's value). Fractions are shown in per cent, their margins in "
        "percentage points.\n\n"
        "Design quality: for PNL, dem_min and dem_max (SURFACE_MIN / SURFACE_MAX, optional) "
        "and every landform, over the interior of the evaluation area, the spikes (cells off "
        "their 3 x 3 median by more than tan 25 deg x cell size), the mean Horn slope and the "
        "centre-inclusive step slope; sum V_fmax / sum V_fmin per plan; the platform level of "
        "every refilling strip of the landform named TDL (from TDL_LEVELS, a CSV with columns "
        "period and level_m, or the mean of the raster over each strip); a 3-D perspective "
        "view of PNL and every landform (the same view and vertical exaggeration).\n\n"
        "Nothing twice in a model: FUSION_TABLES and CHANNEL_CLASSES (the table and channel "
        "raster of 'Hydrological fusion rate' per landform), HAUL_TABLES ('Mean earthwork "
        "haul distance') and EROSION_TABLE ('Soil erosion comparison') replace the report's "
        "own computation of those criteria; whatever is not given is computed here. With "
        "both fusion inputs no landform is routed again, and the catchment maps are replaced "
        "by the fusion step's shared / lost / new channels. FLOWDIR and ACCUMULATION (the "
        "outputs of 'Channel and ridge extraction' on the pre-mining DEM, as 'Hydrological "
        "fusion rate' takes them) replace the report's own routing of PNL (the same "
        "rasters, not computed again); blank, PNL is routed here."
    )

    PRISTINE = "PRISTINE"
    LANDFORMS = "LANDFORMS"
    LANDFORM_NAMES = "LANDFORM_NAMES"
    FLOOR = "FLOOR"
    THICKNESS = "THICKNESS"
    SUBAREAS = "SUBAREAS"
    OPTIMIZED_NAMES = "OPTIMIZED_NAMES"
    EVALUATION_AREA = "EVALUATION_AREA"
    CHANNEL_THRESHOLD = "CHANNEL_THRESHOLD"
    K = "K"
    BENCH_HEIGHT = "BENCH_HEIGHT"
    EROSION_MODEL = "EROSION_MODEL"
    YEARS = "YEARS"
    EROSION_TABLE = "EROSION_TABLE"
    FUSION_TABLES = "FUSION_TABLES"
    CHANNEL_CLASSES = "CHANNEL_CLASSES"
    HAUL_TABLES = "HAUL_TABLES"
    FLOWDIR = "FLOWDIR"
    ACCUMULATION = "ACCUMULATION"
    SURFACE_MIN = "SURFACE_MIN"
    SURFACE_MAX = "SURFACE_MAX"
    TDL_LEVELS = "TDL_LEVELS"
    OUTPUT_REPORT = "OUTPUT_REPORT"
    OUTPUT_TABLE = "OUTPUT_TABLE"

    MODEL_LABELS = ["Landscape evolution", "RUSLE"]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameters((self.PRISTINE, self.LANDFORMS))
        self.addParameter(QgsProcessingParameterString(
            self.LANDFORM_NAMES, self.tr("Landform names, comma-separated in layer order "
                                         "(blank = layer names)"),
            defaultValue="", optional=True))
        self.add_seam_parameters(optional=True)
        self.add_parameter(self.SUBAREAS)
        self.addParameter(QgsProcessingParameterString(
            self.OPTIMIZED_NAMES, self.tr("Landforms on the optimized plan: names containing "
                                          "(comma-separated)"),
            defaultValue=DEFAULT_OPTIMIZED, optional=True))
        self.add_parameters((self.EVALUATION_AREA, self.CHANNEL_THRESHOLD), optional=True)
        self.add_parameters((self.K, self.BENCH_HEIGHT))
        self.addParameter(QgsProcessingParameterEnum(
            self.EROSION_MODEL, self.tr("Erosion model"),
            options=[self.tr(s) for s in self.MODEL_LABELS], defaultValue=0))
        self.add_parameter(self.YEARS)
        self.addParameter(QgsProcessingParameterFile(
            self.EROSION_TABLE, self.tr("Erosion table of 'Soil erosion comparison' (CSV; "
                                        "optional, replaces the erosion run)"),
            extension="csv", optional=True))
        for name, label, kind in (
                (self.FUSION_TABLES, "Fusion-rate tables of 'Hydrological fusion rate' (CSV, "
                 "one per landform in layer order; optional, replace the fusion and channel "
                 "computation)", QgsProcessing.TypeFile),
                (self.CHANNEL_CLASSES, "Channel rasters (shared/lost/new) of 'Hydrological "
                 "fusion rate' (one per landform in layer order; optional)",
                 QgsProcessing.TypeRaster),
                (self.HAUL_TABLES, "Haul tables of 'Mean earthwork haul distance' (CSV, one "
                 "per landform in layer order; optional, replace the haul computation)",
                 QgsProcessing.TypeFile)):
            self.addParameter(QgsProcessingParameterMultipleLayers(
                name, self.tr(label), kind, optional=True))
        self.add_pristine_flow_parameters()          # FLOWDIR, ACCUMULATION of PNL
        self.add_parameters((self.SURFACE_MIN, self.SURFACE_MAX), optional=True)
        self.addParameter(QgsProcessingParameterFile(
            self.TDL_LEVELS, self.tr("Platform level per strip of the traditional landform "
                                     "(CSV: period, level_m; optional)"),
            extension="csv", optional=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_REPORT, self.tr("Comparison report"), self.tr("HTML files (*.html)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Comparison table"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=True))

    # --- inputs -----------------------------------------------------------
    def _landforms(self, parameters, context, grid):
        layers = self.parameterAsLayerList(parameters, self.LANDFORMS, context)
        if not layers:
            raise InputError("Parameter LANDFORMS: choose at least one reshaped landform "
                             "raster.")
        names_text = self.parameterAsString(parameters, self.LANDFORM_NAMES, context) or ""
        names = [s.strip() for s in names_text.split(",")] if names_text.strip() else []
        if names and len(names) != len(layers):
            raise InputError(f"Parameter LANDFORM_NAMES: {len(names)} name(s) for "
                             f"{len(layers)} landform layer(s); give one name per layer, "
                             "comma-separated, or leave it blank.")
        out = []
        for i, layer in enumerate(layers):
            if layer.type() != layer.RasterLayer or layer.providerType() != "gdal":
                raise InputError(f"Landform '{layer.name()}' is not a GDAL raster layer; "
                                 "save it as a GeoTIFF and use that file.")
            z, g = read_raster(layer.source().split("|")[0], 1,
                               name=f"landform '{layer.name()}' (LANDFORMS)")
            check_raster_values("LANDFORMS", z, g)
            if not g.crs_wkt and layer.crs().isValid():
                from dataclasses import replace
                g = replace(g, crs_wkt=layer.crs().toWkt())
            require_metric(g, g.name)
            self.require_same_grid(grid, g, f"landform '{layer.name()}'")
            out.append((names[i] if names else layer.name(), z))
        given = [n for n, _ in out]
        dup = sorted({n for n in given if given.count(n) > 1 or n == "PNL"})
        if dup:
            raise InputError(
                f"Landform name(s) {', '.join(dup)} used twice or equal to 'PNL' (names: "
                f"{', '.join(given)}). Set LANDFORM_NAMES, e.g. 'NNDL, MNNDL, TDL' (in the "
                "order of the layers): in a model every output layer may have the same name.")
        return out

    def _plans(self, parameters, context, grid):
        """({plan: PlanRasters}, attribute records of every plan)."""
        plans, attrs = {}, []
        for plan, strips in self.read_plans(parameters, context, grid, self.SUBAREAS).items():
            label = plan or "plan"
            mcov, _ = strip_coverage(*strips.polygons["mining"], grid)
            fcov, _ = strip_coverage(*strips.polygons["refilling"], grid)
            plans[label] = ev.PlanRasters(label, strips.mining, strips.refilling,
                                           strips.mined, mcov, fcov)
            attrs.extend(strips.records)
        return plans, attrs

    def _optional_raster(self, parameters, name, context, grid, what):
        z, g = self.read_raster(parameters, name, context, required=False)
        if z is not None:
            self.require_same_grid(grid, g, what)
        return z

    def _per_landform(self, parameters, name, context, n, files=True):
        """The files (or raster layers) of a multiple input, one per landform."""
        if files:
            items = [f for f in (self.parameterAsFileList(parameters, name, context) or [])
                     if f]
        else:
            items = self.parameterAsLayerList(parameters, name, context) or []
        if items and len(items) != n:
            raise InputError(f"Parameter {name}: {len(items)} item(s) for {n} landform(s); "
                             "give one per landform, in the order of LANDFORMS, or none.")
        return items

    def _given(self, parameters, context, grid, names, feedback):
        """What the model's evaluation steps computed (core.evaluation.Given)."""
        given = ev.Given()
        n = len(names)
        for name, path in zip(names, self._per_landform(parameters, self.FUSION_TABLES,
                                                        context, n)):
            given.fusion[name], channels = ev.read_fusion_table(path)
            if channels is not None:
                given.channels[name] = channels
        for name, layer in zip(names, self._per_landform(parameters, self.CHANNEL_CLASSES,
                                                         context, n, files=False)):
            cls, g = read_raster(layer.source().split("|")[0], 1,
                                 name=f"channel raster '{layer.name()}' (CHANNEL_CLASSES)")
            self.require_same_grid(grid, g, g.name)
            if name in given.channels:
                given.channels[name].classes = np.where(np.isfinite(cls), cls, 255)
        for name, path in zip(names, self._per_landform(parameters, self.HAUL_TABLES,
                                                        context, n)):
            given.haul[name] = ev.read_haul_table(path)
        levels = self.parameterAsFile(parameters, self.TDL_LEVELS, context)
        given.tdl_levels = ev.read_levels_table(levels) if levels else None
        table_in = self.parameterAsFile(parameters, self.EROSION_TABLE, context)
        if table_in:
            rows = ev.read_erosion_rows(table_in)
            layer = self.parameterAsRasterLayer(parameters, self.PRISTINE, context)
            # the erosion comparison names its reference after the layer
            if layer is not None and "PNL" not in [r[0] for r in rows]:
                rows = [("PNL" if r[0] == layer.name() else r[0],) + r[1:] for r in rows]
            given.erosion = rows
        taken = [k for k, v in (("fusion rate", given.fusion), ("channels", given.channels),
                                ("haul distance", given.haul), ("erosion", given.erosion))
                 if v]
        if taken:
            feedback.pushInfo(self.tr("Taken from the evaluation steps: {0}").format(
                ", ".join(taken)))
        return given, table_in

    def _surfaces(self, parameters, context, grid):
        out = {}
        for name, label in ((self.SURFACE_MIN, "dem_min"), (self.SURFACE_MAX, "dem_max")):
            z = self._optional_raster(parameters, name, context, grid, label)
            if z is not None:
                out[label] = z
        return out

    def _inputs(self, parameters, context, grid, feedback):
        forms = self._landforms(parameters, context, grid)
        floor = self._optional_raster(parameters, self.FLOOR, context, grid, "the seam floor")
        thick = self._optional_raster(parameters, self.THICKNESS, context, grid,
                                      "the coal thickness")
        if (floor is None) != (thick is None):
            raise InputError("The haul distance needs both the seam floor (FLOOR) and the "
                             "coal thickness (THICKNESS); give both or neither.")
        plans, attrs = self._plans(parameters, context, grid)
        patterns = [s.strip() for s in (self.parameterAsString(
            parameters, self.OPTIMIZED_NAMES, context) or "").split(",") if s.strip()]
        landforms = []
        for name, z in forms:
            plan = plan_for(name, plans, patterns)
            if plan not in plans:
                raise InputError(f"Landform '{name}' needs the '{plan}' plan but the sub-area "
                                 f"layer holds only: {', '.join(plans)}. Check "
                                 "OPTIMIZED_NAMES or run the delineation with OPTIMIZE.")
            require_data(f"Landform '{name}' (LANDFORMS)", z, plans[plan].refilling > 0,
                         f"the dump of the '{plan}' plan (its refilling strips)", grid.transform)
            landforms.append((name, z, plan))
            feedback.pushInfo(self.tr("Landform {0}: {1} plan").format(name, plan))
        return landforms, plans, attrs, floor, thick

    def _supply_notes(self, report, k):
        for lf in report.landforms:
            rows = report.periods.get(lf.plan)
            supply = lf.extra.get("haul_supply_m3")
            if rows and supply:
                given = ev.period_summary(rows)["v_supply"]
                if given > 0 and abs(supply - given) > 0.02 * given:
                    report.notes.append(
                        f"{lf.name}: the supply computed for the haul distance with K = {k:g} "
                        f"({supply:.6g} m3) differs by {100 * (supply / given - 1):+.1f} % from "
                        f"the sub-area layer's total V_g ({given:.6g} m3); check that K is the "
                        "one the delineation used.")

    # --- run --------------------------------------------------------------
    def run_algorithm(self, parameters, context, feedback):
        # the whole-grid inputs live in _report only: the figures are drawn from the
        # report's windows after they are freed
        report = self._report(parameters, context, feedback)
        feedback.setProgress(92)
        return self._write(parameters, context, feedback, report)

    def _report(self, parameters, context, feedback):
        """The evaluated report (core.evaluation.Report) with its settings and notes."""
        pnl, grid = self.read_raster(parameters, self.PRISTINE, context)
        pnl_layer = self.parameterAsRasterLayer(parameters, self.PRISTINE, context)
        landforms, plans, attrs, floor, thick = self._inputs(parameters, context, grid,
                                                             feedback)
        given, table_in = self._given(parameters, context, grid,
                                      [n for n, _, _ in landforms], feedback)
        area = None
        if parameters.get(self.EVALUATION_AREA):
            area = self.polygon_mask(parameters, self.EVALUATION_AREA, context, grid,
                                     required=False)
        model = MODELS[self.parameterAsEnum(parameters, self.EROSION_MODEL, context)]
        settings = ev.Settings(
            channel_threshold=self.optional_number(parameters, self.CHANNEL_THRESHOLD, context),
            k=self.parameterAsDouble(parameters, self.K, context),
            bench_height=self.parameterAsDouble(parameters, self.BENCH_HEIGHT, context),
            erosion_model=model, years=self.parameterAsDouble(parameters, self.YEARS, context))
        flow = self.read_pristine_flow(parameters, context, grid)
        if any(a is not None for a in flow.values()):
            feedback.pushInfo(self.tr("PNL's flow directions and accumulation: taken from "
                                      "FLOWDIR and ACCUMULATION, not routed again"))
        x, y = grid.cell_centres()
        report = ev.evaluate(pnl, landforms, plans, dx=grid.dx, dy=grid.dy, x=x, y=y,
                             floor=floor, thickness=thick, area=area, settings=settings,
                             given=given, surfaces=self._surfaces(parameters, context, grid),
                             progress=self.progress(feedback, 0, 90), **flow)
        report.periods = ev.period_rows(attrs)
        self._supply_notes(report, settings.k)
        if not report.periods:
            feedback.pushWarning(self.tr(
                "The sub-area layer has no fields v_supply, v_fmin and v_fmax: the volumes "
                "section is left out."))
        report.settings.update({
            "pristine layer": pnl_layer.name() if pnl_layer is not None else "",
            "erosion": (f"table {os.path.basename(table_in)}" if table_in else
                        f"{self.MODEL_LABELS[MODELS.index(model)]}, {settings.years:g} years, "
                        "default parameters"),
            "evaluation area": "EVALUATION_AREA polygon" if area is not None else
                               "the dump (refilling strips)",
            "K": settings.k, "bench height (m)": settings.bench_height,
            "haul distance": "computed" if floor is not None else
                             "not computed (no FLOOR / THICKNESS)",
            "plans": ", ".join(f"{n}: {p}" for n, _, p in landforms)})
        for note in report.notes:
            feedback.pushWarning(note)
        for w in report.winners:
            feedback.pushInfo(w.text)
        return report

    def _write(self, parameters, context, feedback, report):
        out = {}
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            ev.write_csv(table, report)
        out[self.OUTPUT_TABLE] = table or None
        html_path = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        if html_path:
            render.write_html(html_path, report)
            feedback.pushInfo(self.tr("Report: {0}").format(html_path))
        out[self.OUTPUT_REPORT] = html_path or None
        feedback.setProgress(100)
        return out
