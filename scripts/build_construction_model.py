#!/usr/bin/env python3
"""Build models/hpcs_construction.model3, the construction outputs of the three landforms.

Run with QGIS's Python whenever a step's parameters change:

    /usr/bin/python3 scripts/build_construction_model.py [--check]

The model (id ``hpcs:hpcs_construction``) takes the pipeline's landforms
(NNDL and TDL on the original plan, MNNDL on the optimized plan, as
hpcs:hpcs_pipeline builds them) and, for each landform:

* masks it to the mine area (gdal:cliprasterbymasklayer, cells whose centre
  is inside; neither "keep resolution", which adds -tap and snaps the grid to
  multiples of the cell size, shifting the contours by a fraction of a cell,
  nor "crop to cutline", which rounds the extent to the grid and may drop a
  row of the mine area) and draws its design
  contours at the chosen interval with GDAL (gdal:contour, field ELEV, 3-D
  lines) to a GeoPackage, converted by ogr2ogr (gdal:convertformat) to a DXF
  for CAD / survey software (elevation in the vertices' z);
* computes its cut/fill against the pre-mining DEM (PNL) over the mine area
  (hpcs:cutfill);
* writes its earthwork schedule per period (hpcs:earthworkschedule).

Like scripts/build_pipeline_model.py (whose Builder it reuses) it checks each
step's parameter names against the live algorithms, writes the file, reloads
and validates it; ``--check`` fails when the shipped file is out of date.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
if "/usr/share/qgis/python/plugins" not in sys.path:   # QGIS's Processing plugin
    sys.path.append("/usr/share/qgis/python/plugins")

import build_pipeline_model as bpm  # noqa: E402  (sets up sys.path, QT_HASH_SEED)
from build_pipeline_model import c, p, v  # noqa: E402
from qgis.core import (  # noqa: E402
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)

MODEL_PATH = ROOT / "models" / "hpcs_construction.model3"
MODEL_NAME = "hpcs_construction"
DISPLAY_NAME = "HPCS construction outputs: contours, cut/fill and earthwork schedule"
#: (landform input, plan of the PLAN enum: 0 optimized, 1 original, label)
FORMS = (("NNDL", 1, "near-natural landform, original plan"),
         ("MNNDL", 0, "near-natural landform, optimized plan"),
         ("TDL", 1, "traditional landform, original plan"))

INPUTS = {
    "DEM": "Pre-mining DEM (PNL; elevation in m, projected CRS)",
    "FLOOR": "Floor of the lowest minable seam (elevation, m, on the DEM grid)",
    "THICKNESS": "Minable coal thickness (m, on the DEM grid)",
    "MINE_AREA": "Mine area (polygon)",
    "SUBAREAS": "Sub-areas, original and optimized plans (the pipeline's SUBAREAS)",
    "NNDL": "NNDL landform (near-natural, original plan)",
    "MNNDL": "MNNDL landform (near-natural, optimized plan)",
    "TDL": "TDL landform (traditional, original plan)",
    "INTERVAL": "Contour interval (m)",
    "K": "k, ratio of spoil to stripped volume",
    "BENCH_HEIGHT": "Bench (lift) height of the schedule (m)",
}

HELP = {
    "ALG_DISPLAY_NAME": DISPLAY_NAME,
    "ALG_DESC": (
        "What the surveyors and the earthworks contractor need, for each of the three "
        "landforms of the HPCS pipeline (NNDL and TDL on the original plan, MNNDL on the "
        "optimized plan): the design contours inside the mine area at the chosen interval "
        "(GDAL contour: 3-D lines with the elevation in the field ELEV, as a GeoPackage, and "
        "converted by ogr2ogr to a DXF drawing whose lines carry the elevation as z), the "
        "cut/fill against the pre-mining DEM (difference raster and cut, fill and net volumes in m3) and the earthwork schedule per period (volume "
        "moved from each mining strip to its refilling strip, the elevations stripped and "
        "built lift by lift, the mean haul distance, eq. 13 of Xia et al. 2023).\n\n"
        "Inputs are the pipeline's inputs and outputs: give its landforms NNDL:NNDL, "
        "MNNDL:MNNDL, TDL:TDL and its sub-area layer SUBAREAS:SUBAREAS, with the same K. "
        "Name the DXF outputs with the extension .dxf."),
    "ALG_CREATOR": "HPCS Landform plugin (scripts/build_construction_model.py)",
    "INTERVAL": "Vertical distance between two design contours, metres.",
    "K": "Spoil swell ratio k (eq. 6): use the value the landforms were built with.",
    "BENCH_HEIGHT": "Height of the lifts the strips are stripped and built in, metres.",
}


class Builder(bpm.Builder):
    inputs = INPUTS

    def __init__(self, registry):     # super().__init__ would name the pipeline
        self.reg = registry
        self.model = QgsProcessingModelAlgorithm(MODEL_NAME, bpm.MODEL_GROUP, "hpcsmodel")
        self.row = {}


def build(reg):
    b = Builder(reg)
    for i, name in enumerate(("DEM", "FLOOR", "THICKNESS", "NNDL", "MNNDL", "TDL")):
        b.add_input(QgsProcessingParameterRasterLayer(name), 120, 60 + 80 * i)
    b.add_input(QgsProcessingParameterVectorLayer(
        "MINE_AREA", "", [QgsProcessing.TypeVectorPolygon]), 120, 540)
    b.add_input(QgsProcessingParameterVectorLayer(
        "SUBAREAS", "", [QgsProcessing.TypeVectorPolygon]), 120, 620)
    num = QgsProcessingParameterNumber
    b.add_input(num("INTERVAL", "", num.Double, defaultValue=5.0, minValue=0.01), 120, 700)
    b.add_input(num("K", "", num.Double, defaultValue=1.05, minValue=0.001), 120, 780)
    b.add_input(num("BENCH_HEIGHT", "", num.Double, defaultValue=10.0, minValue=0.1),
                120, 860)
    for i, (form, plan, what) in enumerate(FORMS):
        y = 120 + 320 * i
        b.add_child(f"clip_{form}", "gdal:cliprasterbymasklayer",
                    f"{form} clipped to the mine area", {
                        "INPUT": p(form), "MASK": p("MINE_AREA"), "KEEP_RESOLUTION": v(False),
                        "CROP_TO_CUTLINE": v(False)}, {}, 450, y)
        b.add_child(f"contours_{form}", "gdal:contour", f"Design contours, {form}", {
            "INPUT": c(f"clip_{form}", "OUTPUT"), "BAND": v(1),
            "INTERVAL": p("INTERVAL"), "FIELD_NAME": v("ELEV"), "CREATE_3D": v(True),
        }, {"OUTPUT": ("CONTOURS", f"Design contours, {form}, {what} (GeoPackage)")},
            750, y - 60)
        # gdal_contour cannot write DXF itself (the DXF driver takes no ID / ELEV
        # field and gdal_contour stops): ogr2ogr converts the 3-D lines, the
        # elevation stays in each vertex's z
        b.add_child(f"dxf_{form}", "gdal:convertformat", f"Design contours, {form} (DXF)", {
            "INPUT": c(f"contours_{form}", "OUTPUT"),
        }, {"OUTPUT": ("CONTOURS", f"Design contours, {form}, {what} (DXF: name a .dxf file)")},
            750, y + 60)
        b.add_child(f"cutfill_{form}", "hpcs:cutfill", f"Cut/fill of {form} against PNL", {
            "SURFACE_A": p("DEM"), "SURFACE_B": p(form), "EVALUATION_AREA": p("MINE_AREA"),
        }, {"OUTPUT": ("DIFFERENCE", f"Cut/fill of {form} against PNL (m)"),
            "OUTPUT_TABLE": ("TABLE", f"Cut/fill of {form} against PNL (CSV)")}, 1150, y)
        b.add_child(f"schedule_{form}", "hpcs:earthworkschedule",
                    f"Earthwork schedule, {form}", {
                        "INPUT": p("DEM"), "FLOOR": p("FLOOR"), "THICKNESS": p("THICKNESS"),
                        "LANDFORM": p(form), "SUBAREAS": p("SUBAREAS"), "K": p("K"),
                        "BENCH_HEIGHT": p("BENCH_HEIGHT"), "PLAN": v(plan),
                    }, {"OUTPUT_TABLE": ("TABLE", f"Earthwork schedule per period, {form} "
                                                  "(CSV)"),
                        "OUTPUT_STEPS": ("STEPS", f"Earthwork schedule, every lift, {form} "
                                                  "(CSV)")}, 1150, y + 130)
    b.model.setHelpContent(HELP)
    b.model.setParameterOrder(list(INPUTS))
    b.model.updateDestinationParameters()
    return b.model


def main(argv):
    bpm.MODEL_PATH = MODEL_PATH      # the pipeline builder's main writes and checks MODEL_PATH
    bpm.build = build
    bpm.main(argv)


if __name__ == "__main__":
    main(sys.argv)
