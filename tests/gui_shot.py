"""Run inside real QGIS (qgis.bin --code): open Processing dialogs, save screenshots.

Environment: HPCS_SHOT_DIR (output folder), HPCS_SHOT_ALGS (comma-separated ids).
Writes <id>.png per dialog and report.json with, per dialog, the visible
label texts and the parameter descriptions, so a test can check that every
parameter's label is shown.
"""
import json
import os

from qgis.core import QgsApplication
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QCheckBox, QLabel
from qgis.utils import plugins

OUT = os.environ["HPCS_SHOT_DIR"]
IDS = [a for a in os.environ["HPCS_SHOT_ALGS"].split(",") if a]
report = {"plugins": sorted(plugins.keys()), "locale": QgsApplication.locale(), "dialogs": {}}
state = {"i": 0, "dlg": None}


def finish_current():
    dlg = state["dlg"]
    alg_id = IDS[state["i"] - 1]
    name = alg_id.replace(":", "_")
    path = os.path.join(OUT, f"{name}.png")
    pix = dlg.grab()
    # a parameter's label is a QLabel, or for a yes/no parameter its check box's text
    labels = [w.text() for w in dlg.findChildren(QLabel) + dlg.findChildren(QCheckBox)
              if w.isVisibleTo(dlg) and w.text()]
    alg = QgsApplication.processingRegistry().algorithmById(alg_id)
    report["dialogs"][alg_id] = {
        "saved": bool(pix.save(path)), "png": path, "width": pix.width(),
        "height": pix.height(), "labels": labels, "title": dlg.windowTitle(),
        "display_name": alg.displayName() if alg else None,
        "descriptions": [p.description() for p in alg.parameterDefinitions()
                         if not p.flags() & p.FlagHidden] if alg else [],
    }
    dlg.close()


def next_dialog():
    import processing
    if state["dlg"] is not None:
        finish_current()
        state["dlg"] = None
    if state["i"] >= len(IDS):
        with open(os.path.join(OUT, "report.json"), "w", encoding="utf-8") as fh:
            json.dump(report, fh, ensure_ascii=False, indent=1)
        QgsApplication.exit(0)
        return
    alg_id = IDS[state["i"]]
    state["i"] += 1
    try:
        dlg = processing.createAlgorithmDialog(alg_id, {})
        # open the collapsed "Advanced parameters" group so every label can be read
        # (Python sees the QgsCollapsibleGroupBox as a plain QGroupBox: cast it)
        from qgis.gui import QgsCollapsibleGroupBox
        from qgis.PyQt import sip
        from qgis.PyQt.QtWidgets import QGroupBox
        for box in dlg.findChildren(QGroupBox):
            if "Collapsible" in box.metaObject().className():
                sip.cast(box, QgsCollapsibleGroupBox).setCollapsed(False)
        dlg.resize(1100, 1000)
        dlg.show()
        state["dlg"] = dlg
    except Exception as exc:  # reported, the test fails on it
        report["dialogs"][alg_id] = {"error": repr(exc)}
    QTimer.singleShot(1500, next_dialog)


QTimer.singleShot(2000, next_dialog)
