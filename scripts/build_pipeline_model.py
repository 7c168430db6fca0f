#!/usr/bin/env python3
"""Build models/hpcs_pipeline.model3 and models/hpcs_pipeline_full.model3, the whole
HPCS workflow as one Processing model, in two versions of the same chain.

Run with QGIS's Python whenever an algorithm's parameters change:

    /usr/bin/python3 scripts/build_pipeline_model.py [--check]

The model (id ``hpcs:hpcs_pipeline`` once the provider loads it from models/)
chains: channel extraction -> cell classification -> earthwork surfaces ->
sub-area delineation (original and optimized plan, one run) -> NNDL (original plan),
MNNDL (optimized plan), TDL (original plan) -> fusion rate and haul distance of
each landform -> PNL with the final pit -> soil erosion comparison of PNL (with
the pit), NNDL, MNNDL, TDL -> the
comparison report (when hpcs:comparisonreport is registered). Every
intermediate is a model output, so a user can keep any of them.

The script loads the plugin's provider in a headless QGIS, checks each child's
parameter names against the live algorithm (a renamed parameter fails here,
not in the user's modeler), writes the file and reloads it to validate it.
``--check`` builds and validates without writing and fails when the shipped
file differs from a fresh build (an algorithm changed since it was written).
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_PATH = ROOT / "models" / "hpcs_pipeline.model3"
FULL_MODEL_PATH = ROOT / "models" / "hpcs_pipeline_full.model3"
sys.path.insert(0, str(ROOT / "build"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_HASH_SEED"] = "0"     # the same XML attribute order on every run (small diffs)

from qgis.core import (  # noqa: E402
    QgsApplication,
    QgsProcessing,
    QgsProcessingModelAlgorithm,
    QgsProcessingModelChildAlgorithm,
    QgsProcessingModelOutput,
    QgsProcessingModelParameter,
    QgsProcessingParameterEnum,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterVectorLayer,
)
from qgis.core import (
    QgsProcessingModelChildParameterSource as Src,
)
from qgis.PyQt.QtCore import QPointF  # noqa: E402

MODEL_NAME = "hpcs_pipeline"            # the id is hpcs:hpcs_pipeline (ids are case-sensitive)
MODEL_GROUP = "HPCS model"
DISPLAY_NAME = "HPCS pipeline: pristine to optimized near-natural landform"
FULL_MODEL_NAME = "hpcs_pipeline_full"
FULL_DISPLAY_NAME = "HPCS pipeline, every intermediate output"

#: the outputs of the planner's model hpcs:hpcs_pipeline (the full model has every
#: step's outputs); PNL:PNL is the erosion reference, named so that the erosion
#: comparison and the report call it PNL (the provider skips it by default)
PLANNER_OUTPUTS = {
    "HILLSHADE:OUTPUT", "CHANNELS:CHANNELS", "SUBAREAS:SUBAREAS",
    "NNDL:NNDL", "MNNDL:MNNDL", "TDL:TDL", "PNL:PNL",
    "FUSION_NNDL:CHANNELS", "FUSION_MNNDL:CHANNELS", "FUSION_TDL:CHANNELS",
    "REPORT:REPORT", "REPORT:TABLE",
}
REPORT_ALG = "hpcs:comparisonreport"

#: model inputs: name -> description (also the labels of the dialog)
INPUTS = {
    "DEM": "Pre-mining DEM (PNL; elevation in m, projected CRS)",
    "FLOOR": "Floor of the lowest minable seam (elevation, m, on the DEM grid)",
    "THICKNESS": "Minable coal thickness (m, on the DEM grid)",
    "MINE_AREA": "Mine area (polygon)",
    "DIRECTION": "Mining direction (degrees from north)",
    "STRIP_WIDTH": "Strip width (m)",
    "K": "k, ratio of spoil to stripped volume",
    "PIT_LENGTH": "Pit length (m; blank = the smallest that meets the safe distance)",
    "THRESHOLD_METHOD": "Channel threshold method",
    "CHANNEL_THRESHOLD": "Channel threshold (cells, used by 'Fixed')",
    "RIDGE_THRESHOLD": "Ridge threshold (cells, used by 'Fixed')",
}

HELP = {
    "ALG_DISPLAY_NAME": DISPLAY_NAME,   # read by provider.ShippedModel.displayName
    "ALG_DESC": (
        "The whole HPCS workflow of Xia et al. (2023) on one mine plan: channels and "
        "ridges of the pre-mining landform (PNL) -> hydrological cell classes inside the "
        "mine area -> minimum and maximum earthwork surfaces -> mining/refilling sub-areas "
        "of the original plan (equal strips) and of the optimized plan -> the near-natural "
        "landform of the original plan (NNDL), of the optimized plan (MNNDL) and the "
        "traditional landform (TDL, original plan) -> hydrological fusion rate and haul "
        "distance of each landform -> PNL with the final pit -> soil erosion of PNL, NNDL, MNNDL and "
        "TDL over the dump -> comparison report.\n\n"
        "{outputs} The delineation runs once with "
        "the optimization, so its layer holds both plans on the same final pit: NNDL and TDL "
        "are built and evaluated on the original plan, MNNDL on the optimized one.\n\n"
        "k defaults to 1.05: the plan must carry a little more spoil than the minimum "
        "earthwork surface needs (sum V_g >= sum V_fmin); on the bundled sample plan it is "
        "infeasible with k = 1. The erosion reference is PNL with the same final pit at the "
        "same place as the landforms (the paper's section 1.4); erosion is summed over the "
        "dump (the refilling strips of the optimized plan)."),
    "ALG_CREATOR": "HPCS Landform plugin (scripts/build_pipeline_model.py)",
    "DEM": "Pre-mining DEM (PNL) in metres, projected CRS in metres.",
    "FLOOR": "Elevation of the floor of the lowest minable seam, on the DEM's grid.",
    "THICKNESS": "Minable coal thickness in metres, on the DEM's grid.",
    "MINE_AREA": "The mine (lease) polygon: the reshaping area of the classification and "
                 "the area the strips are laid out in.",
    "DIRECTION": "Azimuth of mining advance, degrees clockwise from north (270 = west).",
    "STRIP_WIDTH": "Width of the original (equal) strips, metres.",
    "K": "Spoil swell ratio k (eq. 6): actual spoil volume / stripped bank volume.",
    "PIT_LENGTH": "Length of the final pit along the mining direction, metres (the working "
                  "pit between the refilled and the mined strips). Blank: the smallest pit "
                  "whose gaps meet the safe distance of eq. 9 in every period.",
    "THRESHOLD_METHOD": "How the channel and ridge accumulation thresholds are chosen.",
}


def registry_with_plugin():
    """A headless QGIS with Processing and the HPCS provider loaded."""
    qgs = QgsApplication([], False)
    qgs.initQgis()
    from processing.core.Processing import Processing
    Processing.initialize()
    from hpcs_landform.provider import HpcsProvider
    reg = QgsApplication.processingRegistry()
    if reg.providerById("hpcs") is None:
        reg.addProvider(HpcsProvider())
    return qgs, reg


#: the help's sentence on the outputs, per model
OUTPUTS_HELP = {
    False: ("The outputs are what a planner keeps: the three landforms over a hillshade of "
            "PNL, the sub-areas with both plans, the channels of PNL and of each landform "
            "and the report; a Toolbox run opens them, styled, in one layer group. Every "
            "other step writes a temporary file: run 'HPCS pipeline, every intermediate "
            "output' (hpcs:hpcs_pipeline_full) or the single steps to keep them."),
    True: ("Every intermediate layer and table is an output of the model: leave it as a "
           "temporary output or give it a file name to keep it."),
}


class Builder:
    #: every output of every step (a subclass with its own __init__, as the
    #: construction model's builder, keeps them all)
    full = True

    def __init__(self, registry, full=False):
        self.reg = registry
        self.full = full
        self.model = QgsProcessingModelAlgorithm(
            FULL_MODEL_NAME if full else MODEL_NAME, MODEL_GROUP, "hpcsmodel")
        self.row = {}

    # --- inputs ---------------------------------------------------------
    #: the labels of the model's inputs (a subclass building another model sets its own)
    inputs = INPUTS

    def add_input(self, definition, x, y):
        definition.setDescription(self.inputs[definition.name()])
        comp = QgsProcessingModelParameter(definition.name())
        comp.setDescription(self.inputs[definition.name()])
        comp.setPosition(QPointF(x, y))
        self.model.addModelParameter(definition, comp)

    # --- children -------------------------------------------------------
    def add_child(self, child_id, alg_id, description, params, outputs, x, y):
        """params: child parameter -> Src or list of Src; outputs: child output name ->
        (model output name, description)."""
        child_id = child_id.upper()     # the outputs are STEP:OUTPUT, upper case like
        alg = self.reg.algorithmById(alg_id)     # every parameter name of the plugin
        if alg is None:
            raise SystemExit(f"{alg_id} is not registered: cannot build the model")
        child = QgsProcessingModelChildAlgorithm(alg_id)
        child.setChildId(child_id)
        child.setDescription(description)
        child.setPosition(QPointF(x, y))
        for name, src in params.items():
            if alg.parameterDefinition(name) is None:
                raise SystemExit(f"{alg_id} has no parameter {name}")
            child.addParameterSources(name, src if isinstance(src, list) else [src])
        # every other input at the algorithm's default, as the modeler does when a
        # step is added (the model validates only when each mandatory one has a value)
        for d in alg.parameterDefinitions():
            if d.isDestination() or d.name() in params or d.defaultValue() is None:
                continue
            child.addParameterSources(d.name(), [v(d.defaultValue())])
        mouts = {}
        if not self.full:       # the planner's model: only the outputs a planner keeps
            outputs = {k: o for k, o in outputs.items()
                       if f"{child_id}:{o[0]}" in PLANNER_OUTPUTS}
        for i, (out_name, (model_name, desc)) in enumerate(outputs.items()):
            if alg.parameterDefinition(out_name) is None:
                raise SystemExit(f"{alg_id} has no destination parameter {out_name}")
            mo = QgsProcessingModelOutput(model_name, desc)
            mo.setChildId(child_id)
            mo.setChildOutputName(out_name)
            mo.setDescription(desc)
            mo.setMandatory(False)
            # a temporary file unless the user names one (qgis_process refuses a run that
            # leaves a non-optional destination, e.g. a vector sink, without a value)
            mo.setDefaultValue(QgsProcessing.TEMPORARY_OUTPUT)
            mo.setPosition(QPointF(x + 270, y + 34 * (i - (len(outputs) - 1) / 2)))
            mouts[model_name] = mo
        child.setModelOutputs(mouts)
        self.model.addChildAlgorithm(child)
        return child_id


def p(name):
    return Src.fromModelParameter(name)


def c(child_id, output):
    return Src.fromChildOutput(child_id.upper(), output)


def v(value):
    return Src.fromStaticValue(value)


def build(reg, full=False):
    """The planner's model hpcs:hpcs_pipeline, or with full=True hpcs:hpcs_pipeline_full
    (every step's outputs)."""
    b = Builder(reg, full)
    m = b.model
    b.add_input(QgsProcessingParameterRasterLayer("DEM"), 120, 60)
    b.add_input(QgsProcessingParameterRasterLayer("FLOOR"), 120, 140)
    b.add_input(QgsProcessingParameterRasterLayer("THICKNESS"), 120, 220)
    b.add_input(QgsProcessingParameterVectorLayer(
        "MINE_AREA", "", [QgsProcessing.TypeVectorPolygon]), 120, 300)
    num = QgsProcessingParameterNumber
    b.add_input(num("DIRECTION", "", num.Double, defaultValue=270.0, minValue=0.0,
                    maxValue=360.0), 120, 380)
    b.add_input(num("STRIP_WIDTH", "", num.Double, defaultValue=90.0, minValue=0.001),
                120, 460)
    b.add_input(num("K", "", num.Double, defaultValue=1.05, minValue=0.001), 120, 540)
    b.add_input(num("PIT_LENGTH", "", num.Double, defaultValue=None, optional=True,
                    minValue=0.0), 120, 860)
    methods = reg.algorithmById("hpcs:channelextraction").parameterDefinition("THRESHOLD_METHOD")
    b.add_input(QgsProcessingParameterEnum(
        "THRESHOLD_METHOD", "", options=methods.options(), defaultValue=methods.defaultValue(),
        optional=True), 120, 620)
    b.add_input(num("CHANNEL_THRESHOLD", "", num.Integer, defaultValue=100, minValue=2),
                120, 700)
    b.add_input(num("RIDGE_THRESHOLD", "", num.Integer, defaultValue=100, minValue=2),
                120, 780)

    # 1. channels and ridges of PNL
    b.add_child("channels", "hpcs:channelextraction", "1 Channels and ridges (PNL)", {
        "INPUT": p("DEM"), "THRESHOLD_METHOD": p("THRESHOLD_METHOD"),
        "CHANNEL_THRESHOLD": p("CHANNEL_THRESHOLD"), "RIDGE_THRESHOLD": p("RIDGE_THRESHOLD"),
    }, {
        "OUTPUT_FILLED": ("FILLED", "1 Depression-filled DEM"),
        "OUTPUT_FLOWDIR": ("FLOWDIR", "1 Flow direction (D8)"),
        "OUTPUT_ACCUMULATION": ("ACCUMULATION", "1 Flow accumulation (cells)"),
        "OUTPUT_CHANNELS": ("CHANNELS", "1 Channels (PNL)"),
        "OUTPUT_RIDGES": ("RIDGES", "1 Ridges (PNL)"),
        "OUTPUT_CATCHMENTS": ("CATCHMENTS", "1 Catchments (PNL)"),
    }, 450, 120)
    if not full:    # the planner's base map: the landforms are drawn over it
        b.add_child("hillshade", "native:hillshade", "Hillshade of PNL", {
            "INPUT": p("DEM"), "Z_FACTOR": v(1.0), "AZIMUTH": v(315.0),
            "V_ANGLE": v(45.0)}, {"OUTPUT": ("OUTPUT", "Hillshade of PNL")}, 450, 20)
    # 2. cell classes
    b.add_child("classes", "hpcs:classifycells", "2 Hydrological cell classes", {
        "INPUT": p("DEM"), "AREA": p("MINE_AREA"),
        "FLOWDIR": c("channels", "OUTPUT_FLOWDIR"), "CHANNELS": c("channels", "OUTPUT_CHANNELS"),
        "RIDGES": c("channels", "OUTPUT_RIDGES"),
        "CATCHMENTS": c("channels", "OUTPUT_CATCHMENTS"),
    }, {"OUTPUT": ("CLASSES", "2 Cell classes")}, 450, 330)
    # 3. earthwork surfaces
    b.add_child("surfaces", "hpcs:earthworksurfaces", "3 Earthwork surfaces", {
        "INPUT": p("DEM"), "CLASSES": c("classes", "OUTPUT"),
        "FLOWDIR": c("channels", "OUTPUT_FLOWDIR"),
        "CATCHMENTS": c("channels", "OUTPUT_CATCHMENTS"),
    }, {
        "OUTPUT_MAX": ("DEM_MAX", "3 Maximum earthwork surface (dem_max)"),
        "OUTPUT_MIN": ("DEM_MIN", "3 Minimum earthwork surface (dem_min)"),
    }, 450, 450)
    # 4. sub-areas: ONE delineation with OPTIMIZE holds both plans (field plan =
    # original / optimized) on the same pit; a second run without OPTIMIZE may pick
    # another smallest safe pit, and NNDL, MNNDL and TDL would then not share their
    # final pit and dump (which the comparison, the erosion area and the report need)
    b.add_child("subareas", "hpcs:subareadelineation",
                "4 Sub-areas, original and optimized plans", {
                    "INPUT": p("DEM"), "FLOOR": p("FLOOR"), "THICKNESS": p("THICKNESS"),
                    "SURFACE_MAX": c("surfaces", "OUTPUT_MAX"),
                    "SURFACE_MIN": c("surfaces", "OUTPUT_MIN"),
                    "MINE_AREA": p("MINE_AREA"), "DIRECTION": p("DIRECTION"),
                    "STRIP_WIDTH": p("STRIP_WIDTH"), "K": p("K"),
                    "PIT_LENGTH": p("PIT_LENGTH"), "OPTIMIZE": v(True),
                }, {
                    "OUTPUT": ("SUBAREAS", "4 Sub-areas, original and optimized plans"),
                    "OUTPUT_TABLE": ("TABLE", "4 Periods table, both plans (CSV)"),
                    "OUTPUT_CHART": ("CHART", "4 Supply-demand chart, both plans (HTML)"),
                }, 450, 620)
    # the dump: refilling strips of the optimized plan (erosion is summed there)
    b.add_child("dump", "native:extractbyexpression", "Dump (refilling strips)", {
        "INPUT": c("subareas", "OUTPUT"),
        "EXPRESSION": v("\"kind\" = 'refilling' AND \"plan\" = 'optimized'"),
    }, {"OUTPUT": ("DUMP", "4 Dump (refilling strips, optimized plan)")}, 450, 800)
    # 5. landforms
    landform = {"INPUT": p("DEM"), "SURFACE_MAX": c("surfaces", "OUTPUT_MAX"),
                "SURFACE_MIN": c("surfaces", "OUTPUT_MIN"), "FLOOR": p("FLOOR"),
                "CATCHMENTS": c("channels", "OUTPUT_CATCHMENTS")}
    # PLAN enum of the landform and evaluation algorithms: 0 optimized (or the only), 1 original
    forms = (("nndl", "subareas", 1, "NNDL", "near-natural landform, original plan"),
             ("mnndl", "subareas", 0, "MNNDL", "near-natural landform, optimized plan"),
             ("tdl", "subareas", 1, "TDL", "traditional landform, original plan"))
    for i, (fid, plan_id, plan_no, label, what) in enumerate(forms):
        y = 120 + 300 * i
        if fid == "tdl":
            b.add_child(fid, "hpcs:traditionallandform", f"5 {label}: {what}", {
                "INPUT": p("DEM"), "FLOOR": p("FLOOR"), "SUBAREAS": c(plan_id, "OUTPUT"),
                "PLAN": v(plan_no)}, {"OUTPUT": (label, f"5 {label}: {what}")}, 1050, y)
        else:
            b.add_child(fid, "hpcs:nearnaturallandform", f"5 {label}: {what}",
                        dict(landform, SUBAREAS=c(plan_id, "OUTPUT"), PLAN=v(plan_no)),
                        {"OUTPUT": (label, f"5 {label}: {what}")}, 1050, y)
        # 6. evaluation of this landform
        b.add_child(f"fusion_{fid}", "hpcs:fusionrate", f"6 Fusion rate, {label}", {
            "PRISTINE": p("DEM"), "LANDFORM": c(fid, "OUTPUT"),
            "SUBAREAS": c(plan_id, "OUTPUT"), "PLAN": v(plan_no),
            # PNL's flow as step 1 routed it (not conditioned again in each child)
            "FLOWDIR": c("channels", "OUTPUT_FLOWDIR"),
            "ACCUMULATION": c("channels", "OUTPUT_ACCUMULATION"),
        }, {
            "OUTPUT_AGREEMENT": ("AGREEMENT", f"6 Flow agreement on the dump boundary, {label}"),
            "OUTPUT_CHANNELS": ("CHANNELS", f"6 Channels shared/lost/new, {label}"),
            "OUTPUT_TABLE": ("TABLE", f"6 Fusion rate per strip, {label} (CSV)"),
        }, 1650, y - 50)
        b.add_child(f"haul_{fid}", "hpcs:hauldistance", f"6 Haul distance, {label}", {
            "INPUT": p("DEM"), "FLOOR": p("FLOOR"), "THICKNESS": p("THICKNESS"),
            "LANDFORM": c(fid, "OUTPUT"), "SUBAREAS": c(plan_id, "OUTPUT"), "K": p("K"),
            "PLAN": v(plan_no),
        }, {
            "OUTPUT_TABLE": ("TABLE", f"6 Haul distance per period, {label} (CSV)"),
            "OUTPUT_LINES": ("LINES", f"6 Earth moves, {label}"),
        }, 1650, y + 90)
    # 7. PNL with the landforms' final pit (paper section 1.4: the same pit at the same
    # place), then soil erosion of PNL, NNDL, MNNDL, TDL (PNL first: the reference)
    b.add_child("pnl", "hpcs:pristinelandform", "7 PNL with the final pit (erosion reference)", {
        "INPUT": p("DEM"), "FLOOR": p("FLOOR"), "SUBAREAS": c("subareas", "OUTPUT"),
        "PLAN": v(0)}, {"OUTPUT": ("PNL", "7 PNL with the final pit (erosion reference)")},
        2250, 120)
    b.add_child("erosion", "hpcs:erosioncomparison", "7 Soil erosion of PNL, NNDL, MNNDL, TDL", {
        "LANDFORMS": [c("pnl", "OUTPUT"), c("nndl", "OUTPUT"), c("mnndl", "OUTPUT"),
                      c("tdl", "OUTPUT")],
        "EVALUATION_AREA": c("dump", "OUTPUT"), "SUBAREAS": c("subareas", "OUTPUT"),
    }, {
        "OUTPUT_TABLE": ("TABLE", "7 Erosion table (CSV)"),
        "OUTPUT_REPORT": ("REPORT", "7 Erosion report (HTML)"),
        "OUTPUT_FOLDER": ("FOLDER", "7 Evolved DEMs and elevation changes (folder)"),
    }, 2250, 300)
    # 8. the comparison report, when the algorithm exists
    report = reg.algorithmById(REPORT_ALG)
    if report is not None:
        add_report(b, report)
    else:
        print(f"note: {REPORT_ALG} is not registered; the model has no report step")
    m.setHelpContent(dict(
        HELP, ALG_DISPLAY_NAME=FULL_DISPLAY_NAME if full else DISPLAY_NAME,
        ALG_DESC=HELP["ALG_DESC"].replace("{outputs}", OUTPUTS_HELP[full])))
    m.setParameterOrder(list(INPUTS))          # the dialog shows the inputs in this order
    m.updateDestinationParameters()
    return m


build_pipeline = build      # (scripts/build_construction_model.py replaces build)


def add_report(b, alg):
    """hpcs:comparisonreport: PNL, the three landforms (named explicitly: their
    files may be temporary outputs all called OUTPUT.tif), both plans in one
    layer (the report gives the optimized strips to MNNDL, the original ones to
    NNDL and TDL, as the children above), evaluation area blank = the dump; the
    fusion, channel, haul and erosion results of steps 6 and 7, so that the
    report routes no landform again, and PNL's flow of step 1, so that it does
    not route PNL again either."""
    params = {
        "PRISTINE": p("DEM"),
        "LANDFORMS": [c("nndl", "OUTPUT"), c("mnndl", "OUTPUT"), c("tdl", "OUTPUT")],
        "LANDFORM_NAMES": v("NNDL, MNNDL, TDL"),
        "OPTIMIZED_NAMES": v("MNNDL"),
        "FLOOR": p("FLOOR"), "THICKNESS": p("THICKNESS"),
        "SUBAREAS": c("subareas", "OUTPUT"), "K": p("K"),
        # nothing computed twice: the report takes what the evaluation steps wrote
        # (one per landform, in the order of LANDFORMS) and the earthwork surfaces
        # for its design-quality table
        "FUSION_TABLES": [c(f"fusion_{f}", "OUTPUT_TABLE") for f in ("nndl", "mnndl", "tdl")],
        "CHANNEL_CLASSES": [c(f"fusion_{f}", "OUTPUT_CHANNELS")
                            for f in ("nndl", "mnndl", "tdl")],
        "HAUL_TABLES": [c(f"haul_{f}", "OUTPUT_TABLE") for f in ("nndl", "mnndl", "tdl")],
        "EROSION_TABLE": c("erosion", "OUTPUT_TABLE"),
        "TDL_LEVELS": c("tdl", "OUTPUT_LEVELS"),
        "SURFACE_MIN": c("surfaces", "OUTPUT_MIN"), "SURFACE_MAX": c("surfaces", "OUTPUT_MAX"),
        # PNL's flow as step 1 routed it (as the fusion steps take it): PNL is not
        # conditioned again in the report
        "FLOWDIR": c("channels", "OUTPUT_FLOWDIR"),
        "ACCUMULATION": c("channels", "OUTPUT_ACCUMULATION"),
    }
    outputs = {"OUTPUT_REPORT": ("REPORT", "8 Landform comparison report (HTML)"),
               "OUTPUT_TABLE": ("TABLE", "8 Landform comparison table (CSV)")}
    for d in alg.parameterDefinitions():
        if d.isDestination() and d.name() not in outputs:
            outputs[d.name()] = (d.name().replace("OUTPUT_", ""), f"8 {d.description()}")
        elif (not d.isDestination() and d.name() not in params
              and not d.flags() & d.FlagOptional and d.defaultValue() is None):
            raise SystemExit(f"{REPORT_ALG}: do not know how to feed {d.name()}")
    b.add_child("report", REPORT_ALG, "8 Landform comparison report", params, outputs,
                2250, 600)


def check(model, reg):
    """Every child resolves and every mandatory child parameter has a source."""
    problems = []
    for cid, child in model.childAlgorithms().items():
        alg = reg.algorithmById(child.algorithmId())
        if alg is None:
            problems.append(f"{cid}: {child.algorithmId()} not found")
            continue
        ok, errs = model.validateChildAlgorithm(cid)
        if not ok:
            problems.extend(f"{cid}: {e}" for e in errs)
    ok, errs = model.validate()
    if not ok:
        problems.extend(errs)
    return problems


def main(argv):
    """Write both models; with --check, only say whether the files are up to date."""
    qgs, reg = registry_with_plugin()
    models = [(build(reg), MODEL_PATH)]
    if build is build_pipeline:     # a builder reusing this main (the construction
        models.append((build(reg, full=True), FULL_MODEL_PATH))   # model's) has one model
    failures = [msg for model, path in models
                for msg in [write_model(model, reg, path, "--check" in argv)] if msg]
    del qgs
    if failures:
        raise SystemExit("\n".join(failures))


def write_model(model, reg, model_path, check_only):
    """Validate, write (to a temporary file with check_only), read back and validate;
    with check_only compare with the shipped file. Returns an error text or None."""
    import tempfile
    problems = check(model, reg)
    if problems:
        return f"{model_path.name} does not validate:\n  " + "\n  ".join(problems)
    target = model_path
    if check_only:
        target = Path(tempfile.mkdtemp(prefix="hpcs_model_")) / model_path.name
    target.parent.mkdir(exist_ok=True)
    if not model.toFile(str(target)):
        return f"could not write {target}"
    again = QgsProcessingModelAlgorithm()
    if not again.fromFile(str(target)):
        return f"could not read back {target}"
    problems = check(again, reg)
    if problems:
        return f"written {target.name} does not validate:\n  " + "\n  ".join(problems)
    summary = (f"{len(again.childAlgorithms())} steps, {len(again.parameterDefinitions())} "
               f"parameters, {len(again.destinationParameterDefinitions())} outputs")
    if check_only:
        shipped = QgsProcessingModelAlgorithm()
        same = shipped.fromFile(str(model_path)) and shipped.toVariant() == again.toVariant()
        if not same:
            return (f"{model_path} is out of date with the algorithms: run "
                    "/usr/bin/python3 scripts/build_pipeline_model.py")
        print(f"{model_path} is up to date ({summary})")
    else:
        print(f"wrote {model_path}: {summary}")
    return None


if __name__ == "__main__":
    main(sys.argv)
