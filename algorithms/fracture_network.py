"""hpcs:fracturenetwork - discrete fracture network of discs and its traces."""
import os

import numpy as np
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
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputNumber,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.errors import Cancelled
from ..core.fracture import fracture_network, raster_probability
from ..core.grid import atomic_output
from .base import HpcsAlgorithm

#: post-processors must outlive the algorithm instance (QGIS keeps no reference)
_STYLERS = {}


def _renderer(kind):
    """Discs: circles sized by diameter; traces: dark red lines."""
    from qgis.core import (
        QgsLineSymbol,
        QgsMarkerSymbol,
        QgsProperty,
        QgsSingleSymbolRenderer,
        QgsSymbolLayer,
    )
    if kind == "traces":
        symbol = QgsLineSymbol.createSimple({"color": "178,24,43", "width": "0.5"})
    else:
        symbol = QgsMarkerSymbol.createSimple({"name": "circle", "color": "69,117,180,160",
                                               "outline_color": "35,35,35"})
        symbol.symbolLayer(0).setDataDefinedProperty(
            QgsSymbolLayer.PropertySize,
            QgsProperty.fromExpression(
                'scale_linear("diameter", minimum("diameter"), maximum("diameter"), 1.2, 6)'))
    return QgsSingleSymbolRenderer(symbol)


def write_vector_style(dest, kind, crs):
    """QML beside a file output (e.g. discs.gpkg -> discs.qml), loaded by QGIS as the
    layer's default style; nothing for non-file destinations (memory, databases)."""
    from qgis.core import QgsVectorLayer
    from qgis.PyQt.QtXml import QDomDocument
    path = str(dest).split("|")[0]
    # a file destination (written, or staged for the end of the run)
    if not os.path.splitext(path)[1] or not os.path.isdir(os.path.dirname(
            os.path.abspath(path))) or ":" in path.split(os.sep)[0]:
        return None
    geom = "LineString" if kind == "traces" else "PointZ"
    layer = QgsVectorLayer(f"{geom}?field=diameter:double", "style", "memory")
    layer.setCrs(crs)
    layer.setRenderer(_renderer(kind))
    doc = QDomDocument()
    layer.exportNamedStyle(doc)
    qml = os.path.splitext(path)[0] + ".qml"
    with atomic_output(qml, ".qml") as tmp, open(tmp, "w", encoding="utf-8") as fh:
        fh.write(doc.toString())
    return qml


class _Styler(QgsProcessingLayerPostProcessorInterface):
    """Styles the output layer loaded into the project (see :func:`_renderer`)."""

    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802, ARG002
        if layer is None or not layer.isValid():
            return
        layer.setRenderer(_renderer(self.kind))
        layer.triggerRepaint()


class FractureNetwork(HpcsAlgorithm):
    NAME = "fracturenetwork"
    DISPLAY_NAME = "Discrete fracture network"
    GROUP_ID = "ecology"
    HELP = (
        "A discrete fracture network (DFN) of circular discs in a box, and the traces where "
        "the discs cut a horizontal plane, after the paste-filling / DFN paper (sections 2.3 "
        "and 2.4).\n\n"
        "Box: the extent (a layer's extent or drawn on the map; projected CRS in metres) "
        "and the elevation range Z min .. Z max (m).\n\n"
        "Sizes: diameters D follow the truncated power law n(D) ~ D^-a on [D_min, D_max] "
        "(a = exponent), drawn by inverting its CDF F(D) = (D_min^(1-a) - D^(1-a)) / "
        "(D_min^(1-a) - D_max^(1-a)) (log form for a = 1).\n\n"
        "Positions: candidate centres are uniform in the box; each gets a random P in (0, 1) "
        "and is kept when P is below Prob. Prob is the acceptance probability, or, with a "
        "probability raster, the raster value (0..1) at the centre's x, y times the "
        "acceptance probability (0 outside the raster and on nodata). A constant Prob "
        "thins candidates without changing the uniform pattern; a raster makes the "
        "fracture density follow it (e.g. more fractures above the mined-out area).\n\n"
        "Orientations: Fisher distribution with concentration kappa (0 = uniform; larger = "
        "tighter) around the mean pole of the mean dip direction and dip (degrees, "
        "clockwise from north); cos(theta) = 1 + ln(1 - u (1 - exp(-2 kappa))) / kappa, "
        "azimuth uniform. The mean resultant length of the normals is coth(kappa) - "
        "1/kappa.\n\n"
        "Termination: a number of discs, or the intensity P32 = sum of disc areas "
        "(pi D^2 / 4) / box volume, in m2/m3 (discs are added until P32 is first reached). "
        "Discs are not cut at the box faces.\n\n"
        "Seed: the same seed and parameters give the same network; a smaller count gives "
        "the first discs of a larger one.\n\n"
        "Outputs: the discs as 3-D points at their centres (fields id, x, y, z, diameter, "
        "area, dip_dir, dip, nx, ny, nz: upward unit normal), the traces on the plane "
        "z = trace elevation as lines (fields disc_id, length, elevation, diameter, dip_dir, "
        "dip): a chord for an inclined disc; a disc lying in the plane (dip 0 at exactly "
        "that elevation) gives its whole circle, drawn as a 72-sided ring with length "
        "pi D. Numbers: disc count, P32 (m2/m3), trace count and P21 = trace length / "
        "plan area of the box (m/m2).")

    EXTENT = "EXTENT"
    Z_MIN = "Z_MIN"
    Z_MAX = "Z_MAX"
    EXPONENT = "EXPONENT"
    D_MIN = "D_MIN"
    D_MAX = "D_MAX"
    DIP_DIRECTION = "DIP_DIRECTION"
    DIP = "DIP"
    KAPPA = "KAPPA"
    TERMINATION = "TERMINATION"
    COUNT = "COUNT"
    P32 = "P32"
    ACCEPTANCE = "ACCEPTANCE"
    PROBABILITY = "PROBABILITY"
    SEED = "SEED"
    TRACE_ELEVATION = "TRACE_ELEVATION"
    OUTPUT_DISCS = "OUTPUT_DISCS"
    OUTPUT_TRACES = "OUTPUT_TRACES"
    DISC_COUNT = "DISC_COUNT"
    P32_OUT = "P32_INTENSITY"
    TRACE_COUNT = "TRACE_COUNT"
    P21 = "P21"

    TERMINATION_LABELS = ["Number of discs", "P32 intensity (m2/m3)"]

    def initAlgorithm(self, config=None):  # noqa: N802
        dbl = QgsProcessingParameterNumber.Double
        self.addParameter(QgsProcessingParameterExtent(
            self.EXTENT, self.tr("Extent of the box (empty = the probability raster's)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.Z_MIN, self.tr("Z min of the box (m)"), dbl, defaultValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.Z_MAX, self.tr("Z max of the box (m)"), dbl, defaultValue=100.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.EXPONENT, self.tr("Power-law exponent a of the diameters (n(D) ~ D^-a)"),
            dbl, defaultValue=2.5))
        self.addParameter(QgsProcessingParameterNumber(
            self.D_MIN, self.tr("D_min, smallest diameter (m)"), dbl, defaultValue=1.0,
            minValue=1e-6))
        self.addParameter(QgsProcessingParameterNumber(
            self.D_MAX, self.tr("D_max, largest diameter (m)"), dbl, defaultValue=50.0,
            minValue=1e-6))
        self.addParameter(QgsProcessingParameterNumber(
            self.DIP_DIRECTION, self.tr("Mean dip direction (degrees from north)"), dbl,
            defaultValue=90.0, minValue=0.0, maxValue=360.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.DIP, self.tr("Mean dip (degrees)"), dbl, defaultValue=60.0, minValue=0.0,
            maxValue=90.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.KAPPA, self.tr("Fisher concentration kappa (0 = uniform)"), dbl,
            defaultValue=20.0, minValue=0.0))
        self.addParameter(QgsProcessingParameterEnum(
            self.TERMINATION, self.tr("Stop at"),
            options=[self.tr(s) for s in self.TERMINATION_LABELS], defaultValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.COUNT, self.tr("Number of discs"), QgsProcessingParameterNumber.Integer,
            defaultValue=500, minValue=1, maxValue=200000))
        self.addParameter(QgsProcessingParameterNumber(
            self.P32, self.tr("Target P32 intensity (m2 of disc per m3)"), dbl,
            defaultValue=0.05, minValue=0.0))
        self.addParameter(QgsProcessingParameterNumber(
            self.ACCEPTANCE, self.tr("Acceptance probability Prob (0-1]"), dbl,
            defaultValue=1.0, minValue=0.0, maxValue=1.0))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.PROBABILITY, self.tr("Probability raster (0-1, multiplies Prob)"),
            optional=True))
        self.addParameter(QgsProcessingParameterNumber(
            self.SEED, self.tr("Random seed"), QgsProcessingParameterNumber.Integer,
            defaultValue=1, minValue=0))
        self.addParameter(QgsProcessingParameterNumber(
            self.TRACE_ELEVATION, self.tr("Elevation of the trace plane (m)"), dbl,
            defaultValue=50.0))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_DISCS, self.tr("Fracture discs (centres)"),
            QgsProcessing.TypeVectorPoint))
        self.addParameter(QgsProcessingParameterFeatureSink(
            self.OUTPUT_TRACES, self.tr("Fracture traces"), QgsProcessing.TypeVectorLine))
        self.addOutput(QgsProcessingOutputNumber(self.DISC_COUNT, self.tr("Number of discs")))
        self.addOutput(QgsProcessingOutputNumber(self.P32_OUT,
                                                 self.tr("P32 intensity (m2/m3)")))
        self.addOutput(QgsProcessingOutputNumber(self.TRACE_COUNT,
                                                 self.tr("Number of traces")))
        self.addOutput(QgsProcessingOutputNumber(self.P21, self.tr("P21 trace intensity "
                                                                   "(m/m2)")))

    def _box_and_crs(self, parameters, context):
        prob, pgrid = self.read_raster(parameters, self.PROBABILITY, context, required=False)
        extent_given = parameters.get(self.EXTENT) not in (None, "")
        if prob is not None:
            crs = self.raster_layer(parameters, self.PROBABILITY, context).crs()
            if extent_given:
                rect = self.parameterAsExtent(parameters, self.EXTENT, context, crs)
            else:
                xmin, ymin, xmax, ymax = pgrid.extent
                rect = None
                box = (xmin, ymin, xmax, ymax)
        else:
            if not extent_given:
                raise QgsProcessingException(self.tr(
                    "Parameter EXTENT: give the extent of the box (or a probability raster "
                    "whose extent is used)."))
            crs = self.parameterAsExtentCrs(parameters, self.EXTENT, context)
            if not crs.isValid() and context.project() is not None:
                crs = context.project().crs()
            rect = self.parameterAsExtent(parameters, self.EXTENT, context)
        if rect is not None:
            box = (rect.xMinimum(), rect.yMinimum(), rect.xMaximum(), rect.yMaximum())
        if crs is not None and crs.isValid() and crs.isGeographic():
            raise QgsProcessingException(self.tr(
                "The box is in a geographic CRS ({0}), whose units are degrees; fracture "
                "diameters are in metres. Give the extent in a projected CRS in metres (for "
                "example the local UTM zone).").format(crs.authid()))
        return box, crs or QgsCoordinateReferenceSystem(), prob, pgrid

    def run_algorithm(self, parameters, context, feedback):
        (xmin, ymin, xmax, ymax), crs, prob, pgrid = self._box_and_crs(parameters, context)
        zmin = self.parameterAsDouble(parameters, self.Z_MIN, context)
        zmax = self.parameterAsDouble(parameters, self.Z_MAX, context)
        accept = self.parameterAsDouble(parameters, self.ACCEPTANCE, context)
        if prob is not None:
            accept = raster_probability(prob, pgrid, accept)
        by_count = self.parameterAsEnum(parameters, self.TERMINATION, context) == 0
        elevation = self.parameterAsDouble(parameters, self.TRACE_ELEVATION, context)
        if not zmin <= elevation <= zmax:
            feedback.pushWarning(self.tr(
                "The trace plane ({0:g} m) is outside the box ({1:g} .. {2:g} m): only discs "
                "reaching out of the box can cut it.").format(elevation, zmin, zmax))
        net = fracture_network(
            (xmin, ymin, zmin, xmax, ymax, zmax),
            self.parameterAsDouble(parameters, self.EXPONENT, context),
            self.parameterAsDouble(parameters, self.D_MIN, context),
            self.parameterAsDouble(parameters, self.D_MAX, context),
            self.parameterAsDouble(parameters, self.DIP_DIRECTION, context),
            self.parameterAsDouble(parameters, self.DIP, context),
            self.parameterAsDouble(parameters, self.KAPPA, context),
            count=self.parameterAsInt(parameters, self.COUNT, context) if by_count else None,
            p32=None if by_count else self.parameterAsDouble(parameters, self.P32, context),
            acceptance=accept,
            seed=self.parameterAsInt(parameters, self.SEED, context),
            trace_elevation=elevation, progress=self.progress(feedback, 0, 80))
        feedback.pushInfo(self.tr(
            "{0} discs from {1} candidate centres; P32 = {2:.6g} m2/m3; {3} traces at "
            "{4:g} m, P21 = {5:.6g} m/m2.").format(net.count, net.candidates, net.p32,
                                                   len(net.traces), elevation, net.p21))
        discs_id = self._write_discs(parameters, context, net, crs, feedback)
        traces_id = self._write_traces(parameters, context, net, crs, feedback)
        return {self.OUTPUT_DISCS: discs_id, self.OUTPUT_TRACES: traces_id,
                self.DISC_COUNT: net.count, self.P32_OUT: net.p32,
                self.TRACE_COUNT: len(net.traces), self.P21: net.p21}

    @staticmethod
    def _fields(spec):
        fields = QgsFields()
        for name, kind in spec:
            fields.append(QgsField(name, kind))
        return fields

    def _style(self, context, dest_id, kind, crs):
        write_vector_style(dest_id, kind, crs)
        if context.willLoadLayerOnCompletion(dest_id):
            styler = _Styler(kind)
            _STYLERS[dest_id] = styler
            context.layerToLoadOnCompletionDetails(dest_id).setPostProcessor(styler)

    def _write_discs(self, parameters, context, net, crs, feedback):
        dbl, integer = QVariant.Double, QVariant.Int
        fields = self._fields([("id", integer), ("x", dbl), ("y", dbl), ("z", dbl),
                               ("diameter", dbl), ("area", dbl), ("dip_dir", dbl),
                               ("dip", dbl), ("nx", dbl), ("ny", dbl), ("nz", dbl)])
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT_DISCS, context, fields,
                                             QgsWkbTypes.PointZ, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT_DISCS))
        up = np.where(net.normals[:, 2:3] < 0, -net.normals, net.normals)
        areas = net.areas
        for i in range(net.count):
            if i % 1000 == 0 and feedback.isCanceled():
                raise Cancelled("The computation was cancelled.")
            x, y, z = (float(v) for v in net.centres[i])
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry(QgsPoint(x, y, z)))
            f.setAttributes([i + 1, x, y, z, float(net.diameters[i]), float(areas[i]),
                             float(net.dip_direction[i]), float(net.dip[i]),
                             float(up[i, 0]), float(up[i, 1]), float(up[i, 2])])
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        feedback.setProgress(90)
        self._style(context, dest_id, "discs", crs)
        return dest_id

    def _write_traces(self, parameters, context, net, crs, feedback):
        dbl, integer = QVariant.Double, QVariant.Int
        fields = self._fields([("disc_id", integer), ("length", dbl), ("elevation", dbl),
                               ("diameter", dbl), ("dip_dir", dbl), ("dip", dbl)])
        sink, dest_id = self.parameterAsSink(parameters, self.OUTPUT_TRACES, context, fields,
                                             QgsWkbTypes.LineString, crs)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, self.OUTPUT_TRACES))
        for i, xy, length in net.traces:
            f = QgsFeature(fields)
            f.setGeometry(QgsGeometry(QgsLineString(list(xy[:, 0]), list(xy[:, 1]))))
            f.setAttributes([i + 1, float(length), float(net.trace_elevation),
                             float(net.diameters[i]), float(net.dip_direction[i]),
                             float(net.dip[i])])
            sink.addFeature(f, QgsFeatureSink.FastInsert)
        feedback.setProgress(100)
        self._style(context, dest_id, "traces", crs)
        return dest_id
