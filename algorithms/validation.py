"""The checks every HPCS Landform algorithm runs before any computation.

:func:`validate` is called by ``HpcsAlgorithm.processAlgorithm`` (and, for
the cheap checks, by ``checkParameterValues``, so the dialog and
``qgis_process`` refuse a bad destination before the run starts).  Each check
is a rule on a *kind* of parameter, not on one algorithm:

* destinations (raster, file, folder, vector sink): a supported extension;
  the folder exists or can be created, is writable and is not a system
  folder (/proc, /sys, /dev); the path is not an existing folder (a folder
  output not an existing file); no two outputs and no output and input on
  one path;
* raster inputs: a CRS (a raster without one is said in the log and taken
  in the DEM's units) and one CRS for all of them;
* polygon inputs: polygon geometries only, every one valid (as QGIS's own
  tools, the fix is Vector geometry > Fix geometries);
* numbers that imply unbounded work: an upper bound naming the parameter,
  what the value implies and a sensible range (:data:`LIMITS`).

The value rules of rasters (ESRI codes, 0/1 masks, undeclared nodata such
as 1e30) run where the raster is read, ``HpcsAlgorithm.read_raster``,
through :func:`check_raster_values`; the nodata rule inside an area is
``core.grid.require_data``.
"""
import math
import os
import re

import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorDestination,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.errors import InputError
from ..core.grid import RASTER_EXTENSIONS, crs_description

#: the translation context of every message of this module
CONTEXT = "HpcsValidation"


def QT_TRANSLATE_NOOP(context, text):  # noqa: N802 (Qt's name, for the translation tools)
    """Marks ``text`` for translation in ``context`` without translating it."""
    return text


def tr(text):
    """``text`` translated in the context 'HpcsValidation' (placeholders {0},
    {1}, ... filled in by the caller with str.format)."""
    return QCoreApplication.translate(CONTEXT, text)


#: the core's InputError messages by id (core.errors.InputError.keyed), the
#: same English templates as the core's (core.grid.MESSAGES; a test keeps them
#: equal), written out here so that the translation tools find them
CORE_MESSAGES = {
    "grid.rotated": QT_TRANSLATE_NOOP(
        "HpcsValidation",
        "{0} has a rotated or sheared geotransform; warp it to a north-up grid first (Raster "
        "> Projections > Warp (Reproject))."),
    "grid.geographic": QT_TRANSLATE_NOOP(
        "HpcsValidation",
        "{0} is in a geographic CRS, {1}, whose cells are in degrees, so slopes and lengths "
        "would be wrong. Reproject it to a projected CRS in metres, for example EPSG:{2} (the "
        "UTM zone at its centre), with Raster > Projections > Warp (Reproject), then run "
        "again."),
    "grid.units": QT_TRANSLATE_NOOP(
        "HpcsValidation",
        "{0} is in {1}, whose unit is '{2}', not metres. Reproject it to a CRS in metres (for "
        "example the local UTM zone) and run again."),
    "grid.zero_cell": QT_TRANSLATE_NOOP(
        "HpcsValidation", "{0} has a zero cell size; check its geotransform."),
    "grid.open": QT_TRANSLATE_NOOP("HpcsValidation", "Cannot open '{0}' as a raster: {1}"),
    "grid.not_raster": QT_TRANSLATE_NOOP("HpcsValidation", "'{0}' is not a raster GDAL can read."),
    "grid.band": QT_TRANSLATE_NOOP(
        "HpcsValidation", "{0} has {1} band(s); band {2} does not exist."),
    "grid.nodata": QT_TRANSLATE_NOOP(
        "HpcsValidation",
        "{0} has no data (nodata or not a number) on {1} of the {2} cells of {3} (first at "
        "{4}). Every cell there needs a value: fill the gaps (Raster > Analysis > Fill "
        "nodata), or shrink the area so it leaves them out, and run again."),
    "grid.floor_above": QT_TRANSLATE_NOOP(
        "HpcsValidation",
        "The seam floor (FLOOR) is above the pre-mining surface (INPUT) by up to {0} m in {1} "
        "of the {2} cells of {3}. FLOOR is the elevation (m, same datum as the DEM) of the "
        "lowest minable seam floor, so it must lie below the surface; check that it is an "
        "elevation, not a depth."),
}


def message(exc):
    """The user's message of an InputError: translated through
    :data:`CORE_MESSAGES` when the core gave it a message id, else as it is
    (the messages of this module are translated where they are made)."""
    template = CORE_MESSAGES.get(getattr(exc, "key", None))
    if template is None:
        return str(exc)
    try:
        return tr(template).format(*exc.params)
    except (IndexError, KeyError, ValueError):     # a broken translation: the English
        return str(exc)


#: folders no output may go to
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")
#: finite raster values at or beyond this magnitude are undeclared nodata
#: (1e30, -3.4e38 ...): no input of this plugin holds such a number
HUGE = 1e20
#: ESRI D8 codes (0 = drains out of the grid)
ESRI_CODES = (0, 1, 2, 4, 8, 16, 32, 64, 128)
#: raster parameters holding D8 codes / 0-1 masks / values in [0, 1]
FLOWDIR_PARAMETERS = ("FLOWDIR",)
MASK_PARAMETERS = ("CHANNELS", "RIDGES")
FRACTION_PARAMETERS = ("PROBABILITY",)


def _temporary(value):
    text = str(value or "").strip()
    return not text or text == QgsProcessing.TEMPORARY_OUTPUT or text.startswith("memory:")


def _path_of(text):
    """The file path of a layer source ('path|layername=x' -> 'path')."""
    text = str(text or "").split("|")[0].strip()
    if text.lower().startswith("ogr:"):
        return ""
    return text


#: prefixes of a vector destination that is a database or a layer inside one
DATABASE_PREFIXES = ("ogr:", "postgres:", "postgis:", "spatialite:", "mssql:", "oracle:",
                     "hana:", "dbname=")


def database_destination(definition, parameters):
    """The destination text when a vector output goes to a database table or
    a layer inside an existing file (these cannot be staged), else ''."""
    if not isinstance(definition, (QgsProcessingParameterFeatureSink,
                                   QgsProcessingParameterVectorDestination)):
        return ""
    raw = parameters.get(definition.name())
    sink = getattr(raw, "sink", None)
    static = sink.staticValue() if sink is not None else raw
    if not isinstance(static, str) or _temporary(static):
        return ""
    text = static.strip()
    low = text.lower()
    if low.startswith(DATABASE_PREFIXES) or "://" in low or "|layername=" in low:
        return text
    return ""


def _extensions_of_filter(file_filter):
    """['.csv', ...] from a Qt file filter such as 'CSV files (*.csv)'."""
    exts = re.findall(r"\*(\.[A-Za-z0-9_.]+)", file_filter or "")
    return [e.lower() for e in exts]


def destination_path(alg, definition, parameters, context):
    """The path a destination parameter will be written to ('' = not written
    or not a file: a temporary or memory layer, a database URI).  A temporary
    output is not resolved (each call would name a new temporary file and, in
    the dialog, queue it for loading)."""
    name = definition.name()
    raw = parameters.get(name)
    if raw is None:
        return ""
    sink = getattr(raw, "sink", None)
    static = sink.staticValue() if sink is not None else raw
    if hasattr(static, "staticValue"):          # a QgsProperty
        static = static.staticValue()
    if not isinstance(static, str) or _temporary(static):
        return ""          # temporary, memory, or decided by an expression at run time
    if isinstance(definition, QgsProcessingParameterRasterDestination):
        return alg.parameterAsOutputLayer(parameters, name, context) or ""
    if isinstance(definition, (QgsProcessingParameterFileDestination,
                               QgsProcessingParameterFolderDestination)):
        return alg.parameterAsFileOutput(parameters, name, context) or ""
    if isinstance(definition, (QgsProcessingParameterFeatureSink,
                               QgsProcessingParameterVectorDestination)):
        return _path_of(static)
    return ""


def _folder_problem(folder):
    """Why files cannot be written in ``folder`` (None when they can)."""
    probe = folder
    while probe and not os.path.lexists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if os.path.exists(probe) and not os.path.isdir(probe):
        return tr("'{0}' is an existing file, not a folder").format(probe)
    if not os.path.isdir(probe):
        return tr("the folder '{0}' does not exist").format(folder)
    if not os.access(probe, os.W_OK | os.X_OK):
        return tr("the folder '{0}' is not writable").format(probe)
    return None


def _system(path):
    return any(path == f or path.startswith(f + os.sep) for f in SYSTEM_FOLDERS)


def check_destination(definition, path):
    """Stop unless an output can be written at ``path``."""
    name = definition.name()
    path = os.path.abspath(os.path.expanduser(path))
    how = tr("Choose another file or folder you can write to and run again.")
    if _system(os.path.realpath(path)):
        raise InputError(tr("Output {0}: '{1}' is in a system folder ({2}); no output can be "
                            "written there. {3}").format(name, path, ", ".join(SYSTEM_FOLDERS),
                                                         how))
    if isinstance(definition, QgsProcessingParameterFolderDestination):
        if os.path.exists(path) and not os.path.isdir(path):
            raise InputError(tr("Output {0}: '{1}' is an existing file, not a folder. Give the "
                                "name of a folder (new or existing).").format(name, path))
        problem = _folder_problem(path)
        if problem:
            raise InputError(tr("Output {0}: cannot write into '{1}': {2}. {3}").format(
                name, path, problem, how))
        return path
    if os.path.isdir(path):
        raise InputError(tr("Output {0}: '{1}' is an existing folder; give a file name inside "
                            "it (for example '{2}').").format(
            name, path, os.path.join(path, name.lower()) + _default_extension(definition)))
    ext = os.path.splitext(path)[1].lower()
    allowed = _allowed_extensions(definition)
    if allowed and ext not in allowed:
        raise InputError(tr("Output {0}: '{1}' has the extension '{2}'; this output can be "
                            "written as {3} only. Change the file name.").format(
            name, os.path.basename(path), ext or tr("(none)"), ", ".join(allowed)))
    problem = _folder_problem(os.path.dirname(path))
    if problem:
        raise InputError(tr("Output {0}: cannot write '{1}': {2}. {3}").format(
            name, path, problem, how))
    return path


def _allowed_extensions(definition):
    if isinstance(definition, QgsProcessingParameterRasterDestination):
        return list(RASTER_EXTENSIONS)
    if isinstance(definition, QgsProcessingParameterFileDestination):
        return _extensions_of_filter(definition.fileFilter())
    if isinstance(definition, (QgsProcessingParameterFeatureSink,
                               QgsProcessingParameterVectorDestination)):
        return ["." + e.lower() for e in definition.supportedOutputVectorLayerExtensions()]
    return []


def _default_extension(definition):
    allowed = _allowed_extensions(definition)
    return allowed[0] if allowed else ""


def _input_sources(alg, definition, parameters, context):
    """The sources (paths or URIs) of one input parameter ([] for others)."""
    name = definition.name()
    if isinstance(definition, QgsProcessingParameterRasterLayer):
        layers = [alg.parameterAsRasterLayer(parameters, name, context)]
    elif isinstance(definition, QgsProcessingParameterFeatureSource):
        layers = [alg.parameterAsVectorLayer(parameters, name, context)]
    elif isinstance(definition, QgsProcessingParameterMultipleLayers):
        layers = alg.parameterAsLayerList(parameters, name, context)
    elif isinstance(definition, QgsProcessingParameterFile):
        return [alg.parameterAsFile(parameters, name, context)]
    else:
        return []
    return [layer.source() for layer in layers if layer is not None]


def input_paths(alg, parameters, context):
    """{real path: parameter name} of every file-backed input."""
    out = {}
    for d in alg.parameterDefinitions():
        name = d.name()
        if parameters.get(name) in (None, ""):
            continue
        try:
            sources = _input_sources(alg, d, parameters, context)
        except Exception:   # an unreadable input is reported by its own reader
            continue
        for source in sources:
            path = _path_of(source)
            if path and os.path.exists(path):
                out.setdefault(os.path.realpath(path), name)
    return out


def _refuse_database(definition, parameters):
    text = database_destination(definition, parameters)
    if text:
        formats = ", ".join(_allowed_extensions(definition)[:12])
        raise InputError(tr(
            "Output {0}: '{1}' is a database table or a layer inside an existing file; this "
            "plugin writes each vector output to a file of its own, so that a failed run never "
            "changes earlier data. Give a file name ending in .gpkg, .shp, .geojson or .fgb "
            "(supported: {2}, ...) and import the result into the database afterwards.").format(
                definition.name(), text, formats))


def check_outputs(alg, parameters, context):
    """Every destination writable, supported, and on a path of its own.
    Returns {parameter name: absolute path} of the file outputs."""
    inputs = input_paths(alg, parameters, context)
    seen, paths = {}, {}
    for d in alg.destinationParameterDefinitions():
        _refuse_database(d, parameters)
        path = destination_path(alg, d, parameters, context)
        if not path:
            continue
        path = check_destination(d, path)
        real = os.path.realpath(path)
        if real in inputs:
            raise InputError(tr("Output {0} is the input {1} ('{2}'); writing it would destroy "
                                "the input. Give the output another name.").format(
                d.name(), inputs[real], path))
        if real in seen:
            raise InputError(tr("Outputs {0} and {1} are both '{2}'; one would overwrite the "
                                "other. Give each output its own file name.").format(
                seen[real], d.name(), path))
        seen[real] = d.name()
        paths[d.name()] = path
    return paths


# --- inputs --------------------------------------------------------------

def _raster_inputs(alg, definition, parameters, context):
    """The valid raster layers of one parameter ([] when it holds none)."""
    name = definition.name()
    if parameters.get(name) in (None, ""):
        return []
    try:
        if isinstance(definition, QgsProcessingParameterRasterLayer):
            layers = [alg.parameterAsRasterLayer(parameters, name, context)]
        elif isinstance(definition, QgsProcessingParameterMultipleLayers) and \
                definition.layerType() == QgsProcessing.TypeRaster:
            layers = alg.parameterAsLayerList(parameters, name, context)
        else:
            return []
    except Exception:
        return []
    return [layer for layer in layers if layer is not None and layer.isValid()]


def _with_crs(alg, parameters, context, feedback):
    """[(parameter name, layer)] of the raster inputs that have a CRS; a
    raster without one is said in the log."""
    crs = []
    for d in alg.parameterDefinitions():
        for layer in _raster_inputs(alg, d, parameters, context):
            if layer.crs().isValid():
                crs.append((d.name(), layer))
            elif feedback is not None:
                feedback.pushWarning(tr(
                    "{0}: '{1}' has no CRS; its cells are taken as metres in the CRS of the "
                    "other inputs. Set its CRS (Raster > Projections > Assign Projection) to be "
                    "sure.").format(d.name(), layer.name()))
    return crs


def check_raster_crs(alg, parameters, context, feedback=None):
    """One CRS for every raster input; a raster without CRS is said in the log."""
    crs = _with_crs(alg, parameters, context, feedback)
    if len(crs) < 2:
        return
    ref_name, ref = crs[0]
    for name, layer in crs[1:]:
        if layer.crs() != ref.crs():
            raise InputError(tr(
                "{0} ('{1}') is not on the same grid as {2} ('{3}'): it is in {4}, {2} in {5}. "
                "All rasters must share one grid: reproject it onto the DEM's grid (Raster > "
                "Projections > Warp, with the DEM's CRS, extent and cell size) and run "
                "again.").format(name, layer.name(), ref_name, ref.name(),
                                 crs_description(layer.crs().toWkt()),
                                 crs_description(ref.crs().toWkt())))


def polygon_parameters(alg):
    """Names of the feature-source parameters declared polygon-only."""
    out = []
    for d in alg.parameterDefinitions():
        if isinstance(d, QgsProcessingParameterFeatureSource) and \
                list(d.dataTypes()) == [QgsProcessing.TypeVectorPolygon]:
            out.append(d.name())
    return out


def _check_polygon_feature(name, feature):
    """Stop unless the feature is an empty geometry or a valid polygon."""
    geom = feature.geometry()
    if geom is None or geom.isEmpty():
        return
    if QgsWkbTypes.geometryType(geom.wkbType()) != QgsWkbTypes.PolygonGeometry:
        raise InputError(tr(
            "Parameter {0}: feature {1} is a {2}, not a polygon; the layer must hold polygons "
            "only.").format(name, feature.id(), QgsWkbTypes.displayString(geom.wkbType())))
    if geom.isGeosValid():
        return
    errors = geom.validateGeometry()
    where = ""
    what = tr("an invalid geometry")
    if errors:
        what = errors[0].what()
        if errors[0].hasWhere():
            p = errors[0].where()
            where = tr(" at ({0}, {1})").format(f"{p.x():.2f}", f"{p.y():.2f}")
    raise InputError(tr(
        "Parameter {0}: feature {1} is not a valid polygon ({2}{3}). Repair the layer with "
        "Vector geometry > Fix geometries (native:fixgeometries), check the result, and run "
        "again with it.").format(name, feature.id(), what, where))


def check_polygons(alg, parameters, context):
    """Polygon-only parameters hold valid polygons."""
    for name in polygon_parameters(alg):
        if parameters.get(name) in (None, ""):
            continue
        source = alg.parameterAsSource(parameters, name, context)
        if source is None:
            continue
        gtype = QgsWkbTypes.geometryType(source.wkbType())
        if gtype not in (QgsWkbTypes.PolygonGeometry, QgsWkbTypes.UnknownGeometry):
            raise InputError(tr(
                "Parameter {0}: the layer holds {1} geometries; a polygon layer is needed (draw "
                "the area as a polygon, or buffer the lines or points: Vector geometry > "
                "Buffer).").format(name, QgsWkbTypes.geometryDisplayString(gtype)))
        for feature in source.getFeatures():
            _check_polygon_feature(name, feature)


# --- limits --------------------------------------------------------------

def _number(alg, parameters, name, context):
    """The number a parameter will run with (its default when not given;
    None when blank or not finite)."""
    raw = parameters.get(name)
    if isinstance(raw, str) and not raw.strip():
        return None
    definition = alg.parameterDefinition(name)
    if raw is None and (definition is None or definition.defaultValue() is None):
        return None
    value = alg.parameterAsDouble(parameters, name, context)
    return float(value) if value is not None and math.isfinite(value) else None


#: upper bounds on numbers that imply unbounded work: name -> (largest value,
#: what the value implies, the sensible range)
LIMITS = {
    "SWEEPS": (100000, QT_TRANSLATE_NOOP("HpcsValidation", "passes of the 3 x 3 mean over every free "
                                                  "cell"),
               QT_TRANSLATE_NOOP("HpcsValidation", "1 to 100000 (the paper's rule gives a few hundred; "
                                          "for a fully converged surface choose the "
                                          "'converged' interpolation instead)")),
    "YEARS": (1000, QT_TRANSLATE_NOOP("HpcsValidation", "years of erosion extrapolated from models "
                                               "calibrated on annual rates and decades of "
                                               "landscape evolution"),
              QT_TRANSLATE_NOOP("HpcsValidation", "1 to 1000 years (the design horizon of a reclaimed "
                                         "dump)")),
}

#: the most explicit diffusion sub-steps (over all time steps) a run may need
MAX_DIFFUSION_SUBSTEPS = 20000


def check_limits(alg, parameters, context, cell_size=None):
    """Upper bounds on numbers whose work grows without limit."""
    names = {d.name() for d in alg.parameterDefinitions()}
    for name, (largest, implies, sensible) in LIMITS.items():
        if name not in names:
            continue
        value = _number(alg, parameters, name, context)
        if value is not None and value > largest:
            raise InputError(tr("Parameter {0} = {1} implies {1} {2}; that is beyond any useful "
                                "run. Use {3}.").format(name, f"{value:g}", tr(implies),
                                                        tr(sensible)))
    if "DIFFUSIVITY" in names and "YEARS" in names and cell_size:
        from ..core.lem import DIFFUSION_CFL
        d = _number(alg, parameters, "DIFFUSIVITY", context)
        years = _number(alg, parameters, "YEARS", context)
        if d and years and d > 0:
            steps = years * d / (DIFFUSION_CFL * cell_size ** 2)
            if steps > MAX_DIFFUSION_SUBSTEPS:
                largest = MAX_DIFFUSION_SUBSTEPS * DIFFUSION_CFL * cell_size ** 2 / years
                raise InputError(tr(
                    "Parameter DIFFUSIVITY = {0} m2/yr on {1} m cells over {2} years implies "
                    "{3} explicit diffusion sub-steps (stable step {4} x cell^2 / D). Hillslope "
                    "diffusivities of soil are 0.001 to 0.1 m2/yr; use at most {5} m2/yr here, "
                    "or a coarser grid.").format(f"{d:g}", f"{cell_size:g}", f"{years:g}",
                                                 f"{steps:,.0f}", f"{DIFFUSION_CFL:g}",
                                                 f"{largest:.3g}"))
    if "STRIP_WIDTH" in names and cell_size:
        width = _number(alg, parameters, "STRIP_WIDTH", context)
        if width is not None and width < cell_size:
            raise InputError(tr(
                "Parameter STRIP_WIDTH = {0} m is narrower than one cell of the DEM ({1} m): a "
                "strip would hold no cell centre and the plan would need one period per "
                "fraction of a cell. Use a width of at least one cell, typically 5 to 20 cells "
                "({2} to {3} m here).").format(f"{width:g}", f"{cell_size:g}",
                                               f"{5 * cell_size:g}", f"{20 * cell_size:g}"))


def reference_cell_size(alg, parameters, context):
    """The cell size (m) of the first raster input, None when there is none."""
    for d in alg.parameterDefinitions():
        if parameters.get(d.name()) in (None, ""):
            continue
        try:
            if isinstance(d, QgsProcessingParameterRasterLayer):
                layer = alg.parameterAsRasterLayer(parameters, d.name(), context)
            elif isinstance(d, QgsProcessingParameterMultipleLayers) and \
                    d.layerType() == QgsProcessing.TypeRaster:
                layers = alg.parameterAsLayerList(parameters, d.name(), context)
                layer = layers[0] if layers else None
            else:
                continue
        except Exception:
            continue
        if layer is not None and layer.isValid():
            return min(abs(layer.rasterUnitsPerPixelX()), abs(layer.rasterUnitsPerPixelY()))
    return None


def validate(alg, parameters, context, feedback=None):
    """Every check of this module, before any computation.  Returns the
    {name: path} of the file outputs."""
    paths = check_outputs(alg, parameters, context)
    check_raster_crs(alg, parameters, context, feedback)
    check_polygons(alg, parameters, context)
    check_limits(alg, parameters, context, reference_cell_size(alg, parameters, context))
    return paths


# --- raster values (run where each raster is read) ------------------------

def _first(bad, grid):
    r, c = (int(v) for v in np.argwhere(bad)[0])
    x0, dx, _, y0, _, dy = grid.transform
    return tr("row {0}, column {1}, x {2}, y {3}").format(
        r, c, f"{x0 + (c + 0.5) * dx:.1f}", f"{y0 + (r + 0.5) * dy:.1f}")


def check_raster_values(name, array, grid):
    """Value rules of a raster parameter: no undeclared nodata (|v| >= 1e20)
    anywhere; ESRI D8 codes in FLOWDIR; 0/1 in CHANNELS and RIDGES; [0, 1] in
    PROBABILITY.  Nodata (nan) is allowed here; inside an area
    ``core.grid.require_data`` decides."""
    label = grid.name or name
    finite = np.isfinite(array)
    huge = finite & (np.abs(array) >= HUGE)
    if huge.any():
        v = float(array[huge][0])
        raise InputError(tr(
            "{0} holds {1} cell(s) of {2} (first at {3}): a nodata value that the raster does "
            "not declare. Declare it (Raster > Conversion > Translate with 'Assign a specified "
            "nodata value' = {2}, or the layer's Properties > Transparency) and run "
            "again.").format(label, int(huge.sum()), f"{v:g}", _first(huge, grid)))
    if name in FLOWDIR_PARAMETERS:
        bad = finite & ~np.isin(array, ESRI_CODES)
        if bad.any():
            vals = ", ".join(f"{v:g}" for v in np.unique(array[bad])[:4])
            raise InputError(tr(
                "{0} holds {1} ... on {2} cell(s) (first at {3}), which are not ESRI D8 codes "
                "(0, 1, 2, 4, ..., 128). Use the flow directions written by 'Channel and ridge "
                "extraction' (OUTPUT_FLOWDIR), not a DEM or another raster.").format(
                    label, vals, int(bad.sum()), _first(bad, grid)))
    if name in MASK_PARAMETERS:
        bad = finite & (array != 0) & (array != 1)
        if bad.any():
            vals = ", ".join(f"{v:g}" for v in np.unique(array[bad])[:4])
            raise InputError(tr(
                "{0} holds {1} ... on {2} cell(s) (first at {3}); it must be a 0/1 mask (1 = "
                "{4} cell). Use the {5} output of 'Channel and ridge extraction'.").format(
                    label, vals, int(bad.sum()), _first(bad, grid), name.lower()[:-1], name))
    if name in FRACTION_PARAMETERS:
        bad = finite & ((array < 0) | (array > 1))
        if bad.any():
            raise InputError(tr(
                "{0} holds values from {1} to {2} ({3} cell(s) outside [0, 1], first at {4}); a "
                "probability must lie in [0, 1]. Rescale it (Raster calculator) and run "
                "again.").format(label, f"{float(np.nanmin(array)):g}",
                                 f"{float(np.nanmax(array)):g}", int(bad.sum()),
                                 _first(bad, grid)))
