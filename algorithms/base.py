"""Shared parts of every HPCS Landform algorithm (thin QGIS glue).

Subclasses set NAME, DISPLAY_NAME, GROUP, GROUP_ID and HELP, declare their
parameters in ``initAlgorithm`` and implement ``run_algorithm(parameters, context,
feedback)``, which reads parameters with the helpers below, calls one core
function with ``self.progress(feedback)``, writes outputs and returns the
result dict.  Errors from the core (``InputError``) become a
``QgsProcessingException`` with the same message; a cancel stops cleanly.
"""
import os

from qgis.core import (
    QgsCoordinateTransform,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingUtils,
    QgsRasterLayer,
)
from qgis.PyQt.QtCore import QCoreApplication
from qgis.PyQt.QtGui import QIcon

from ..core.errors import Cancelled, InputError, Progress
from ..core.grid import (rasterize_labels, rasterize_polygons, read_raster, require_metric,
                         write_raster)
from ..core.styles import write_style

PLUGIN_DIR = os.path.dirname(os.path.dirname(__file__))
REPOSITORY = "https://github.com/hpcs-landform/hpcs_landform"

#: groups of the Toolbox: id -> display name
GROUPS = {
    "hydrology": "Hydrology",
    "hpcsmodel": "HPCS model",
    "evaluation": "Evaluation",
    "ecology": "Ecological assessment",
}


class HpcsAlgorithm(QgsProcessingAlgorithm):
    NAME = ""
    DISPLAY_NAME = ""
    GROUP_ID = "hydrology"
    HELP = ""

    # --- identity ---------------------------------------------------------
    def tr(self, text):
        return QCoreApplication.translate(type(self).__name__, text)

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
    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        try:
            return self.run_algorithm(parameters, context, feedback)
        except InputError as exc:
            raise QgsProcessingException(str(exc)) from None
        except Cancelled:
            feedback.reportError(self.tr("Cancelled: no output was written."))
            raise QgsProcessingException(self.tr("The algorithm was cancelled.")) from None
        except MemoryError:
            raise QgsProcessingException(self.tr(
                "Not enough memory for this raster. Clip it to the area of interest or use a "
                "coarser cell size.")) from None

    def run_algorithm(self, parameters, context, feedback):
        raise NotImplementedError

    @staticmethod
    def progress(feedback, start=0.0, end=100.0):
        """Core progress adapter: reports to ``feedback``, honours its cancel."""
        if feedback is None:
            return Progress(start=start, end=end)
        return Progress(feedback.setProgress, feedback.isCanceled, start, end)

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

    # --- vector input -----------------------------------------------------
    def polygon_mask(self, parameters, name, context, grid, required=True):
        """Boolean mask of the grid cells whose centre is inside the polygons."""
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            if required:
                raise QgsProcessingException(self.tr(
                    "Parameter {0}: no polygon layer was given.").format(name))
            return None
        from qgis.core import QgsCoordinateReferenceSystem
        target = QgsCoordinateReferenceSystem.fromWkt(grid.crs_wkt) if grid.crs_wkt else None
        transform = None
        if target is not None and target.isValid() and source.sourceCrs().isValid() \
                and source.sourceCrs() != target:
            transform = QgsCoordinateTransform(source.sourceCrs(), target,
                                               context.transformContext())
        wkbs = []
        for feature in source.getFeatures():
            geom = feature.geometry()
            if geom is None or geom.isEmpty():
                continue
            if transform is not None:
                geom.transform(transform)
            wkbs.append(bytes(geom.asWkb()))
        if not wkbs:
            raise InputError(f"Parameter {name}: the polygon layer has no features.")
        mask = rasterize_polygons(wkbs, grid)
        if not mask.any():
            raise InputError(
                f"Parameter {name}: the polygons do not cover the centre of any cell of "
                f"{grid.name}. Check that the layer overlaps the DEM (same area, CRS set).")
        return mask

    def features_in_grid_crs(self, parameters, name, context, grid, required=True):
        """(list of WKB geometries in the grid's CRS, list of attribute dicts)."""
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            if required:
                raise QgsProcessingException(self.tr(
                    "Parameter {0}: no vector layer was given.").format(name))
            return None, None
        from qgis.core import QgsCoordinateReferenceSystem
        target = QgsCoordinateReferenceSystem.fromWkt(grid.crs_wkt) if grid.crs_wkt else None
        transform = None
        if target is not None and target.isValid() and source.sourceCrs().isValid() \
                and source.sourceCrs() != target:
            transform = QgsCoordinateTransform(source.sourceCrs(), target,
                                               context.transformContext())
        names = source.fields().names()
        wkbs, attrs = [], []
        for feature in source.getFeatures():
            geom = feature.geometry()
            if geom is None or geom.isEmpty():
                continue
            if transform is not None:
                geom.transform(transform)
            wkbs.append(bytes(geom.asWkb()))
            attrs.append(dict(zip(names, feature.attributes())))
        return wkbs, attrs

    def subarea_labels(self, parameters, name, context, grid, required=True):
        """Rasterise a sub-area layer (the OUTPUT of hpcs:subareadelineation).

        Returns (mining, refilling, records): int32 rasters holding the period
        of the mining / refilling strip whose polygon contains each cell
        centre (0 = none), and the features' attributes.  The layer must have
        the fields ``period`` and ``kind`` ('mining' or 'refilling'; other
        kinds such as 'box cut' and 'final pit' are ignored).  When a ``plan``
        field holds 'optimized' features (the delineation ran with OPTIMIZE
        on), only those are used; otherwise every feature (the original plan).
        """
        wkbs, attrs = self.features_in_grid_crs(parameters, name, context, grid, required)
        if wkbs is None:
            return None, None, None
        if not attrs:
            raise InputError(f"Parameter {name}: the sub-area layer has no features.")
        missing = [f for f in ("period", "kind") if f not in attrs[0]]
        if missing:
            raise InputError(
                f"Parameter {name}: the layer has no field {', '.join(missing)}. Use the "
                "sub-area layer written by 'Mining/refilling sub-area delineation' "
                "(fields period, kind, v_supply, ...).")
        plans = {str(a.get("plan", "")).lower() for a in attrs}
        if "optimized" in plans:
            # a layer written with OPTIMIZE on holds both plans: use the optimized one
            keep = [i for i, a in enumerate(attrs) if str(a.get("plan", "")).lower() == "optimized"]
            wkbs, attrs = [wkbs[i] for i in keep], [attrs[i] for i in keep]
        out = {}
        for kind in ("mining", "refilling"):
            sel = [i for i, a in enumerate(attrs) if str(a["kind"]).lower() == kind]
            out[kind] = rasterize_labels([wkbs[i] for i in sel],
                                         [int(attrs[i]["period"]) for i in sel], grid)
        if not out["refilling"].any():
            raise InputError(f"Parameter {name}: no refilling strip covers a cell of "
                             f"{grid.name}; check the layer and its CRS.")
        return out["mining"], out["refilling"], attrs

    # --- raster output ----------------------------------------------------
    def write_raster(self, parameters, name, context, array, grid, dtype="float32",
                     nodata=None, style=None):
        """Write a GeoTIFF output (skipped when the user left it unset)."""
        dest = self.parameterAsOutputLayer(parameters, name, context)
        if not dest:
            return None
        ext = os.path.splitext(dest)[1].lower()
        if ext not in (".tif", ".tiff"):
            raise QgsProcessingException(self.tr(
                "Output {0}: only GeoTIFF (.tif) is supported, not '{1}'.").format(name, ext))
        write_raster(dest, array, grid, dtype=dtype, nodata=nodata)
        if style is not None:
            write_style(dest, style)
        return dest


def raster_destination_extensions():
    return ["tif"]
