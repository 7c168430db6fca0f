"""Run inside real QGIS desktop (qgis.bin --code) after an "Install from ZIP".

Environment: HPCS_PROBE_OUT (report.json path), HPCS_PROBE_PARAMS (JSON of the
hpcs:cutfill parameters to run). Writes which plugins QGIS loaded, where
hpcs_landform was imported from, the provider's algorithms and the result of
one run, then quits QGIS.
"""
import json
import os
import sys
import traceback

from qgis.core import QgsApplication, QgsProcessingContext, QgsProcessingFeedback
from qgis.PyQt.QtCore import QTimer


def probe():
    out = os.environ["HPCS_PROBE_OUT"]
    report = {}
    try:
        import qgis.utils
        report["plugins"] = sorted(qgis.utils.plugins.keys())
        report["active"] = sorted(qgis.utils.active_plugins)
        mod = sys.modules.get("hpcs_landform")
        report["module_file"] = getattr(mod, "__file__", None)
        reg = QgsApplication.processingRegistry()
        prov = reg.providerById("hpcs")
        report["provider"] = prov.name() if prov else None
        report["algorithms"] = sorted(a.id() for a in prov.algorithms()) if prov else []
        import processing
        res = processing.run("hpcs:cutfill", json.loads(os.environ["HPCS_PROBE_PARAMS"]),
                             context=QgsProcessingContext(), feedback=QgsProcessingFeedback())
        report["run"] = {k: (v if isinstance(v, (int, float, str)) or v is None else str(v))
                         for k, v in res.items()}
    except Exception:  # reported: the test fails on it
        report["error"] = traceback.format_exc()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=1)
    QgsApplication.exit(0)


QTimer.singleShot(1500, probe)
