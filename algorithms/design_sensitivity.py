"""hpcs:designsensitivity - the pipeline over ranges of k, A_max, strip width, threshold."""
import math
import os
import shutil
import tempfile

from qgis.core import (
    QgsApplication,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildParameterSource,
    QgsProcessingOutputNumber,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ..core.channels import METHODS
from ..core.errors import InputError
from ..core.sensitivity import (
    FACTORS,
    design_runs,
    failure_message,
    parse_values,
    read_comparison,
    run_parallel,
    summarise,
    write_runs_csv,
)
from ..core.sensitivity_render import render_html
from .base import PLUGIN_DIR, HpcsAlgorithm

PIPELINE = os.path.join(PLUGIN_DIR, "models", "hpcs_pipeline_full.model3")   # every output
SURFACES_ALG = "hpcs:earthworksurfaces"
#: most pipeline runs at once (each is a whole QGIS process)
MAX_JOBS = 2


def qgis_process_binary():
    """qgis_process.bin next to QGIS (the Debian /usr/bin/qgis_process wrapper is broken)."""
    prefix = QgsApplication.prefixPath() or "/usr"
    for path in (os.path.join(prefix, "bin", "qgis_process.bin"),
                 os.path.join(prefix, "bin", "qgis_process"), "/usr/bin/qgis_process.bin"):
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
    found = shutil.which("qgis_process")
    if not found:
        raise InputError("qgis_process was not found next to QGIS; the sensitivity study runs "
                         "the pipeline through it (install the QGIS package that has it).")
    return found


def child_env(profile):
    """Environment of a child qgis_process: this plugin's folder on the plugin path,
    enabled in a throw-away profile (the user's profile is left alone).

    The children share the profile and start together; on a new profile each one's
    qgis.user creates profiles/default/python/expressions with an unguarded
    os.makedirs, and the second to get there failed with FileExistsError ("Couldn't
    load qgis.user"), so that run failed for nothing.  The folder and its
    __init__.py are made here, once, before any child starts."""
    from qgis.PyQt.QtCore import QSettings
    expressions = os.path.join(profile, "profiles", "default", "python", "expressions")
    os.makedirs(expressions, exist_ok=True)
    open(os.path.join(expressions, "__init__.py"), "a").close()
    name = os.path.basename(os.path.normpath(PLUGIN_DIR))
    ini = QSettings(os.path.join(profile, "profiles", "default", "QGIS", "QGIS3.ini"),
                    QSettings.IniFormat)
    ini.setValue(f"PythonPlugins/{name}", True)
    ini.sync()
    env = dict(os.environ)
    env.update(QGIS_PLUGINPATH=os.path.dirname(os.path.normpath(PLUGIN_DIR)),
               QGIS_CUSTOM_CONFIG_PATH=profile, QT_QPA_PLATFORM="offscreen")
    return env


class DesignSensitivity(HpcsAlgorithm):
    NAME = "designsensitivity"
    DISPLAY_NAME = "Design sensitivity of the landform comparison"
    GROUP_ID = "hpcsmodel"
    HELP = (
        "How much the comparison of NNDL, MNNDL and TDL depends on the inputs a planner is "
        "least sure of: runs the whole HPCS pipeline (hpcs:hpcs_pipeline) once per design "
        "point and compares every criterion of the comparison report across the runs.\n\n"
        "Factors: k, the ratio of spoil to stripped volume (eq. 6); A_max, the maximum slope "
        "angle of the earthwork surfaces (degrees); the strip width (m); the channel "
        "threshold (cells; a run with a threshold uses the 'Fixed' method, with the same "
        "value for the ridges; the base case uses the pipeline's default Otsu threshold "
        "unless a base threshold is given). MINE_AREA, DIRECTION, K, A_MAX, STRIP_WIDTH and "
        "CHANNEL_THRESHOLD are the base case (the pipeline model's own default k is 1.05). "
        "Give the values to try for each factor as a list (e.g. '1.0, 1.1'); a blank list "
        "leaves the factor at the base. One at a time "
        "(default): the base case plus one run per listed value of one factor, the others at "
        "the base. Full grid: every combination (at most 64 runs).\n\n"
        "The runs are separate qgis_process processes, at most PARALLEL at once (a run uses "
        "one core); cancelling stops them all. A run that fails (e.g. k too small for the "
        "plan: infeasible) is reported and left out; the base case must succeed.\n\n"
        "Outputs: a CSV with one row per run (factors, status, every criterion of every "
        "landform, each criterion's winner), an HTML report with a tornado chart per "
        "criterion (per landform: the value at each factor's lowest setting below the base "
        "and its highest setting above it, against the base case) and a table saying whether each criterion's winner holds across "
        "all runs, and optionally the folder with every run's outputs and log.")

    PARAMS = ("DEM", "FLOOR", "THICKNESS", "MINE_AREA")
    OUTPUT_TABLE = "OUTPUT_TABLE"
    OUTPUT_REPORT = "OUTPUT_REPORT"
    OUTPUT_FOLDER = "OUTPUT_FOLDER"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterRasterLayer(
            "DEM", self.tr("Pre-mining DEM (PNL; elevation in m, projected CRS)")))
        self.add_seam_parameters()
        # the base case: the pipeline's mining plan, A_max and channel threshold
        self.add_parameters(("MINE_AREA", "DIRECTION", "K", "A_MAX", "STRIP_WIDTH"))
        self.add_parameter("CHANNEL_THRESHOLD", optional=True)
        num = QgsProcessingParameterNumber
        for name, label in (("K_VALUES", "k values to try (e.g. 1.0, 1.1)"),
                            ("A_MAX_VALUES", "A_max values to try (degrees)"),
                            ("STRIP_WIDTH_VALUES", "Strip widths to try (m)"),
                            ("CHANNEL_THRESHOLD_VALUES", "Channel thresholds to try (cells)")):
            self.addParameter(QgsProcessingParameterString(name, self.tr(label),
                                                           optional=True, defaultValue=""))
        self.addParameter(QgsProcessingParameterBoolean(
            "GRID", self.tr("Full grid of every combination (else one factor at a time)"),
            defaultValue=False))
        self.addParameter(num("PARALLEL", self.tr("Runs at once (processes)"), num.Integer,
                              defaultValue=min(MAX_JOBS, os.cpu_count() or 1), minValue=1,
                              maxValue=MAX_JOBS))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_TABLE, self.tr("Every criterion per run (CSV)"),
            self.tr("CSV files (*.csv)")))
        self.addParameter(QgsProcessingParameterFileDestination(
            self.OUTPUT_REPORT, self.tr("Sensitivity report (HTML)"),
            self.tr("HTML files (*.html)")))
        self.addParameter(QgsProcessingParameterFolderDestination(
            self.OUTPUT_FOLDER, self.tr("Outputs and logs of every run (folder)"),
            optional=True, createByDefault=False))
        self.addOutput(QgsProcessingOutputNumber("RUNS", self.tr("Runs")))
        self.addOutput(QgsProcessingOutputNumber("FAILED", self.tr("Failed runs")))

    def run_algorithm(self, parameters, context, feedback):
        inputs = {n: self.input_source(parameters, n, context) for n in self.PARAMS}
        base = {"K": self.parameterAsDouble(parameters, "K", context),
                "A_MAX": self.parameterAsDouble(parameters, "A_MAX", context),
                "STRIP_WIDTH": self.parameterAsDouble(parameters, "STRIP_WIDTH", context),
                "CHANNEL_THRESHOLD": self.optional_number(parameters, "CHANNEL_THRESHOLD",
                                                          context) or float("nan")}
        ranges = {f: parse_values(self.parameterAsString(parameters, f"{f}_VALUES", context),
                                  f"{f}_VALUES") for f in FACTORS}
        runs = design_runs(base, ranges,
                           grid=self.parameterAsBoolean(parameters, "GRID", context))
        jobs = min(self.parameterAsInt(parameters, "PARALLEL", context), MAX_JOBS)
        folder = self.parameterAsString(parameters, self.OUTPUT_FOLDER, context)
        work = folder or tempfile.mkdtemp(prefix="hpcs_sensitivity_")
        os.makedirs(work, exist_ok=True)
        feedback.pushInfo(self.tr("{0} pipeline runs, {1} at once, in {2}").format(
            len(runs), jobs, work))
        direction = self.parameterAsDouble(parameters, "DIRECTION", context)
        commands = [self.command(r, inputs, direction, work) for r in runs]
        env = child_env(os.path.join(work, "qgis_profile"))
        results = run_parallel(commands, jobs=jobs, env=env, log_dir=work,
                               progress=self.progress(feedback, 0, 97))
        for run, (code, tail) in zip(runs, results):
            table = os.path.join(work, f"run_{run.index:02d}", "REPORT_TABLE.csv")
            if code == 0 and os.path.exists(table):
                run.status, run.table = "ok", read_comparison(table)
            else:
                run.status = "failed"
                run.message = failure_message(tail)
                feedback.pushWarning(self.tr("Run {0} failed: {1}").format(run.label,
                                                                          run.message))
        summary = summarise(runs)
        out_csv = self.parameterAsFileOutput(parameters, self.OUTPUT_TABLE, context)
        out_html = self.parameterAsFileOutput(parameters, self.OUTPUT_REPORT, context)
        write_runs_csv(out_csv, runs, summary)
        with open(out_html, "w", encoding="utf-8") as fh:
            fh.write(render_html(runs, summary, base))
        for s in summary:
            feedback.pushInfo(self.tr("{0}: base winner {1}; holds: {2}").format(
                s["criterion"], s["base_winner"], "yes" if s["holds"] else
                "no (" + ", ".join(s["flips"]) + ")"))
        if not folder:
            shutil.rmtree(work, ignore_errors=True)
        failed = sum(r.status != "ok" for r in runs)
        return {self.OUTPUT_TABLE: out_csv, self.OUTPUT_REPORT: out_html,
                self.OUTPUT_FOLDER: folder or None, "RUNS": len(runs), "FAILED": failed}

    def input_source(self, parameters, name, context):
        """The file of a layer parameter (the child processes read files)."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition):   # MINE_AREA's options
            if value.selectedFeaturesOnly:
                raise InputError(f"Parameter {name}: the runs read the whole layer; save the "
                                 "selected features to a file and use that file.")
            parameters = dict(parameters, **{name: value.source.staticValue()})
        layer = (self.parameterAsVectorLayer if name == "MINE_AREA"
                 else self.parameterAsRasterLayer)(parameters, name, context)
        if layer is None or not layer.isValid():
            raise InputError(f"Parameter {name}: no valid layer was given.")
        source = layer.source().split("|")[0]
        if not os.path.exists(source):
            raise InputError(f"Parameter {name}: '{layer.name()}' is not a file (source "
                             f"{source}); save it to a file and use that file.")
        return source

    def command(self, run, inputs, direction, work):
        """qgis_process arguments of one run: a copy of the pipeline model with the run's
        A_max on its earthwork-surfaces step, every input given and every output named
        inside the run's folder (a model run from a file gets no defaults filled in)."""
        folder = os.path.join(work, f"run_{run.index:02d}")
        os.makedirs(folder, exist_ok=True)
        model = QgsProcessingModelAlgorithm()
        if not model.fromFile(PIPELINE):
            raise InputError(f"Could not read the pipeline model {PIPELINE}.")
        params = dict(inputs, DIRECTION=direction, K=run.values["K"],
                      STRIP_WIDTH=run.values["STRIP_WIDTH"])
        names = {d.name() for d in model.parameterDefinitions()}
        if "A_MAX" in names:
            params["A_MAX"] = run.values["A_MAX"]
        else:
            for child in model.childAlgorithms().values():
                if child.algorithmId() == SURFACES_ALG:
                    child.addParameterSources("A_MAX", [
                        QgsProcessingModelChildParameterSource.fromStaticValue(
                            run.values["A_MAX"])])
                    model.setChildAlgorithm(child)
        threshold = run.values["CHANNEL_THRESHOLD"]
        if math.isfinite(threshold):
            params.update(THRESHOLD_METHOD=METHODS.index("fixed"),
                          CHANNEL_THRESHOLD=int(threshold), RIDGE_THRESHOLD=int(threshold))
        for d in model.parameterDefinitions():
            if d.isDestination():
                ext = d.defaultFileExtension() if d.type() != "folderDestination" else ""
                leaf = d.name().replace(":", "_") + (f".{ext}" if ext else "")
                params[d.name()] = os.path.join(folder, leaf)
            elif d.name() not in params and d.defaultValue() is not None:
                params[d.name()] = d.defaultValue()
        path = os.path.join(folder, "pipeline.model3")
        if not model.toFile(path):
            raise InputError(f"Could not write {path}.")
        return [qgis_process_binary(), "run", path, "--"] + [
            f"{k}={v}" for k, v in params.items()]
