"""The Processing provider "HPCS Landform" (id ``hpcs``)."""
import glob
import os
import re
import shutil
import time

from qgis.core import (
    Qgis,
    QgsApplication,
    QgsMapLayerType,
    QgsMessageLog,
    QgsProcessing,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingModelAlgorithm,
    QgsProcessingOutputLayerDefinition,
    QgsProcessingProvider,
    QgsProcessingUtils,
    QgsProject,
    QgsProperty,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon, QPainter

from .algorithms.channel_extraction import ChannelExtraction
from .algorithms.classify_cells import ClassifyCells
from .algorithms.comparison_report import ComparisonReport
from .algorithms.cut_fill import CutFill
from .algorithms.damage_degree import DamageDegree
from .algorithms.design_sensitivity import DesignSensitivity
from .algorithms.earthwork_schedule import EarthworkSchedule
from .algorithms.earthwork_surfaces import EarthworkSurfaces
from .algorithms.erosion_comparison import ErosionComparison
from .algorithms.fracture_network import FractureNetwork
from .algorithms.fusion_rate import FusionRate
from .algorithms.haul_distance import HaulDistance
from .algorithms.near_natural_landform import NearNaturalLandform
from .algorithms.pristine_landform import PristineLandform
from .algorithms.resilience_index import ResilienceIndex
from .algorithms.subarea_delineation import SubareaDelineation
from .algorithms.traditional_landform import TraditionalLandform
from .algorithms.validation import check_outputs
from .algorithms.validation import message as validation_message
from .core.errors import InputError
from .core.grid import move_staged, stage_folder, staged_conflicts

PLUGIN_DIR = os.path.dirname(__file__)


def plugin_version():
    """The version of metadata.txt (the one place it is kept)."""
    with open(os.path.join(PLUGIN_DIR, "metadata.txt"), encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("version="):
                return line.split("=", 1)[1].strip()
    return ""

#: every algorithm class the provider offers, in Toolbox order
ALGORITHMS = [
    ChannelExtraction,
    NearNaturalLandform,
    TraditionalLandform,
    PristineLandform,
    CutFill,
    ClassifyCells,
    EarthworkSurfaces,
    SubareaDelineation,
    FusionRate,
    HaulDistance,
    EarthworkSchedule,
    ErosionComparison,
    ComparisonReport,
    ResilienceIndex,
    DamageDegree,
    FractureNetwork,
    DesignSensitivity,
]


class HpcsProvider(QgsProcessingProvider):
    def id(self):
        return "hpcs"

    def name(self):
        return QCoreApplication.translate("HpcsProvider", "HPCS Landform")

    def longName(self):  # noqa: N802
        return self.name()

    def icon(self):
        return QIcon(os.path.join(PLUGIN_DIR, "icons", "hpcs.svg"))

    def svgIconPath(self):  # noqa: N802
        return os.path.join(PLUGIN_DIR, "icons", "hpcs.svg")

    def versionInfo(self):  # noqa: N802
        return plugin_version()

    # every raster output is written as GeoTIFF (core.grid.write_raster)
    def supportedOutputRasterLayerExtensions(self):  # noqa: N802
        return ["tif"]

    def defaultRasterFileExtension(self):  # noqa: N802
        return "tif"

    def loadAlgorithms(self):  # noqa: N802
        for cls in ALGORITHMS:
            # Build a probe first: an exception raised while QGIS itself calls
            # initAlgorithm would abort QGIS (PyQt turns it into qFatal), so a
            # broken algorithm is logged and skipped instead.
            try:
                cls().initAlgorithm({})
            except Exception as exc:  # noqa: BLE001
                QgsMessageLog.logMessage(f"HPCS Landform: algorithm {cls.__name__} could not "
                                         f"be loaded: {exc!r}", "HPCS Landform", Qgis.Critical)
                continue
            self.addAlgorithm(cls())
        # The models' steps are this provider's algorithms, which resolve only once the
        # provider is in the registry (a model loaded earlier has no outputs): the models
        # are loaded by the refresh that follows the registration.
        registry = QgsApplication.processingRegistry()
        if registry.providerById(self.id()) is None:
            registry.providerAdded.connect(self._registered)
            return
        for path in sorted(glob.glob(os.path.join(PLUGIN_DIR, "models", "*.model3"))):
            model = ShippedModel(path)
            if model.loaded:
                self.addAlgorithm(model)
            else:
                QgsMessageLog.logMessage(f"Could not load model {path}", "HPCS Landform",
                                         Qgis.Warning)

    def _registered(self, provider_id):
        if provider_id == self.id():
            QgsApplication.processingRegistry().providerAdded.disconnect(self._registered)
            self.refreshAlgorithms()


#: where a model output opens in its run's layer group, top (drawn last) to bottom:
#: tables, channels, sub-areas, landforms, the hillshade at the bottom; True = shown
#: (the optimized design over the hillshade), False = in the group but unchecked
RUN_LAYERS = (
    ("REPORT:TABLE", False),
    ("FUSION_MNNDL:CHANNELS", True), ("FUSION_NNDL:CHANNELS", False),
    ("FUSION_TDL:CHANNELS", False), ("CHANNELS:CHANNELS", False),
    ("SUBAREAS:SUBAREAS", True),
    ("MNNDL:MNNDL", True), ("NNDL:NNDL", False), ("TDL:TDL", False), ("PNL:PNL", False),
    ("HILLSHADE:OUTPUT", True),
)
#: drawn with the multiply blend mode, so that the hillshade below shows through
OVER_HILLSHADE = {"MNNDL:MNNDL", "NNDL:NNDL", "TDL:TDL", "PNL:PNL"}
#: the elevation ramp of the landforms (low to high), one range for all of them
LANDFORM_COLOURS = ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c")
#: opacity of the sub-areas' fills over the landform
SUBAREA_OPACITY = 0.55
#: keeps the post-processors alive until QGIS has loaded the layers
_PLACERS = []
#: the run groups named in this session (their layers load after the run returns, so a
#: second run in the same second would not find the first one's group in the project yet)
_GROUPS = set()


def unique_name(name, taken):
    """``name``, or ``name (2)``, ``name (3)`` ... : the first not in ``taken``."""
    out, n = name, 2
    while out in taken:
        out, n = f"{name} ({n})", n + 1
    return out


class RunLayerPlacer(QgsProcessingLayerPostProcessorInterface):
    """Opens one output of a model run styled in the run's layer group: the step's own
    post-processor first (e.g. the sub-areas' style by plan and kind), then the .qml the
    step wrote beside a raster, a readable name and the place in the group by rank."""

    def __init__(self, group, rank, name, visible, inner, elevation=None, status=False):
        """elevation: (low, high) of the landforms' ramp for a landform, else None;
        status: mark the strips whose period misses a constraint (the sub-areas)."""
        super().__init__()
        self.group, self.rank, self.name = group, rank, name
        self.visible, self.inner, self.elevation = visible, inner, elevation
        self.status = status

    def style(self, layer):
        """The .qml the step wrote beside the file (a raster's always; a vector's
        when the step's own post-processor is not there, as for a staged model
        output), the landforms' ramp, the sub-areas' opacity and rules."""
        qml = os.path.splitext(layer.source().split("|")[0])[0] + ".qml"
        if layer.type() == QgsMapLayerType.RasterLayer:
            if os.path.exists(qml):
                layer.loadNamedStyle(qml)
            if self.elevation is not None:
                elevation_style(layer, *self.elevation)
        elif layer.type() == QgsMapLayerType.VectorLayer:
            if self.inner is None and os.path.exists(qml):
                layer.loadNamedStyle(qml)
            layer.setOpacity(SUBAREA_OPACITY)
            if self.status:
                status_rules(layer)

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if self.inner is not None:
            self.inner.postProcessLayer(layer, context, feedback)
        if layer is None or not layer.isValid():
            return
        self.style(layer)
        layer.setName(self.name)
        project = context.project() or QgsProject.instance()
        root = project.layerTreeRoot()
        node = root.findLayer(layer.id())
        group = root.findGroup(self.group)
        if group is None:
            group = root.insertGroup(0, self.group)
        index = sum(1 for ch in group.children()
                    if int(ch.customProperty("hpcs/rank", 0)) <= self.rank)
        placed = group.insertLayer(index, layer)
        placed.setCustomProperty("hpcs/rank", self.rank)
        placed.setItemVisibilityChecked(self.visible)
        placed.setExpanded(layer.type() == QgsMapLayerType.VectorLayer)   # short tree
        if node is not None and node.parent() is not None:
            node.parent().removeChildNode(node)
        layer.triggerRepaint()


def status_rules(layer):
    """Over the style by plan and kind (the delineation's): a red outline around each
    mining or refilling strip whose period misses a constraint (field status is not
    'ok': short, excess, off ratio, unsafe), solid for the optimized plan, dashed for
    the original one."""
    from qgis.core import QgsFillSymbol, QgsRuleBasedRenderer
    renderer = layer.renderer()
    if not isinstance(renderer, QgsRuleBasedRenderer) or layer.fields().indexOf("status") < 0:
        return
    for plan, dash in (("optimized", "solid"), ("original", "dash")):
        sym = QgsFillSymbol.createSimple({"style": "no", "outline_color": "#d7191c",
                                          "outline_width": "0.8", "outline_style": dash})
        renderer.rootRule().appendChild(QgsRuleBasedRenderer.Rule(
            sym, filterExp=(f"\"plan\" = '{plan}' AND \"kind\" IN ('mining', 'refilling') "
                            "AND \"status\" <> 'ok'"),
            label=QCoreApplication.translate("HpcsProvider",
                                             "constraint not met ({0} plan)").format(plan)))


def elevation_style(layer, low, high):
    """A landform in the elevation colours (the same range for every landform of the
    run), multiplied with the hillshade below it."""
    from qgis.PyQt.QtXml import QDomDocument

    from .core.styles import pseudocolor
    if not high > low:
        high = low + 1.0
    n = len(LANDFORM_COLOURS) - 1
    levels = [low + (high - low) * k / n for k in range(n + 1)]
    stops = [(z, c, f"{z:.0f} m") for z, c in zip(levels, LANDFORM_COLOURS)]
    doc = QDomDocument("qgis")
    doc.setContent(pseudocolor(stops))
    layer.importNamedStyle(doc)
    layer.setBlendMode(QPainter.CompositionMode_Multiply)


def elevation_range(paths):
    """Smallest and largest elevation over the rasters (GDAL, exact), or None."""
    from osgeo import gdal
    lows, highs = [], []
    for path in paths:
        ds = gdal.Open(path)
        if ds is None:
            continue
        low, high = ds.GetRasterBand(1).ComputeRasterMinMax(False)
        lows.append(low)
        highs.append(high)
    return (min(lows), max(highs)) if lows else None


class ShippedModel(QgsProcessingModelAlgorithm):
    """A model of models/: display name from its help key ALG_DISPLAY_NAME (the name
    stays the lower-case id), Toolbox group id from algorithms.base.GROUPS."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.loaded = self.fromFile(path)
        self._translate()
        # every output is optional (a left-out one becomes a temporary file, see
        # processAlgorithm); QGIS copies a vector sink's "mandatory" from the step
        for d in self.destinationParameterDefinitions():
            d.setFlags(d.flags() | d.FlagOptional)

    def _translate(self):
        """Help, input and output labels through the translator (context: the model's
        name; scripts/translations.py collects them). A string of hpcs_pipeline_full
        not yet translated there takes hpcs_pipeline's translation (the same labels), and
        a label of the parameter catalogue its one translation in 'HpcsAlgorithm'."""
        fallback = self.name()[:-len("_full")] if self.name().endswith("_full") else None

        def tr(text):
            if not text:
                return text
            done = QCoreApplication.translate(self.name(), text)
            if done == text and fallback:
                done = QCoreApplication.translate(fallback, text)
            if done == text:    # a label the parameter catalogue shares (scripts/translations.py)
                done = QCoreApplication.translate("HpcsAlgorithm", text)
            return done
        self.setHelpContent({k: tr(v) if isinstance(v, str) else v
                             for k, v in self.helpContent().items()})
        for d in self.parameterDefinitions():
            d.setDescription(tr(d.description()))
            if d.type() == "enum":
                d.setOptions([tr(o) for o in d.options()])
        for o in self.outputDefinitions():
            o.setDescription(tr(o.description()))

    def displayName(self):  # noqa: N802
        return self.helpContent().get("ALG_DISPLAY_NAME") or self.name()

    def group(self):
        return QCoreApplication.translate("HpcsAlgorithm", super().group())

    def groupId(self):  # noqa: N802
        from .algorithms.base import GROUPS
        ids = {name: gid for gid, name in GROUPS.items()}
        return ids.get(super().group(), super().groupId())

    def createInstance(self):  # noqa: N802
        return ShippedModel(self.path)

    def checkParameterValues(self, parameters, context):  # noqa: N802
        """QGIS's own checks, then every output of the model as the steps check
        theirs (writable, supported extension, distinct, not on an input), so a bad
        output is refused before the first step runs, not after minutes of work."""
        ok, message = super().checkParameterValues(parameters, context)
        if not ok:
            return ok, message
        try:
            check_outputs(self, parameters, context)
        except InputError as exc:
            return False, validation_message(exc)
        return True, ""

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        """All or nothing: every file or folder output of the model is written
        under its own name into a hidden folder beside it (ModelStage), and
        moved onto its final path only once every step has succeeded; a failed
        or cancelled run removes them and says which outputs exist."""
        try:
            finals = check_outputs(self, parameters, context)
        except InputError as exc:
            raise QgsProcessingException(validation_message(exc)) from None
        stage = ModelStage(finals)
        try:
            params = stage.redirect(self.completed(parameters))
            results = super().processAlgorithm(params, context, feedback)
            if feedback is not None and feedback.isCanceled():
                raise QgsProcessingException(tr("The model was cancelled."))
            stage.commit(context)
        except BaseException as exc:
            stage.discard(context)
            cancelled = feedback is not None and feedback.isCanceled()
            report = stage.report(cancelled)
            if feedback is not None:
                feedback.reportError(report)
            if not isinstance(exc, (QgsProcessingException, InputError, OSError)):
                raise
            text = validation_message(exc) if isinstance(exc, InputError) else str(exc)
            raise QgsProcessingException(f"{text}\n{report}") from None
        results = stage.remap(results, context)
        self.place_layers(results, context)
        return results

    def place_layers(self, results, context):
        """Every output the run opens (a Toolbox run; qgis_process opens none) goes into
        one layer group per run, "HPCS run <time>", in the order of RUN_LAYERS."""
        project = context.project() or QgsProject.instance()
        taken = {g.name() for g in project.layerTreeRoot().findGroups()} | _GROUPS
        group = unique_name(QCoreApplication.translate("HpcsProvider", "HPCS run {0}").format(
            time.strftime("%Y-%m-%d %H:%M:%S")), taken)
        _GROUPS.add(group)
        ranks = {name: i for i, (name, _) in enumerate(RUN_LAYERS)}
        shown = dict(RUN_LAYERS)
        labels = {d.name(): re.sub(r"^\d+ ", "", d.description())
                  for d in self.destinationParameterDefinitions()}
        loaded = {name: value for name, value in results.items()
                  if isinstance(value, str) and context.willLoadLayerOnCompletion(value)}
        # the range of the designed landforms (PNL's final pit would take half the ramp)
        elevation = elevation_range([v for k, v in loaded.items()
                                     if k in OVER_HILLSHADE and k != "PNL:PNL"])
        for name, value in loaded.items():
            details = context.layerToLoadOnCompletionDetails(value)
            placer = RunLayerPlacer(group, ranks.get(name, len(RUN_LAYERS) // 2),
                                    labels.get(name, name), shown.get(name, False),
                                    details.postProcessor(),
                                    elevation if name in OVER_HILLSHADE else None,
                                    status=name == "SUBAREAS:SUBAREAS")
            _PLACERS.append(placer)
            details.setPostProcessor(placer)

    def completed(self, parameters):
        """The parameters with the model's defaults and named temporary outputs.

        QGIS 3.22 passes an input left out of a qgis_process / processing.run call as
        nothing, so a step would get its own default (e.g. k = 1, not the model's
        1.05), and skips an output left out, so the steps after it find no input:
        fill in the model's defaults and temporary files as the dialog does. A
        temporary file is named after its output (a step's would be OUTPUT.tif for
        each landform, and the erosion comparison names landforms after their files).
        """
        params = dict(parameters)
        for d in self.parameterDefinitions():
            value = params.get(d.name())
            if not d.isDestination():
                if value is None and d.defaultValue() is not None:
                    params[d.name()] = d.defaultValue()
                continue
            if value is None:
                value = QgsProcessing.TEMPORARY_OUTPUT
            is_def = isinstance(value, QgsProcessingOutputLayerDefinition)
            sink = value.sink.staticValue() if is_def else value
            if sink == QgsProcessing.TEMPORARY_OUTPUT and d.type() != "folderDestination":
                path = QgsProcessingUtils.generateTempFilename(
                    f"{d.name().split(':')[-1]}.{d.defaultFileExtension()}")
                if is_def:
                    value = QgsProcessingOutputLayerDefinition(value)
                    value.sink = QgsProperty.fromValue(path)
                else:
                    value = path
            params[d.name()] = value
        return params


def tr(text):
    return QCoreApplication.translate("HpcsProvider", text)


def _stamp(path):
    """(size, mtime_ns, mode) of a file (of every file under a folder), None
    when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if os.path.isdir(path):
        return tuple(sorted((os.path.relpath(os.path.join(d, f), path), _stamp(os.path.join(d, f)))
                            for d, _, files in os.walk(path) for f in files))
    return st.st_size, st.st_mtime_ns, st.st_mode


class ModelStage:
    """The staged outputs of one model run (ShippedModel.processAlgorithm).

    finals: {output name: final path} of the outputs given as files or folders
    (temporary outputs are not staged).  Each gets a hidden folder beside its
    final path (core.grid.stage_folder), and the model's steps write the
    output there under its own file name and extension, with every sidecar a
    step or GDAL writes (.qml style, .aux.xml, a shapefile's parts)."""

    def __init__(self, finals):
        self.finals = dict(finals)
        self.before = {name: _stamp(path) for name, path in self.finals.items()}
        self.created = []           # folders made for the outputs (removed if left empty)
        self.staged = {}            # name -> (hidden folder, staged path)
        for path in self.finals.values():
            folder = os.path.dirname(path)
            missing = []
            while folder and not os.path.exists(folder):
                missing.append(folder)
                folder = os.path.dirname(folder)
            self.created += missing
        try:
            for name, path in self.finals.items():
                self.staged[name] = stage_folder(path)
        except OSError as exc:
            for tmpdir, _ in self.staged.values():
                shutil.rmtree(tmpdir, ignore_errors=True)
            self._remove_created()
            raise QgsProcessingException(tr(
                "Cannot prepare the outputs: {0}. Check the output folders and the free disk "
                "space.").format(exc)) from None
        self.moves = []             # (staged prefix, final prefix), longest first
        self.loads = {}             # name -> (project, layer name) to open at the end

        for name, (_, staged) in self.staged.items():
            self.moves.append((staged, self.finals[name]))
        self.moves.sort(key=lambda m: -len(m[0]))

    def redirect(self, params):
        """The model's parameters with every staged output on its staged path.

        An output to open in a project (a dialog run) is opened from its final
        path once the run has succeeded (:meth:`remap`), not queued by the step
        on the staged path: QGIS deletes the post-processor of a queued layer
        whose key changes, and the placer styles the layer from the .qml the
        step wrote beside it."""
        params = dict(params)
        self.loads = {}             # name -> (project, layer name) to open at the end
        for name, (_, staged) in self.staged.items():
            value = params.get(name)
            if isinstance(value, QgsProcessingOutputLayerDefinition):
                if value.destinationProject is not None:
                    self.loads[name] = (value.destinationProject, value.destinationName or name)
                value = QgsProcessingOutputLayerDefinition(value)
                value.sink = QgsProperty.fromValue(staged)
                value.destinationProject = None
            else:
                value = staged
            params[name] = value
        return params

    def release(self, context):
        """Close the layers the steps opened on staged files (the context's
        temporary layer store), so GDAL writes their .aux.xml into the hidden
        folder before the move, not into a folder that no longer exists."""
        store = context.temporaryLayerStore()
        dirs = [tmpdir + os.sep for tmpdir, _ in self.staged.values()]
        for layer in [layer for layer in store.mapLayers().values()
                      if any(layer.source().startswith(d) for d in dirs)]:
            store.removeMapLayer(layer)

    def commit(self, context):
        self.release(context)
        bad = [p for name, (tmpdir, _) in self.staged.items()
               for p in staged_conflicts(tmpdir, os.path.dirname(self.finals[name]))]
        if bad:
            raise QgsProcessingException(tr(
                "Cannot replace {0}: a file and a folder of the same name. Move it away or "
                "choose other output names and run again.").format(", ".join(bad)))
        for name, (tmpdir, _) in self.staged.items():
            move_staged(tmpdir, os.path.dirname(self.finals[name]))
        self.staged = {}

    def _remove_created(self):
        """Remove the output folders this run made, if they are still empty."""
        for folder in self.created:         # deepest first
            try:
                os.rmdir(folder)
            except OSError:
                pass

    def discard(self, context):
        try:
            self.release(context)
        except Exception:  # noqa: BLE001 (the staged files go in any case)
            pass
        for tmpdir, _ in self.staged.values():
            shutil.rmtree(tmpdir, ignore_errors=True)
        self.staged = {}
        self._remove_created()
        layers = context.layersToLoadOnCompletion()
        kept = {k: v for k, v in layers.items() if self._final(k) == k}
        if len(kept) != len(layers):
            context.setLayersToLoadOnCompletion(kept)

    def _final(self, value):
        if isinstance(value, str):
            for staged, final in self.moves:
                if value == staged or value.startswith(staged + "|") or \
                        value.startswith(staged + os.sep):
                    return final + value[len(staged):]
            return value
        if isinstance(value, dict):
            return {k: self._final(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self._final(v) for v in value)
        return value

    def remap(self, results, context):
        """The results and the layers to load, on the final paths."""
        for name, (project, label) in self.loads.items():
            context.addLayerToLoadOnCompletion(
                self.finals[name], QgsProcessingContext.LayerDetails(label, project, name))
        return self._final(results)

    def report(self, cancelled):
        """Which outputs exist after a failed or cancelled run."""
        head = tr("Cancelled: ") if cancelled else tr("Stopped: ")
        if not self.finals:
            return head + tr("the model had no file outputs; nothing was written.")
        lines = []
        for name, path in self.finals.items():
            now = _stamp(path)
            if now is None:
                lines.append(tr("{0}: not written ({1} does not exist)").format(name, path))
            elif now == self.before.get(name):
                lines.append(tr("{0}: not written; the earlier file {1} is unchanged").format(
                    name, path))
            else:
                lines.append(tr("{0}: {1} was written").format(name, path))
        return head + tr("outputs of the model: ") + "; ".join(lines) + "."

