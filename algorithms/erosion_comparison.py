"""hpcs:erosioncomparison - soil erosion of several landforms (LEM or RUSLE)."""
import csv
import os
import re

import numpy as np
from qgis.core import (
    QgsProcessingParameterEnum,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
)

from ..core import lem, render, rusle, styles
from ..core.erosion import BUFFER, MODELS, compare_landforms, simulation_window
from ..core.errors import InputError
from ..core.grid import (
    atomic_output,
    rasterize_polygons,
    read_raster,
    require_data,
    require_metric,
    write_raster,
)
from .base import HpcsAlgorithm
from .validation import check_raster_values


def change_style(limit):
    """Diverging ramp for erosion (-, red) / deposition (+, blue), metres."""
    limit = float(limit) if limit and np.isfinite(limit) and limit > 0 else 0.01
    return styles.pseudocolor([
        (-limit, "#b2182b", f"{-limit:.3g} m (erosion)"),
        (-limit / 2, "#ef8a62"),
        (0.0, "#f7f7f7", "0"),
        (limit / 2, "#67a9cf"),
        (limit, "#2166ac", f"+{limit:.3g} m (deposition)")], label_fmt="{:.3g}")


def dem_style(lo, hi):
    lo, hi = float(lo), float(hi)
    if not hi > lo:
        hi = lo + 1.0
    colours = ["#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c"]
    return styles.pseudocolor([(lo + (hi - lo) * k / 4.0, c, f"{lo + (hi - lo) * k / 4.0:.1f} m")
                               for k, c in enumerate(colours)])


def safe_name(name):
    """A file-name-safe version of a layer name."""
    s = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")
    return s or "landform"


class ErosionComparison(HpcsAlgorithm):
    NAME = "erosioncomparison"
    DISPLAY_NAME = "Soil erosion comparison"
    GROUP_ID = "evaluation"
    HELP = (
        "Compares the soil erosion of several landforms over a number of years, as the HPCS "
        "paper does with the CLiDE model (Xia et al. 2023, section 1.4, Table 2, Fig. 14).\n\n"
        "Landforms: elevation rasters in metres (projected CRS in metres), all on one grid, "
        "e.g. PNL, NNDL, MNNDL, TDL; each is named after its layer. The FIRST landform is the "
        "reference (the pristine landform, PNL) of the per-strip 'minus reference' curves "
        "(Fig. 14). Erosion is summed inside the EVALUATION_AREA polygon (the dump). As the paper "
        "simulates the dump with 1000 m of its surroundings, the models run on a window: the "
        "bounding box of the area and sub-areas widened by the buffer (m, default 1000) on "
        "every side, clipped to the grid; the window's edge is base level, like the grid "
        "edge. A buffer larger than the grid simulates the whole grid. Sub-areas (optional): the refilling strips, a layer with "
        "fields 'period' and 'kind' (features with kind = 'refilling', one value per period, "
        "as written by the sub-area delineation; of a layer holding both plans, the optimized "
        "one); without those fields, one value per feature id.\n\n"
        "Model 'Landscape evolution' (per time step): D8 routing on the depression-filled "
        "current surface; discharge Q = runoff x contributing area, unit discharge "
        "q = Q / cell width; stream-power incision E = K q^m S^n solved implicitly along the "
        "flow tree (Braun & Willett 2013; stable for any step); deposition d = V Qs / Q of "
        "the sediment flux Qs (Davy & Lague 2009; V = 0: detachment-limited); linear "
        "hillslope diffusion dh/dt = D laplacian(h). Grid edges and cells next to nodata are "
        "fixed base level. Cross-checked against Landlab's FastscapeEroder + LinearDiffuser.\n"
        "Model 'RUSLE': A = R K LS C P (t/ha/yr), LS from the unit contributing area and "
        "the slope (Desmet & Govers 1996, McCool's S and m), a static annual average; no "
        "deposition (deposited = 0, exported = eroded).\n\n"
        "Defaults are for fresh spoil under semi-natural grassland (sources in the plugin's "
        "docs/method.md, section 6): K = 5e-4 (for q in m2/yr), m = 0.5, n = 1, runoff "
        "0.05 m/yr, D = 0.01 m2/yr, V = 0.05 m/yr; R = 300 MJ mm/(ha h yr), K = 0.04 "
        "t ha h/(ha MJ mm), C = 0.04, P = 1, bulk density 1.5 t/m3. Set the site's values.\n\n"
        "Outputs: a CSV table (landform, eroded, deposited and exported volume in m3 inside "
        "the area over the run, mean soil loss t/ha/yr = eroded x bulk density / area / years, "
        "rank 1 = least eroded); an HTML report with the table, a bar chart of the eroded "
        "volumes (Table 2) and, with sub-areas, each landform's net loss per strip minus the "
        "reference's (Fig. 14); a folder with, per landform, the evolved DEM and the "
        "elevation change (m, negative = erosion) on the simulated window, styled, and "
        "strips.csv."
    )

    LANDFORMS = "LANDFORMS"
    EVALUATION_AREA = "EVALUATION_AREA"
    SUBAREAS = "SUBAREAS"
    BUFFER = "BUFFER"
    MODEL = "MODEL"
    YEARS = "YEARS"
    TIME_STEP = "TIME_STEP"
    ERODIBILITY = "ERODIBILITY"
    M_EXPONENT = "M_EXPONENT"
    N_EXPONENT = "N_EXPONENT"
    RUNOFF = "RUNOFF"
    DIFFUSIVITY = "DIFFUSIVITY"
    SETTLING_VELOCITY = "SETTLING_VELOCITY"
    R_FACTOR = "R_FACTOR"
    K_FACTOR = "K_FACTOR"
    K_FACTOR_RASTER = "K_FACTOR_RASTER"
    C_FACTOR = "C_FACTOR"
    C_FACTOR_RASTER = "C_FACTOR_RASTER"
    P_FACTOR = "P_FACTOR"
    BULK_DENSITY = "BULK_DENSITY"
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_REPORT = "OUTPUT_REPORT"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    MODEL_LABELS = ["Landscape evolution", "RUSLE"]

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameters((self.LANDFORMS, self.EVALUATION_AREA))
        self.add_parameter(self.SUBAREAS, optional=True)
        self.addParameter(QgsProcessingParameterNumber(
            self.BUFFER, self.tr("Buffer around the area and sub-areas that is simulated (m)"),
            QgsProcessingParameterNumber.Double, defaultValue=BUFFER, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.MODEL, self.tr("Erosion model"),
            options=[self.tr(s) for s in self.MODEL_LABELS], defaultValue=0))
        self.add_parameter(self.YEARS)
        dbl = QgsProcessingParameterNumber.Double
        for name, label, default, minimum in (
                (self.TIME_STEP, "Time step (years, landscape evolution)", 1.0, 1e-6),
                (self.ERODIBILITY, "Stream-power erodibility K (for unit discharge q in "
                                   "m2/yr)", lem.DEFAULTS["erodibility"], 0.0),
                (self.M_EXPONENT, "Exponent m on unit discharge", lem.DEFAULTS["m"], 0.0),
                (self.N_EXPONENT, "Exponent n on slope", lem.DEFAULTS["n"], 1e-6),
                (self.RUNOFF, "Effective runoff (m/yr)", lem.DEFAULTS["runoff"], 0.0),
                (self.DIFFUSIVITY, "Hillslope diffusivity D (m2/yr)",
                 lem.DEFAULTS["diffusivity"], 0.0),
                (self.SETTLING_VELOCITY, "Deposition (settling) velocity V (m/yr; 0 = "
                                         "detachment-limited)",
                 lem.DEFAULTS["settling_velocity"], 0.0),
                (self.R_FACTOR, "RUSLE R, rainfall erosivity (MJ mm/(ha h yr))",
                 rusle.DEFAULTS["R"], 0.0),
                (self.K_FACTOR, "RUSLE K, soil erodibility (t ha h/(ha MJ mm))",
                 rusle.DEFAULTS["K"], 0.0)):
            self.addParameter(QgsProcessingParameterNumber(
                name, self.tr(label), dbl, defaultValue=default, minValue=minimum))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.K_FACTOR_RASTER, self.tr("RUSLE K raster (optional, replaces the number)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.C_FACTOR, self.tr("RUSLE C, cover management"), dbl,
            defaultValue=rusle.DEFAULTS["C"], minValue=0.0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.C_FACTOR_RASTER, self.tr("RUSLE C raster (optional, replaces the number)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.P_FACTOR, self.tr("RUSLE P, support practice"), dbl,
            defaultValue=rusle.DEFAULTS["P"], minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.BULK_DENSITY, self.tr("Bulk density (t/m3)"), dbl,
            defaultValue=rusle.DEFAULTS["bulk_density"], minValue=1e-6))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Erosion table"), self.tr("CSV files (*.csv)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_REPORT, self.tr("Erosion report"), self.tr("HTML files (*.html)"),
            optional=True, createByDefault=True))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Folder for the evolved DEMs and change rasters"),
            optional=True, createByDefault=True))

    # --- inputs -----------------------------------------------------------
    def _window(self, parameters, context, grid):
        """The area mask, the sub-areas and the simulated window on the full grid."""
        area = self.polygon_mask(parameters, self.EVALUATION_AREA, context, grid)
        strips = self._subareas(parameters, context, grid)
        window = simulation_window([area] + [m for _, m in strips], grid.dx, grid.dy,
                                   self.parameterAsDouble(parameters, self.BUFFER, context))
        return area, strips, window

    def _landforms(self, parameters, context):
        """Every landform cropped to the simulated window as soon as it is read (one
        full grid in memory at a time): (forms, full grid, (area, strips, window))."""
        layers = self.parameterAsLayerList(parameters, self.LANDFORMS, context)
        if not layers:
            raise InputError("Parameter LANDFORMS: choose at least one landform raster.")
        forms, grid, masks = [], None, None
        for layer in layers:
            if layer.type() != layer.RasterLayer or layer.providerType() != "gdal":
                raise InputError(f"Landform '{layer.name()}' is not a GDAL raster layer; "
                                 "save it as a GeoTIFF and use that file.")
            z, g = read_raster(layer.source().split("|")[0], 1,
                               name=f"'{layer.name()}' (LANDFORMS)")
            check_raster_values("LANDFORMS", z, g)
            if not g.crs_wkt and layer.crs().isValid():
                from dataclasses import replace
                g = replace(g, crs_wkt=layer.crs().toWkt())
            require_metric(g, g.name)
            if grid is None:
                grid = g
                masks = self._window(parameters, context, grid)
            else:
                self.require_same_grid(grid, g, f"landform '{layer.name()}'")
            forms.append((layer.name(), np.ascontiguousarray(z[masks[2]])))
            del z
        return forms, grid, masks

    def _subareas(self, parameters, context, grid):
        source = self.parameterAsSource(parameters, self.SUBAREAS, context)
        if source is None:
            return []
        wkbs, attrs = self.features_in_grid_crs(parameters, self.SUBAREAS, context, grid)
        ids = [f.id() for f in source.getFeatures()
               if f.geometry() is not None and not f.geometry().isEmpty()]
        if not wkbs:
            raise InputError("Parameter SUBAREAS: the layer has no features.")
        if attrs and "period" in attrs[0] and "kind" in attrs[0]:
            plans = {str(a.get("plan", "")).lower() for a in attrs}
            if "optimized" in plans:
                # a delineation layer written with OPTIMIZE holds both plans: the
                # optimized one (as the other evaluation algorithms read it)
                keep = [i for i, a in enumerate(attrs)
                        if str(a.get("plan", "")).lower() == "optimized"]
                wkbs, attrs = [wkbs[i] for i in keep], [attrs[i] for i in keep]
            by_period = {}
            for wkb, a in zip(wkbs, attrs):
                if str(a["kind"]).lower() == "refilling":
                    by_period.setdefault(int(a["period"]), []).append(wkb)
            if not by_period:
                raise InputError("Parameter SUBAREAS: no feature has kind = 'refilling'.")
            return [(str(p), rasterize_polygons(by_period[p], grid)) for p in sorted(by_period)]
        return [(str(i), rasterize_polygons([w], grid)) for i, w in zip(ids, wkbs)]

    def _factor_raster(self, parameters, name, context, grid, window):
        z, g = self.read_raster(parameters, name, context, metric=False, required=False)
        if z is None:
            return None
        self.require_same_grid(grid, g, name)
        return np.ascontiguousarray(z[window])

    # --- run --------------------------------------------------------------
    def run_algorithm(self, parameters, context, feedback):
        forms, full_grid, (area, strips, window) = self._landforms(parameters, context)
        grid = sub_grid(full_grid, window)
        area = area[window]
        for name, z in forms:
            require_data(f"Landform '{name}' (LANDFORMS)", z, area, "EVALUATION_AREA",
                         grid.transform)
        strips = [(label, m[window]) for label, m in strips]
        feedback.pushInfo(self.tr("Simulated window: {0} x {1} cells of the {2} x {3} grid "
                                  "(rows {4}-{5}, columns {6}-{7}).").format(
            grid.shape[0], grid.shape[1], full_grid.shape[0], full_grid.shape[1],
            window[0].start, window[0].stop - 1, window[1].start, window[1].stop - 1))
        model = MODELS[self.parameterAsEnum(parameters, self.MODEL, context)]
        num = {name: self.parameterAsDouble(parameters, name, context) for name in (
            self.BUFFER, self.YEARS, self.TIME_STEP, self.ERODIBILITY, self.M_EXPONENT,
            self.N_EXPONENT,
            self.RUNOFF, self.DIFFUSIVITY, self.SETTLING_VELOCITY, self.R_FACTOR,
            self.K_FACTOR, self.C_FACTOR, self.P_FACTOR, self.BULK_DENSITY)}
        k_map = self._factor_raster(parameters, self.K_FACTOR_RASTER, context, full_grid,
                                    window)
        c_map = self._factor_raster(parameters, self.C_FACTOR_RASTER, context, full_grid,
                                    window)
        lem_p = dict(erodibility=num[self.ERODIBILITY], m=num[self.M_EXPONENT],
                     n=num[self.N_EXPONENT], runoff=num[self.RUNOFF],
                     diffusivity=num[self.DIFFUSIVITY],
                     settling_velocity=num[self.SETTLING_VELOCITY])
        rusle_p = dict(R=num[self.R_FACTOR],
                       K=k_map if k_map is not None else num[self.K_FACTOR],
                       C=c_map if c_map is not None else num[self.C_FACTOR],
                       P=num[self.P_FACTOR])
        feedback.pushInfo(self.tr("{0} landform(s), model {1}, {2:g} years; reference: "
                                  "{3}").format(len(forms), self.MODEL_LABELS[MODELS.index(
                                      model)], num[self.YEARS], forms[0][0]))
        result = compare_landforms(forms, grid.dx, grid.dy, area, strips, model=model,
                                   buffer=None,           # the landforms are on the window
                                   years=num[self.YEARS], dt=num[self.TIME_STEP],
                                   lem_parameters=lem_p, rusle_parameters=rusle_p,
                                   bulk_density=num[self.BULK_DENSITY],
                                   progress=self.progress(feedback, 0, 90))
        for lf in result.landforms:
            feedback.pushInfo(self.tr("{0}: eroded {1:.6g} m3, deposited {2:.6g} m3, exported "
                                      "{3:.6g} m3, {4:.4g} t/ha/yr, rank {5}").format(
                lf.name, lf.eroded, lf.deposited, lf.exported, lf.mean_loss, lf.rank))
        out = {}
        table = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        if table:
            write_table(table, result)
        out[self.OUTPUT_TABLE] = table or None
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        if folder:
            write_folder(folder, result, grid)
        out[self.OUTPUT_FOLDER] = folder or None
        feedback.setProgress(95)
        report = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        if report:
            write_report(report, result, num, model, self.MODEL_LABELS[MODELS.index(model)])
        out[self.OUTPUT_REPORT] = report or None
        feedback.setProgress(100)
        return out


# --------------------------------------------------------------------------
# writers (plain Python, testable without QGIS)
# --------------------------------------------------------------------------

def sub_grid(grid, window):
    """The grid of the (row slice, column slice) ``window`` of ``grid``."""
    from dataclasses import replace
    rows, cols = window
    x0, dx, rx, y0, ry, dy = grid.transform
    transform = (x0 + cols.start * dx + rows.start * rx, dx, rx,
                 y0 + cols.start * ry + rows.start * dy, ry, dy)
    return replace(grid, transform=transform,
                   shape=(rows.stop - rows.start, cols.stop - cols.start))


TABLE_HEADER = ["landform", "eroded_m3", "deposited_m3", "exported_m3",
                "mean_loss_t_ha_yr", "rank"]


def write_table(path, result):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with atomic_output(path) as _tmp, open(_tmp, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(TABLE_HEADER)
        for name, ero, dep, exp, loss, rank in result.table():
            w.writerow([name, f"{ero:.6f}", f"{dep:.6f}", f"{exp:.6f}", f"{loss:.6f}", rank])
    return path


def write_folder(folder, result, grid):
    os.makedirs(folder, exist_ok=True)
    used = set()
    for lf in result.landforms:
        base = safe_name(lf.name)
        while base in used:
            base += "_"
        used.add(base)
        dem = os.path.join(folder, f"{base}_evolved.tif")
        write_raster(dem, lf.elevation, grid, dtype="float32")
        styles.write_style(dem, dem_style(np.nanmin(lf.elevation), np.nanmax(lf.elevation)))
        chg = os.path.join(folder, f"{base}_change.tif")
        write_raster(chg, lf.change, grid, dtype="float32")
        finite = np.abs(lf.change[np.isfinite(lf.change)])
        limit = float(np.percentile(finite, 99)) if finite.size else 0.0
        styles.write_style(chg, change_style(limit))
    if result.strip_labels:
        with atomic_output(os.path.join(folder, "strips.csv")) as _tmp, \
                open(_tmp, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["strip"] + [f"{lf.name}_net_loss_m3" for lf in result.landforms])
            for i, label in enumerate(result.strip_labels):
                w.writerow([label] + [f"{lf.strips[i]:.6f}" for lf in result.landforms])
    return folder


def write_report(path, result, num, model, model_label):
    """The erosion page with its charts (core.render)."""
    return render.write_erosion_report(path, result, num, model, model_label)
