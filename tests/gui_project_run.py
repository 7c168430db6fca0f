"""Run inside real QGIS (qgis.bin --code): run the pipeline model from its Toolbox dialog.

Environment: HPCS_SHOT_DIR (output folder), HPCS_SAMPLE (data/sample folder).
Opens the dialog of hpcs:hpcs_pipeline on the sample plan with its default outputs
(what a planner gets who only picks the inputs), clicks Run, waits for the run to
end, then saves the map canvas, the layer tree, the dialog and the main window as
PNGs and writes project.json: every layer-tree group with its layers (name, type,
renderer, rule filters, visibility, blend mode, source), every layer of the project
and the Results Viewer's entries.
"""
import json
import os
import traceback

from qgis.core import QgsApplication, QgsProject, QgsRectangle
from qgis.PyQt.QtCore import QTimer
from qgis.utils import iface

OUT = os.environ["HPCS_SHOT_DIR"]
SAMPLE = os.environ["HPCS_SAMPLE"]
PARAMS = {
    "DEM": os.path.join(SAMPLE, "jacksboro_fault_dem_utm16n_80m.tif"),
    "FLOOR": os.path.join(SAMPLE, "seam_floor.tif"),
    "THICKNESS": os.path.join(SAMPLE, "coal_thickness.tif"),
    "MINE_AREA": os.path.join(SAMPLE, "mine_area.geojson"),
    "DIRECTION": 270, "STRIP_WIDTH": 240, "K": 1.05,
}
state = {"dlg": None, "done": None, "results": None, "ticks": 0}
report = {"log": []}


def write_report():
    with open(os.path.join(OUT, "project.json"), "w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=1)


def fail(exc):
    report["error"] = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    write_report()
    QgsApplication.exit(1)


def start():
    try:
        import processing
        dlg = processing.createAlgorithmDialog("hpcs:hpcs_pipeline", PARAMS)
        dlg.resize(1100, 1000)
        dlg.show()
        state["dlg"] = dlg
        dlg.algorithmFinished.connect(finished)
        report["dialog_outputs"] = [d.name() for d in dlg.algorithm().destinationParameterDefinitions()]
        dlg.grab().save(os.path.join(OUT, "dialog_before.png"))
        dlg.runButton().click()
        QTimer.singleShot(1000, wait)
    except Exception as exc:  # reported, the test fails on it
        fail(exc)


def finished(ok, results):
    state["done"] = bool(ok)
    state["results"] = {k: str(v) for k, v in results.items()}


def wait():
    state["ticks"] += 1
    if state["done"] is None and state["ticks"] < 1500:
        QTimer.singleShot(1000, wait)
        return
    # the layers are loaded after algorithmFinished: let the event loop finish that
    QTimer.singleShot(3000, shoot)


def node_info(node):
    from qgis.core import QgsLayerTree
    if QgsLayerTree.isGroup(node):
        return {"group": node.name(), "children": [node_info(c) for c in node.children()]}
    layer = node.layer()
    info = {"name": node.name(), "visible": node.itemVisibilityChecked(),
            "source": layer.source() if layer else None}
    if layer is not None:
        info["type"] = "raster" if layer.type() == layer.RasterLayer else "vector"
        info["blend_mode"] = int(layer.blendMode())
        renderer = layer.renderer()
        info["renderer"] = renderer.type() if renderer else None
        if info["type"] == "vector" and renderer is not None and renderer.type() == "RuleRenderer":
            info["rules"] = [r.filterExpression() for r in renderer.rootRule().children()]
            info["labels"] = bool(layer.labelsEnabled())
        if info["type"] == "raster" and renderer is not None:
            info["opacity"] = renderer.opacity()
    return info


def shoot():
    try:
        report["ok"] = state["done"]
        report["results"] = state["results"]
        dlg = state["dlg"]
        dlg.grab().save(os.path.join(OUT, "dialog_after.png"))
        root = QgsProject.instance().layerTreeRoot()
        report["tree"] = [node_info(c) for c in root.children()]
        report["project_layers"] = sorted(lyr.name() for lyr in
                                          QgsProject.instance().mapLayers().values())
        from processing.core.ProcessingResults import resultsList
        report["results_viewer"] = [{"name": r.name, "file": r.filename}
                                    for r in resultsList.getResults()]
        dlg.close()
        canvas = iface.mapCanvas()
        mine = QgsProject.instance().mapLayersByName("Sub-areas, original and optimized plans")
        extent = QgsRectangle(mine[0].extent()) if mine else canvas.fullExtent()
        extent.scale(1.15)
        canvas.setExtent(extent)
        canvas.refreshAllLayers()
        canvas.mapCanvasRefreshed.connect(save_canvas)
        QTimer.singleShot(20000, save_canvas)       # in case no refresh signal comes
    except Exception as exc:
        fail(exc)


def save_canvas():
    if report.get("canvas_png"):
        return
    try:
        canvas = iface.mapCanvas()
        path = os.path.join(OUT, "map_canvas.png")
        pix = canvas.grab()
        report["canvas_png"] = path if pix.save(path) else None
        img = pix.toImage()     # distinct colours on a 40 x 40 grid: not a blank map
        report["canvas_colours"] = len({img.pixel(int(img.width() * (i + .5) / 40),
                                                  int(img.height() * (j + .5) / 40))
                                         for i in range(40) for j in range(40)})
        path = os.path.join(OUT, "layer_tree.png")
        report["tree_png"] = path if iface.layerTreeView().grab().save(path) else None
        iface.mainWindow().grab().save(os.path.join(OUT, "main_window.png"))
        write_report()
        QgsApplication.exit(0)
    except Exception as exc:
        fail(exc)


iface.mainWindow().resize(1500, 1000)
# a layer panel wide and tall enough to read the group in its screenshot
from qgis.PyQt.QtCore import Qt  # noqa: E402
from qgis.PyQt.QtWidgets import QDockWidget  # noqa: E402

_dock = iface.mainWindow().findChild(QDockWidget, "Layers")
if _dock is not None:
    iface.mainWindow().resizeDocks([_dock], [420], Qt.Horizontal)
    iface.mainWindow().resizeDocks([_dock], [600], Qt.Vertical)
QTimer.singleShot(2000, start)
