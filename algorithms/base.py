"""Shared parts of every HPCS Landform algorithm (thin QGIS glue).

Subclasses set NAME, DISPLAY_NAME, GROUP, GROUP_ID and HELP, declare their
parameters in ``initAlgorithm`` (the ones several algorithms share through the
parameter catalogue below, ``self.add_parameter(NAME)``) and implement
``run_algorithm(parameters, context, feedback)``, which reads parameters with
the helpers below, calls one core function with ``self.progress(feedback)``,
writes outputs and returns the result dict.  Errors from the core (``InputError``) become a
``QgsProcessingException`` with the same message; a cancel stops cleanly.
"""
import math
import os
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterEnum,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..core.errors import Cancelled, InputError, Progress
from ..core.grid import (
    RASTER_EXTENSIONS,
    rasterize_labels,
    rasterize_polygons,
    read_raster,
    require_metric,
    staged_folder,
    staged_outputs,
    write_raster,
)
from ..core.resilience import rasterize_each
from ..core.styles import write_style
from ..core.surfaces import DEFAULT_A_MAX
from . import validation

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))

#: options of the PLAN parameter
PLAN_LABELS = ["Optimized (MNNDL) when the layer has it, else the only plan",
               "Original (NNDL)"]
#: kinds of sub-area feature that are mined (the pit's extent); only 'mining'
#: strips feed the dump
MINED_KINDS = ("mining", "box cut", "final pit")


@dataclass
class PlanStrips:
    """One plan of a sub-area layer on the grid (HpcsAlgorithm.plan_strips).

    mining, refilling: int32 rasters, the period of the 'mining' / 'refilling'
    strip whose polygon contains each cell centre (0 = none).
    mined_periods: the same over every mined feature ('mining', 'box cut',
    'final pit'; periods below 1 count as 1), so ``mined_periods > 0`` is the
    pit's extent.
    records: the plan's attribute dicts; plan: its name (None when the layer
    has no field 'plan'); polygons: {'mining' | 'refilling' | 'mined':
    (WKB list, period list)} in the grid's CRS.
    """
    mining: object
    refilling: object
    mined_periods: object
    records: list
    plan: object
    polygons: dict

    @property
    def mined(self):
        return self.mined_periods > 0


def _text(value):
    """A QVariant/None-safe attribute as stripped text ('' for null)."""
    if value is None or (hasattr(value, "isNull") and value.isNull()):
        return ""
    return str(value).strip()


def _int(value):
    try:
        if value is None or (hasattr(value, "isNull") and value.isNull()):
            return None
        return int(float(value))
    except (TypeError, ValueError):
        return None


def _number(value):
    """float of an attribute value, None for NULL / empty / not a number."""
    if value is None:
        return None
    try:
        if hasattr(value, "isNull") and value.isNull():
            return None
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def supply_from_records(records, name="SUBAREAS"):
    """V_g per period from the sub-area layer's attributes (PlanStrips.records).

    The supply of refilling strip n is v_supply of the refilling feature of
    period n when set there, else v_supply of the mining feature of period n
    (the spoil of a_mn refills a_fn).
    """
    if not records or "v_supply" not in records[0]:
        raise InputError(
            f"Parameter {name}: the layer has no field v_supply (the supply V_g of eq. 6 in "
            "m3). Use the sub-area layer written by 'Mining/refilling sub-area delineation' "
            "(fields period, kind, v_supply, v_fmin, v_fmax, ...).")
    by_kind = {"mining": {}, "refilling": {}}
    for rec in records:
        kind = str(rec.get("kind", "")).lower()
        period = _number(rec.get("period"))
        if kind not in by_kind or period is None:
            continue
        v = _number(rec.get("v_supply"))
        if v is not None:
            by_kind[kind][int(period)] = v
    supply = dict(by_kind["mining"])
    supply.update(by_kind["refilling"])
    return supply


def _stamp(path):
    """(size, mtime_ns) of a file, None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


REPOSITORY = "https://github.com/hpcs-landform/hpcs_landform"

#: groups of the Toolbox: id -> display name
GROUPS = {
    "hydrology": "Hydrology",
    "hpcsmodel": "HPCS model",
    "evaluation": "Evaluation",
    "ecology": "Ecological assessment",
}


# =============================================================================
# --- parameter catalogue: one definition per shared parameter ----------------
# Every parameter that more than one algorithm declares is defined once here
# (type, label, range, default, help) and declared with
# ``self.add_parameter(NAME)`` or one of the ``add_*_parameters`` group
# methods of :class:`ParameterCatalogue`; tests/test_layout.py checks that a
# name shared by two algorithms has the same definition everywhere.  Only
# whether an algorithm can run without it (``optional``) is the algorithm's
# own; what a blank value means there is said in the algorithm's help.
# =============================================================================
@dataclass(frozen=True)
class ParameterSpec:
    """One shared parameter.  kind: 'raster', 'polygons' (a feature source of
    polygons), 'rasters' (several raster layers), 'number', 'integer' or
    'enum'; label and help are translated when declared."""
    kind: str
    label: str
    help: str
    default: object = None
    minimum: float = None
    maximum: float = None
    options: tuple = ()
    advanced: bool = False


#: the shared parameters, by name
PARAMETERS = {
    # --- rasters of the mine --------------------------------------------------
    "INPUT": ParameterSpec(
        "raster", "Pre-mining DEM (PNL; elevation in metres, projected CRS)",
        "The landform before mining (PNL, dem_or of eq. 6), elevation in metres in a "
        "projected CRS. The step's other rasters must be on its grid."),
    "FLOOR": ParameterSpec(
        "raster", "Floor of the lowest minable seam (elevation, m)",
        "H_md / H_fd of eq. 6-8: the elevation, in metres, of the floor of the lowest seam "
        "that is mined, on the DEM's grid; the pit is dug down to it."),
    "THICKNESS": ParameterSpec(
        "raster", "Minable coal thickness (m)",
        "h_t of eq. 6: the thickness of the coal taken out, in metres, on the DEM's grid; "
        "the spoil of a strip is its volume above the floor less this coal."),
    "SURFACE_MAX": ParameterSpec(
        "raster", "Maximum earthwork surface (dem_max)",
        "dem_max of eq. 7, written by 'Earthwork surfaces': the highest surface a dump may "
        "be built up to, elevation in metres on the DEM's grid."),
    "SURFACE_MIN": ParameterSpec(
        "raster", "Minimum earthwork surface (dem_min)",
        "dem_min of eq. 8, written by 'Earthwork surfaces': the lowest surface a dump must "
        "reach, elevation in metres on the DEM's grid."),
    "CATCHMENTS": ParameterSpec(
        "raster", "Catchments (channel link ids)",
        "The catchment of each channel link (an integer id per cell), as 'Channel "
        "extraction' writes it, on the DEM's grid."),
    "FLOWDIR": ParameterSpec(
        "raster", "Flow direction (ESRI D8 codes)",
        "D8 flow direction as 'Channel extraction' writes it (ESRI codes 1, 2, 4 ... 128), "
        "on the DEM's grid."),
    "ACCUMULATION": ParameterSpec(
        "raster", "Flow accumulation (cells)",
        "D8 flow accumulation as 'Channel extraction' writes it (the number of cells that "
        "drain through each cell, itself included), on the DEM's grid."),
    "PRISTINE": ParameterSpec(
        "raster", "Pristine landform (PNL, pre-mining DEM, metres)",
        "The reference landform the reshaped one is compared with: the pre-mining DEM (or "
        "'Pristine landform with the final pit'), elevation in metres."),
    "LANDFORM": ParameterSpec(
        "raster", "Reshaped landform (DEM on the same grid)",
        "A designed landform (near-natural or terraced), elevation in metres, on the grid of "
        "the pre-mining DEM."),
    "LANDFORMS": ParameterSpec(
        "rasters", "Landforms (elevation rasters on one grid)",
        "The landforms to compare, elevation rasters in metres, all on one grid; the "
        "algorithm's help says which of them is the reference."),
    # --- vector layers --------------------------------------------------------
    "SUBAREAS": ParameterSpec(
        "polygons", "Mining/refilling sub-areas (fields period, kind)",
        "The strips written by 'Mining/refilling sub-area delineation': polygons with the "
        "fields period and kind ('mining', 'refilling', 'box cut', 'final pit') and, when "
        "the layer holds both plans, plan."),
    "MINE_AREA": ParameterSpec(
        "polygons", "Mine area (polygon)",
        "The mine (lease) polygon that is divided into strips, in any CRS (it is "
        "reprojected to the DEM's)."),
    "EVALUATION_AREA": ParameterSpec(
        "polygons", "Evaluation area (polygons)",
        "The area over which the step sums or averages what it measures, polygons in any "
        "CRS (reprojected to the grid's); the algorithm's help says what a blank value "
        "means where it is optional."),
    "ZONES": ParameterSpec(
        "polygons", "Zones (polygons)",
        "Polygons (for example the mining type) over which the result is summarised, one "
        "row per zone."),
    # --- the mining plan ------------------------------------------------------
    "PLAN": ParameterSpec(
        "enum", "Plan (the sub-area layer's field 'plan', if it has one)",
        "Which plan of a sub-area layer holding both (field plan) is used: the optimized "
        "one (MNNDL) or the original equal strips (NNDL). A layer with one plan is used "
        "as it is.",
        default=0, options=tuple(PLAN_LABELS)),
    "DIRECTION": ParameterSpec(
        "number", "Mining direction (degrees from north)",
        "The direction the pit advances, degrees clockwise from north (the paper mines due "
        "west, 270).",
        default=270.0, minimum=0.0, maximum=360.0),
    "STRIP_WIDTH": ParameterSpec(
        "number", "Strip width (m)",
        "Width of the original (equal) mining and refilling strips, metres, along the "
        "mining direction.",
        default=90.0, minimum=0.001),
    "K": ParameterSpec(
        "number", "k, ratio of spoil to stripped volume (eq. 6)",
        "k of eq. 6: the actual spoil volume over the stripped bank volume (swell, losses, "
        "partings); it multiplies the supply V_g of each mining strip.",
        default=1.0, minimum=0.001),
    "A_MAX": ParameterSpec(
        "number", "A_max, maximum slope angle (degrees)",
        "A_max of eq. 3 and 4: the steepest slope angle, degrees, of the earthwork surfaces "
        "(dem_max = min(h + L tan A_max) on the watersheds).",
        default=DEFAULT_A_MAX, minimum=0.0, maximum=89.9),
    "BENCH_HEIGHT": ParameterSpec(
        "number", "Bench (lift) height (m)",
        "Height of the benches (lifts) the strips are stripped and the dumps built in, "
        "metres (the paper: 10 m).",
        default=10.0, minimum=0.1),
    "CHANNEL_THRESHOLD": ParameterSpec(
        "integer", "Channel threshold (flow-accumulation cells)",
        "A cell is on a channel where at least this many cells (itself included) drain "
        "through it. The algorithm's help says what a blank value means where it is "
        "optional.",
        minimum=2),
    "YEARS": ParameterSpec(
        "number", "Years of erosion",
        "How many years of erosion are simulated on each landform.",
        default=10.0, minimum=1e-6),
    # --- the final pit (advanced) ---------------------------------------------
    "WORKING_ANGLE": ParameterSpec(
        "number", "Final pit: working-side wall angle (degrees)",
        "Slope of the final pit's wall on the working (mining) side, degrees (the paper: "
        "20).",
        default=20.0, minimum=0.1, maximum=89.9, advanced=True),
    "END_ANGLE": ParameterSpec(
        "number", "Final pit: end-wall angle (degrees)",
        "Slope of the final pit's end walls, across the mining direction, degrees (the "
        "paper: 13).",
        default=13.0, minimum=0.1, maximum=89.9, advanced=True),
    "DUMP_ANGLE": ParameterSpec(
        "number", "Final pit: dump-side wall angle (degrees)",
        "Slope of the final pit's wall on the inner-dump side, degrees (the paper: 8).",
        default=8.0, minimum=0.1, maximum=89.9, advanced=True),
}

#: the parameter groups of the add_*_parameters methods
PIT_ANGLE_PARAMETERS = ("WORKING_ANGLE", "END_ANGLE", "DUMP_ANGLE")
SEAM_PARAMETERS = ("FLOOR", "THICKNESS")
SURFACE_PARAMETERS = ("SURFACE_MAX", "SURFACE_MIN")
PRISTINE_FLOW_PARAMETERS = ("FLOWDIR", "ACCUMULATION")


def parameter_definition(name, tr, optional=False):
    """The QGIS definition of the catalogue's parameter ``name`` (``tr``
    translates the label, help and options)."""
    from qgis.core import (
        QgsProcessingParameterDefinition,
        QgsProcessingParameterFeatureSource,
        QgsProcessingParameterMultipleLayers,
        QgsProcessingParameterNumber,
        QgsProcessingParameterRasterLayer,
    )
    s = PARAMETERS[name]
    label = tr(s.label)
    if s.kind == "raster":
        p = QgsProcessingParameterRasterLayer(name, label, optional=optional)
    elif s.kind == "polygons":
        p = QgsProcessingParameterFeatureSource(name, label, [QgsProcessing.TypeVectorPolygon],
                                                optional=optional)
    elif s.kind == "rasters":
        p = QgsProcessingParameterMultipleLayers(name, label, QgsProcessing.TypeRaster,
                                                 optional=optional)
    elif s.kind == "enum":
        p = QgsProcessingParameterEnum(name, label, options=[tr(o) for o in s.options],
                                       defaultValue=s.default, optional=optional)
    elif s.kind in ("number", "integer"):
        kind = QgsProcessingParameterNumber.Integer if s.kind == "integer" \
            else QgsProcessingParameterNumber.Double
        limits = {k: v for k, v in (("minValue", s.minimum), ("maxValue", s.maximum))
                  if v is not None}
        p = QgsProcessingParameterNumber(name, label, kind, defaultValue=s.default,
                                         optional=optional, **limits)
    else:
        raise ValueError(f"parameter {name}: unknown kind {s.kind!r}")
    p.setHelp(tr(s.help))
    if s.advanced:
        p.setFlags(p.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
    return p


class ParameterCatalogue:
    """Declares the catalogue's parameters on an algorithm (mixed into
    HpcsAlgorithm): one add_*_parameters method per group of parameters."""

    def add_parameter(self, name, optional=False):
        """Declare the shared parameter ``name`` as PARAMETERS defines it."""
        definition = parameter_definition(name, self.tr, optional)
        self.addParameter(definition)
        return definition

    def add_parameters(self, names, optional=False):
        for name in names:
            self.add_parameter(name, optional)

    def add_plan_parameter(self):
        """The PLAN enum of the algorithms that read a sub-area layer."""
        self.add_parameter("PLAN", optional=True)

    def add_pit_angle_parameters(self):
        """The three advanced wall angles of the final pit."""
        self.add_parameters(PIT_ANGLE_PARAMETERS)

    def add_seam_parameters(self, optional=False):
        """FLOOR and THICKNESS: the seam floor and the coal taken out (eq. 6)."""
        self.add_parameters(SEAM_PARAMETERS, optional)

    def add_plan_inputs(self):
        """INPUT, FLOOR, SUBAREAS and PLAN: the pre-mining DEM, the seam floor and
        the strips of one plan, the inputs of every landform built on a plan."""
        self.add_parameters(("INPUT", "FLOOR", "SUBAREAS"))
        self.add_plan_parameter()

    def add_haul_inputs(self):
        """The inputs of the earth moves of a plan (eq. 6, 13): the pre-mining DEM,
        the seam, the landform, the strips, the lift height, k and the plan."""
        self.add_parameter("INPUT")
        self.add_seam_parameters()
        self.add_parameters(("LANDFORM", "SUBAREAS", "BENCH_HEIGHT", "K"))
        self.add_plan_parameter()

    def add_surface_parameters(self, optional=False):
        """SURFACE_MAX and SURFACE_MIN: the earthwork surfaces (eq. 7, 8)."""
        self.add_parameters(SURFACE_PARAMETERS, optional)

    def add_pristine_flow_parameters(self):
        """FLOWDIR and ACCUMULATION of PNL, optional: channel extraction's outputs
        for the pre-mining DEM, so a step does not route PNL again
        (HpcsAlgorithm.read_pristine_flow reads them)."""
        self.add_parameters(PRISTINE_FLOW_PARAMETERS, optional=True)
# --- end of the parameter catalogue ------------------------------------------



class HpcsAlgorithm(ParameterCatalogue, QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "hydrology"
    HELP = ""

    # --- identity ---------------------------------------------------------
    def tr(self, text):
        """Translate in the running class's context; the shared messages of this
        base class live once, in the context 'HpcsAlgorithm'."""
        out = QCoreApplication.translate(type(self).__name__, text)
        return out if out != text else QCoreApplication.translate("HpcsAlgorithm", text)

    def createInstance(self):  # noqa: N802
        return type(self)()

    def name(self):
        return self.NAME

    def displayName(self):  # noqa: N802
        return self.tr(self.DISPLAY_NAME)

    def group(self):
        return QCoreApplication.translate("HpcsAlgorithm", GROUPS[self.GROUP_ID])

    def groupId(self):  # noqa: N802
        return self.GROUP_ID

    def shortHelpString(self):  # noqa: N802
        return self.tr(self.HELP)

    def helpUrl(self):  # noqa: N802
        return f"{REPOSITORY}#algorithms"

    def icon(self):
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "hpcs.svg"))

    def svgIconPath(self):  # noqa: N802
        return os.path.join(PLUGIN_DIR, "icons", "hpcs.svg")

    # --- running ----------------------------------------------------------
    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's own checks, then the destinations (cheap: no raster is read),
        so the dialog and qgis_process refuse a bad output before the run."""
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        try:
            validation.check_outputs(self, parameters, context)
        except InputError as exc:
            return False, validation.message(exc)
        return True, ""

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        """Validate every input and output (algorithms.validation), run, and
        commit the outputs together at the end: until the whole run has
        succeeded no earlier file is replaced."""
        paths = {}
        try:
            paths = validation.validate(self, parameters, context, feedback)
            before = {p: _stamp(p) for p in paths.values()}
            with staged_outputs() as stage:
                results = self.run_algorithm(parameters, context, feedback)
                self.progress(feedback).check()
                stage.commit()
            return results
        except InputError as exc:
            self._report_outputs(feedback, paths, locals().get("before"))
            raise QgsProcessingException(validation.message(exc)) from None
        except Cancelled:
            self._report_outputs(feedback, paths, locals().get("before"), cancelled=True)
            raise QgsProcessingException(self.tr("The algorithm was cancelled.")) from None
        except MemoryError:
            self._report_outputs(feedback, paths, locals().get("before"))
            raise QgsProcessingException(self.tr(
                "Not enough memory for this raster. Clip it to the area of interest or use a "
                "coarser cell size.")) from None
        except OSError as exc:
            self._report_outputs(feedback, paths, locals().get("before"))
            raise QgsProcessingException(self.tr(
                "Cannot write an output: {0}. Check the output paths and the free disk "
                "space.").format(exc)) from None

    def _report_outputs(self, feedback, paths, before, cancelled=False):
        """Say exactly which outputs exist after a failed or cancelled run."""
        if feedback is None:
            return
        head = self.tr("Cancelled: ") if cancelled else self.tr("Stopped: ")
        if not paths or before is None:
            feedback.reportError(head + self.tr("no output of this step was written."))
            return
        lines = []
        for name, path in paths.items():
            now = _stamp(path)
            if now is None:
                lines.append(self.tr("{0}: not written ({1} does not exist)").format(name, path))
            elif now == before.get(path):
                lines.append(self.tr("{0}: not written; the earlier file {1} is unchanged").format(
                    name, path))
            else:
                lines.append(self.tr("{0}: {1} was written").format(name, path))
        feedback.reportError(head + self.tr("outputs of this step: ") + "; ".join(lines) + ".")

    def run_algorithm(self, parameters, context, feedback):
        raise NotImplementedError

    @staticmethod
    def progress(feedback, start=0.0, end=100.0):
        """Core progress adapter: reports to ``feedback``, honours its cancel."""
        if feedback is None:
            return Progress(start=start, end=end)
        return Progress(feedback.setProgress, feedback.isCanceled, start, end)

    # --- numbers --------------------------------------------------------------
    def optional_number(self, parameters, name, context, positive=False):
        """An optional number parameter: None when left blank (or not finite, or,
        with ``positive``, not above 0), else the value as a float."""
        raw = parameters.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        value = self.parameterAsDouble(parameters, name, context)
        if value is None or not math.isfinite(value) or (positive and value <= 0):
            return None
        return float(value)

    # --- raster input -----------------------------------------------------
    def raster_layer(self, parameters, name, context, required=True):
        layer = self.parameterAsRasterLayer(parameters, name, context)
        if layer is None:
            if required:
                raise QgsProcessingException(self.tr(
                    "Parameter {0}: no raster layer was given or it could not be loaded; "
                    "choose a raster file GDAL can read (e.g. a GeoTIFF).").format(name))
            return None
        if not layer.isValid():
            raise QgsProcessingException(self.tr(
                "Parameter {0}: '{1}' is not a valid raster layer.").format(name, layer.source()))
        if layer.providerType() != "gdal":
            raise QgsProcessingException(self.tr(
                "Parameter {0}: layer '{1}' comes from the '{2}' provider; save it as a "
                "GeoTIFF (Export > Save As...) and use that file.").format(
                    name, layer.name(), layer.providerType()))
        return layer

    def read_raster(self, parameters, name, context, band=1, metric=True, required=True):
        """(array float64 with nan for nodata, Grid) of a raster parameter.

        With ``metric`` a geographic CRS stops with a message telling the
        user which projected CRS to reproject to.
        """
        layer = self.raster_layer(parameters, name, context, required)
        if layer is None:
            return None, None
        source = layer.source().split("|")[0]
        array, grid = read_raster(source, band, name=f"'{layer.name()}' ({name})")
        validation.check_raster_values(name, array, grid)
        if not grid.crs_wkt and layer.crs().isValid():
            from dataclasses import replace
            grid = replace(grid, crs_wkt=layer.crs().toWkt())
        if metric:
            require_metric(grid, grid.name)
        return array, grid

    @staticmethod
    def require_same_grid(reference, other, what):
        """Stop unless ``other`` is on the same grid as ``reference``."""
        if other is None:
            return
        if not reference.same_as(other):
            raise InputError(
                f"{other.name} is not on the same grid as {reference.name}: "
                f"{other.shape[0]} x {other.shape[1]} cells at {other.transform} versus "
                f"{reference.shape[0]} x {reference.shape[1]} at {reference.transform}. "
                f"Resample {what} onto the DEM's grid (Raster > Projections > Warp, with the "
                "DEM's extent and cell size) and run again.")

    def read_pit_angles(self, parameters, context):
        """(working side, end walls, dump side) wall angles of the final pit, degrees,
        from the PIT_ANGLE_PARAMETERS (add_pit_angle_parameters)."""
        return tuple(self.parameterAsDouble(parameters, n, context)
                     for n in PIT_ANGLE_PARAMETERS)

    def read_pristine_flow(self, parameters, context, grid):
        """{'flowdir': ESRI codes, 'accumulation': cells} of PNL from FLOWDIR and
        ACCUMULATION (None where blank), each on the DEM's ``grid``; the keyword
        arguments of the core functions that otherwise route PNL themselves
        (core.fusion.pristine_flow checks that they belong to the DEM)."""
        flow = {}
        for name in PRISTINE_FLOW_PARAMETERS:
            flow[name.lower()], fgrid = self.read_raster(parameters, name, context,
                                                         required=False)
            self.require_same_grid(grid, fgrid, name)
        return flow

    # --- vector input -----------------------------------------------------
    def geometries_in_grid_crs(self, parameters, name, context, grid, required=True):
        """(QgsGeometry list in the grid's CRS, attribute dicts) of a vector parameter;
        (None, None) when an optional layer was not given.  Empty geometries are
        skipped."""
        from qgis.core import QgsCoordinateReferenceSystem, QgsGeometry
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            if required:
                raise QgsProcessingException(self.tr(
                    "Parameter {0}: no vector layer was given.").format(name))
            return None, None
        target = QgsCoordinateReferenceSystem.fromWkt(grid.crs_wkt) if grid.crs_wkt else None
        transform = None
        if target is not None and target.isValid() and source.sourceCrs().isValid() \
                and source.sourceCrs() != target:
            transform = QgsCoordinateTransform(source.sourceCrs(), target,
                                               context.transformContext())
        names = source.fields().names()
        geoms, attrs = [], []
        for feature in source.getFeatures():
            geom = feature.geometry()
            if geom is None or geom.isEmpty():
                continue
            geom = QgsGeometry(geom)
            if transform is not None:
                geom.transform(transform)
            geoms.append(geom)
            attrs.append(dict(zip(names, feature.attributes())))
        return geoms, attrs

    def features_in_grid_crs(self, parameters, name, context, grid, required=True):
        """(list of WKB geometries in the grid's CRS, list of attribute dicts)."""
        geoms, attrs = self.geometries_in_grid_crs(parameters, name, context, grid, required)
        if geoms is None:
            return None, None
        return [bytes(g.asWkb()) for g in geoms], attrs

    def polygon_mask(self, parameters, name, context, grid, required=True):
        """Boolean mask of the grid cells whose centre is inside the polygons."""
        wkbs, _ = self.features_in_grid_crs(parameters, name, context, grid, required)
        if wkbs is None:
            return None
        if not wkbs:
            raise InputError(f"Parameter {name}: the polygon layer has no features.")
        mask = rasterize_polygons(wkbs, grid)
        if not mask.any():
            raise InputError(
                f"Parameter {name}: the polygons do not cover the centre of any cell of "
                f"{grid.name}. Check that the layer overlaps the DEM (same area, CRS set).")
        return mask

    def read_zones(self, parameters, zones_name, field_name, context, grid, feedback,
                   group=False):
        """Zones of a polygon parameter as a list of (name, boolean mask) on ``grid``.

        Names come from ``field_name`` (or 'feature <n>', 1-based in layer order).
        With ``group`` the features with the same field value form one zone (one
        rasterisation of all of them); otherwise each feature is a zone (a
        (window, sub-mask) pair of core.resilience.rasterize_each).  None when the
        parameter was left empty.
        """
        wkbs, attrs = self.features_in_grid_crs(parameters, zones_name, context, grid,
                                                required=False)
        if wkbs is None:
            return None
        if not wkbs:
            raise InputError(f"Parameter {zones_name}: the polygon layer has no features.")
        field = self.parameterAsString(parameters, field_name, context) if field_name else ""
        if field:
            names = ["" if a.get(field) is None else str(a.get(field)) for a in attrs]
        else:
            names = [f"feature {i + 1}" for i in range(len(wkbs))]
        if group:
            order = list(dict.fromkeys(names))
            zones = [(n, rasterize_polygons([w for w, m in zip(wkbs, names) if m == n], grid))
                     for n in order]
        else:
            zones = list(zip(names, rasterize_each(wkbs, grid)))
        empty = [n for n, m in zones if not (m[1] if isinstance(m, tuple) else m).any()]
        if len(empty) == len(zones):
            raise InputError(
                f"Parameter {zones_name}: the polygons do not cover the centre of any cell of "
                f"{grid.name}. Check that the layer overlaps the rasters (same area, CRS set).")
        if empty:
            feedback.pushWarning(self.tr("These zones cover no cell centre and get empty rows: "
                                         "{0}").format(", ".join(empty[:20])))
        return zones

    def read_plans(self, parameters, context, grid, name="SUBAREAS"):
        """Every plan of a sub-area layer: {plan name: PlanStrips}.

        hpcs:subareadelineation writes the original and the optimized plan in
        one layer (field ``plan``); a layer without that field is one plan,
        keyed ``None``.  Features need the fields ``period`` and ``kind``:
        'mining' and 'refilling' strips, and 'box cut' / 'final pit' features,
        which count as mined but feed no dump.  See :class:`PlanStrips`.
        """
        wkbs, attrs = self.features_in_grid_crs(parameters, name, context, grid)
        if not attrs:
            raise InputError(f"Parameter {name}: the sub-area layer has no features.")
        missing = [f for f in ("period", "kind") if f not in attrs[0]]
        if missing:
            raise InputError(
                f"Parameter {name}: the layer has no field {', '.join(missing)}. Use the "
                "sub-area layer written by 'Mining/refilling sub-area delineation' "
                "(fields period, kind, plan, v_supply, ...).")
        names = sorted({_text(a.get("plan")) for a in attrs} - {""}) or [None]
        plans = {}
        for plan in names:
            sel = [i for i, a in enumerate(attrs) if plan is None or _text(a.get("plan")) == plan]
            labels, polys = {}, {}
            for kinds, key in ((("mining",), "mining"), (("refilling",), "refilling"),
                               (MINED_KINDS, "mined")):
                ids = [i for i in sel if _text(attrs[i].get("kind")).lower() in kinds
                       and _int(attrs[i].get("period")) is not None]
                polys[key] = ([wkbs[i] for i in ids],
                              [max(_int(attrs[i]["period"]), 1) for i in ids])
                labels[key] = rasterize_labels(*polys[key], grid)
            if not labels["refilling"].any():
                which = f"of the '{plan}' plan " if plan else ""
                raise InputError(f"Parameter {name}: no refilling strip {which}covers a cell "
                                 f"centre of {grid.name}; check the layer and its CRS.")
            plans[plan] = PlanStrips(labels["mining"], labels["refilling"], labels["mined"],
                                     [attrs[i] for i in sel], plan, polys)
        return plans

    def plan_strips(self, parameters, context, grid, name="SUBAREAS"):
        """The plan of a sub-area layer that the PLAN parameter picks (default:
        the optimized plan when the layer has it), as :class:`PlanStrips`."""
        plans = self.read_plans(parameters, context, grid, name)
        if list(plans) == [None]:
            return plans[None]
        choice = self.parameterAsEnum(parameters, "PLAN", context) \
            if parameters.get("PLAN") is not None else 0
        plan = "original" if choice == 1 else ("optimized" if "optimized" in plans
                                               else sorted(plans)[0])
        if plan not in plans:
            raise InputError(f"Parameter {name}: the layer has no strips of the '{plan}' "
                             f"plan (field plan: {', '.join(sorted(plans))}).")
        return plans[plan]

    # --- vector output ----------------------------------------------------
    def parameterAsSink(self, parameters, name, context, fields, geometryType=None,  # noqa: N802
                        crs=None, *args, **kwargs):
        """QGIS's sink, written under the destination's own file name into a
        hidden folder beside it (with every part a format writes: a
        shapefile's .shx, .dbf, .prj, .cpg) and committed with the run's other
        outputs, so a failed run never replaces an earlier layer.  Database
        destinations are refused before the run (validation.check_outputs)."""
        from qgis.core import (
            QgsCoordinateReferenceSystem,
            QgsProcessingOutputLayerDefinition,
            QgsProperty,
            QgsWkbTypes,
        )
        geometryType = QgsWkbTypes.NoGeometry if geometryType is None else geometryType
        crs = QgsCoordinateReferenceSystem() if crs is None else crs
        definition = self.parameterDefinition(name)
        path = validation.destination_path(self, definition, parameters, context) \
            if definition is not None else ""
        tmp = staged_folder(path) if path else None
        if tmp is None:
            return super().parameterAsSink(parameters, name, context, fields, geometryType,
                                           crs, *args, **kwargs)
        staged = dict(parameters)
        value = parameters.get(name)
        if isinstance(value, QgsProcessingOutputLayerDefinition):
            # keep the destination project (the layer opens when the run ends)
            value = QgsProcessingOutputLayerDefinition(value)
            value.sink = QgsProperty.fromValue(tmp)
            staged[name] = value
        else:
            staged[name] = tmp
        sink, dest = super().parameterAsSink(staged, name, context, fields, geometryType, crs,
                                             *args, **kwargs)
        final = os.path.abspath(path) + dest[len(tmp):] if dest.startswith(tmp) else path
        layers = context.layersToLoadOnCompletion()
        if dest in layers:
            # (no post-processor is set yet: setLayersToLoadOnCompletion deletes
            # the one of a key it drops)
            details = layers.pop(dest)
            layers[final] = details
            context.setLayersToLoadOnCompletion(layers)
        return sink, final

    # --- raster output ----------------------------------------------------
    def write_raster(self, parameters, name, context, array, grid, dtype="float32",
                     nodata=None, style=None):
        """Write a GeoTIFF output (skipped when the user left it unset)."""
        dest = self.parameterAsOutputLayer(parameters, name, context)
        if not dest:
            return None
        ext = os.path.splitext(dest)[1].lower()
        if ext not in RASTER_EXTENSIONS:
            raise QgsProcessingException(self.tr(
                "Output {0}: only GeoTIFF (.tif) is supported, not '{1}'.").format(name, ext))
        write_raster(dest, array, grid, dtype=dtype, nodata=nodata)
        if style is not None:
            write_style(dest, style)
        return dest

