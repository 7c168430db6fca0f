"""hpcs:classifycells - hydrological cell classes of the reshaping area."""
import numpy as np
from qgis.core import (
    QgsProcessing,
    QgsProcessingOutputNumber,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
)

from ..core import classify as cl
from ..core import styles
from ..core.errors import InputError
from ..core.hydrology import receivers_from_codes
from .base import HpcsAlgorithm


def class_style():
    """Paletted style of the class raster: one entry per code, with its name."""
    return styles.paletted([(code, cl.COLOURS[code], f"{code:g}: {cl.NAMES[code]}")
                            for code in cl.CODES])


class ClassifyCells(HpcsAlgorithm):
    NAME = "classifycells"
    DISPLAY_NAME = "Hydrological cell classification"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "Classifies the cells of the reshaping area (the dump) into the classes of the HPCS "
        "model (Xia et al. 2023, section 1.1.2, Fig. 3(a)), whose codes are those of the "
        "paper's equations 1 to 5:\n"
        "0 other (eq. 5, interpolated), 1 fixed channel and 1.5 confluence (eq. 1, kept at "
        "the pre-mining DEM), 2 semi-fixed channel (eq. 2), 3 watershed (eq. 3), 4 floating "
        "channel (eq. 4), 5 boundary = every cell outside the area (eq. 1).\n\n"
        "Inputs: the pre-mining DEM (elevation in metres, projected CRS in metres), the "
        "reshaping area as a polygon layer (AREA, cells whose centre is inside) or as a raster "
        "mask on the DEM's grid (AREA_RASTER, non-zero = inside; give one of the two), and "
        "the outputs of 'Channel and ridge extraction': flow directions (ESRI D8 codes), "
        "channels and ridges (1/0) and, optionally, catchments (only used to report how many "
        "catchments the area touches). All rasters must be on the DEM's grid.\n\n"
        "Rules (the plugin's reading of the paper, docs/method.md section 2):\n"
        "- fixed: a channel cell of the area with a channel cell outside the area upstream "
        "(the channel enters the area from outside and leaves it);\n"
        "- confluence: a fixed cell into which a non-fixed channel of the area drains;\n"
        "- semi-fixed: a non-fixed channel cell of the area whose flow path, after the "
        "non-fixed channel cells, reaches a confluence or leaves the area (one anchored end);\n"
        "- floating: the other channel cells of the area (no anchored end: the path ends "
        "inside the area, e.g. it leaves the DEM or drains into nodata there);\n"
        "- watershed: a ridge cell of the area that is not a channel cell.\n\n"
        "Output: the class raster (Float32, styled with the class names) and the number of "
        "cells of each class, in the log and as numbers."
    )

    INPUT = "INPUT"
    AREA = "AREA"
    AREA_RASTER = "AREA_RASTER"
    FLOWDIR = "FLOWDIR"
    CHANNELS = "CHANNELS"
    RIDGES = "RIDGES"
    CATCHMENTS = "CATCHMENTS"
    OUTPUT = "OUTPUT"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add_parameter(self.INPUT)
        self.addParameter(QgsProcessingParameterFeatureSource(
            self.AREA, self.tr("Reshaping area (polygons)"),
            [QgsProcessing.TypeVectorPolygon], optional=True))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.AREA_RASTER, self.tr("Reshaping area as a raster mask (non-zero = inside; "
                                      "instead of the polygons)"), optional=True))
        self.add_parameter(self.FLOWDIR)
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.CHANNELS, self.tr("Channels (1/0)")))
        self.addParameter(QgsProcessingParameterRasterLayer(
            self.RIDGES, self.tr("Ridges (1/0)")))
        self.add_parameter(self.CATCHMENTS, optional=True)
        self.addParameter(QgsProcessingParameterRasterDestination(
            self.OUTPUT, self.tr("Cell classes"), optional=True, createByDefault=True))
        for code in cl.CODES:
            self.addOutput(QgsProcessingOutputNumber(
                "COUNT_" + cl.COUNT_KEYS[code],
                self.tr("Cells of class {0:g} ({1})").format(code, cl.NAMES[code])))

    def area_mask(self, parameters, context, grid):
        """Bool mask of the reshaping area from AREA or AREA_RASTER."""
        has_poly = self.parameterAsSource(parameters, self.AREA, context) is not None
        has_raster = self.parameterAsRasterLayer(parameters, self.AREA_RASTER, context) \
            is not None
        if has_poly and has_raster:
            raise InputError("Give the reshaping area either as polygons (AREA) or as a raster "
                             "mask (AREA_RASTER), not both.")
        if not has_poly and not has_raster:
            raise InputError("No reshaping area: give a polygon layer (AREA) or a raster mask "
                             "on the DEM's grid (AREA_RASTER).")
        if has_poly:
            return self.polygon_mask(parameters, self.AREA, context, grid)
        mask, mgrid = self.read_raster(parameters, self.AREA_RASTER, context)
        self.require_same_grid(grid, mgrid, "the area mask")
        area = np.isfinite(mask) & (mask != 0)
        if not area.any():
            raise InputError("AREA_RASTER has no non-zero cell: the mask marks no reshaping "
                             "area.")
        return area

    def run_algorithm(self, parameters, context, feedback):
        z, grid = self.read_raster(parameters, self.INPUT, context)
        fd, fgrid = self.read_raster(parameters, self.FLOWDIR, context)
        self.require_same_grid(grid, fgrid, "the flow directions")
        ch, cgrid = self.read_raster(parameters, self.CHANNELS, context)
        self.require_same_grid(grid, cgrid, "the channels")
        ri, rgrid = self.read_raster(parameters, self.RIDGES, context)
        self.require_same_grid(grid, rgrid, "the ridges")
        cat, kgrid = self.read_raster(parameters, self.CATCHMENTS, context, required=False)
        if kgrid is not None:
            self.require_same_grid(grid, kgrid, "the catchments")
        area = self.area_mask(parameters, context, grid)
        rec = receivers_from_codes(cl.flowdir_codes(fd))
        classes = cl.classify_cells(z, area, rec, np.isfinite(ch) & (ch == 1),
                                    np.isfinite(ri) & (ri == 1),
                                    progress=self.progress(feedback, 0, 90))
        counts = cl.class_counts(classes)
        feedback.pushInfo(self.tr("Cells per class:"))
        for code in cl.CODES:
            feedback.pushInfo(f"  {code:g} {cl.NAMES[code]}: {counts[code]}")
        if cat is not None:
            inside = cat[area & np.isfinite(cat)]
            feedback.pushInfo(self.tr("The area touches {0} catchments.").format(
                np.unique(inside[inside >= 0]).size))
        if counts[cl.FIXED] + counts[cl.CONFLUENCE] == 0:
            feedback.pushWarning(self.tr(
                "No channel enters the area from outside: there is no fixed channel to keep."))
        results = {"COUNT_" + cl.COUNT_KEYS[code]: counts[code] for code in cl.CODES}
        results[self.OUTPUT] = self.write_raster(parameters, self.OUTPUT, context, classes, grid,
                                                 "float32", -9999.0, class_style())
        return results
