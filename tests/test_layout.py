"""Project rules that a test can enforce."""
import ast
import configparser
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_core_never_imports_qgis_or_qt():
    offenders = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for n in names:
                if n.split(".")[0] in ("qgis", "PyQt5", "PyQt6", "processing"):
                    offenders.append(f"{path.relative_to(ROOT)}: {n}")
    assert not offenders, offenders


def test_core_imports_without_qgis_loaded():
    code = ("import sys, pkgutil, importlib; sys.path.insert(0, %r);"
            "import hpcs_landform.core as c;"
            "[importlib.import_module('hpcs_landform.core.' + m.name) "
            " for m in pkgutil.iter_modules(c.__path__)];"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('qgis', 'PyQt5')];"
            "print(bad); sys.exit(1 if bad else 0)") % str(ROOT / "build")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


#: the modules of algorithms/ that every algorithm may import: the shared glue
SHARED_ALGORITHM_MODULES = {"base", "validation"}


def _imported_algorithm_modules(tree, package="hpcs_landform.algorithms"):
    """The modules of algorithms/ that the module ``tree`` (a file of algorithms/)
    imports, by their file stem, with the line: relative (``from .x import``,
    ``from . import x``, ``from ..algorithms.x import``) and absolute
    (``hpcs_landform.algorithms.x``) imports, anywhere in the file."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                base = node.module or ""
            else:   # resolved against hpcs_landform.algorithms (the file's package)
                parts = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parts + ([node.module] if node.module else []))
            # 'from <package> import x' imports the modules x; 'from <package>.x import
            # y' the module x
            modules = [f"{base}.{a.name}" for a in node.names] if base == package else [base]
        else:
            continue
        for m in modules:
            if m.startswith(package + "."):
                found.append((m[len(package) + 1:].split(".")[0], node.lineno))
    return found


def test_algorithm_files_never_import_each_other():
    """Algorithm files never import each other (docs/architecture.md): shared glue
    lives in algorithms/base.py (or validation.py), shared computation in core/."""
    offenders = []
    for path in sorted((ROOT / "algorithms").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for module, line in _imported_algorithm_modules(tree):
            if module not in SHARED_ALGORITHM_MODULES and module != path.stem:
                offenders.append(f"algorithms/{path.name}:{line} imports algorithms/{module}.py")
    assert not offenders, "\n".join(offenders)


def test_the_import_rule_sees_every_form_of_import():
    forms = {"from .haul_distance import strip_coverage": ["haul_distance"],
             "from . import validation, near_natural_landform":
                 ["validation", "near_natural_landform"],
             "from ..algorithms.classify_cells import flowdir_codes": ["classify_cells"],
             "from ..algorithms import resilience_index": ["resilience_index"],
             "import hpcs_landform.algorithms.cut_fill": ["cut_fill"],
             "def f():\n    from .base import HpcsAlgorithm": ["base"],
             "from ..core.haul import haul_distance": [],
             "from qgis.core import QgsProcessing": []}
    for code, modules in forms.items():
        found = [m for m, _ in _imported_algorithm_modules(ast.parse(code))]
        assert found == modules, (code, found)


def test_metadata():
    meta = configparser.ConfigParser()
    meta.read(ROOT / "metadata.txt")
    g = meta["general"]
    assert g["name"] == "HPCS Landform"
    assert g["qgisMinimumVersion"] == "3.22"
    assert g["hasProcessingProvider"] == "yes"
    for key in ("about", "tracker", "repository", "tags", "changelog", "version", "icon"):
        assert g.get(key), key
    assert (ROOT / g["icon"]).exists()


def test_package_zip(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "package.py")],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    zips = sorted((ROOT / "dist").glob("hpcs_landform-*.zip"))
    assert zips
    names = zipfile.ZipFile(zips[-1]).namelist()
    assert "hpcs_landform/metadata.txt" in names
    assert "hpcs_landform/__init__.py" in names
    assert "hpcs_landform/algorithms/channel_extraction.py" in names
    assert not any(n.startswith("hpcs_landform/tests/") for n in names)


def test_provider_lists_algorithms_with_lowercase_ids(provider):
    ids = [a.id() for a in provider.algorithms()]
    assert "hpcs:channelextraction" in ids
    for a in provider.algorithms():
        assert a.id() == a.id().lower(), a.id()
        assert a.shortHelpString(), a.id()
        if not a.id().startswith("hpcs:hpcs_"):   # models keep their own help
            # the dialog renders help as HTML: a '<' would hide the text after it
            assert "<" not in a.shortHelpString(), a.id()
        assert a.displayName(), a.id()
        for p in a.parameterDefinitions():
            # a model's child outputs are named "child:OUTPUT"; the part after ':' counts
            name = p.name().split(":")[-1]
            assert name == name.upper(), (a.id(), p.name())


def test_provider_declares_version_and_output_formats(provider):
    meta = (ROOT / "metadata.txt").read_text(encoding="utf-8")
    version = next(line.split("=", 1)[1].strip() for line in meta.splitlines()
                   if line.startswith("version="))
    assert provider.versionInfo() == version
    assert provider.supportedOutputRasterLayerExtensions() == ["tif"]
    assert provider.defaultRasterFileExtension() == "tif"
    # a raster destination of any algorithm offers GeoTIFF only
    alg = provider.algorithm("channelextraction")
    dest = alg.parameterDefinition(alg.OUTPUT_FILLED)
    assert dest.defaultFileExtension() == "tif"
    assert dest.supportedOutputRasterLayerExtensions() == ["tif"]


#: (name, algorithm) pairs allowed to differ from the other algorithms' parameter of that
#: name: channel extraction's INPUT is any DEM, the others' the pre-mining DEM (PNL)
OWN_DEFINITIONS = {("INPUT", "channelextraction")}


def _definition(p):
    """What must agree between two algorithms' parameters of one name."""
    d = {"type": p.type(), "label": p.description(), "help": p.help(),
         "default": p.defaultValue(),
         "advanced": bool(p.flags() & p.FlagAdvanced)}
    for attr in ("dataType", "minimum", "maximum", "options", "allowMultiple", "dataTypes",
                 "layerType"):
        if hasattr(p, attr):
            d[attr] = getattr(p, attr)()
    return d


def test_shared_parameters_have_one_definition(provider):
    """A parameter name that two or more algorithms declare has the same type, label,
    help, default and range (and options, layer types) in every one of them: the
    definition comes from the catalogue in algorithms/base.py.  Destinations (OUTPUT,
    OUTPUT_TABLE, ...) name what each algorithm writes and are each algorithm's own;
    whether a parameter is optional is the algorithm's choice."""
    from hpcs_landform.algorithms.base import PARAMETERS
    from hpcs_landform.provider import ALGORITHMS
    ids = {cls.NAME for cls in ALGORITHMS}
    seen = {}
    for alg in [a for a in provider.algorithms() if a.name() in ids]:   # not the models
        for p in alg.parameterDefinitions():
            if p.isDestination() or (p.name(), alg.name()) in OWN_DEFINITIONS:
                continue
            seen.setdefault(p.name(), {})[alg.name()] = _definition(p)
    shared = {name: per for name, per in seen.items() if len(per) > 1}
    assert {"K", "BENCH_HEIGHT", "FLOOR", "EVALUATION_AREA", "CHANNEL_THRESHOLD"} <= set(
        shared)
    for name, per in shared.items():
        assert name in PARAMETERS, f"{name} is declared by {sorted(per)}, not in the catalogue"
        first, *others = per.items()
        for alg, d in others:
            diff = {k: (first[1][k], d[k]) for k in d if d[k] != first[1][k]}
            assert not diff, f"{name}: {first[0]} and {alg} differ: {diff}"
    # every catalogue entry has a label and a help text, and numbers a range
    for name, spec in PARAMETERS.items():
        assert spec.label and spec.help, name
        if spec.kind in ("number", "integer"):
            assert spec.minimum is not None, name
            if spec.default is not None:
                assert spec.minimum <= spec.default <= (spec.maximum or float("inf")), name
