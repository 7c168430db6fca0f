#!/usr/bin/env python3
"""`make translations`: update i18n/hpcs_landform_<lang>.ts and compile the .qm.

Strings are collected the way the plugin translates them:
* every literal passed to ``self.tr(...)`` in algorithms/*.py, in the context
  of the class it appears in (HpcsAlgorithm.tr uses the class name and falls
  back to the context 'HpcsAlgorithm', where the base class's messages are);
* each algorithm's DISPLAY_NAME and HELP, parameter descriptions and help
  texts, output descriptions and enum options, read from the live algorithms
  (so strings built in loops are included);
* group names (context HpcsAlgorithm) and the provider name (HpcsProvider);
* the shipped models' (models/*.model3) display name, help texts, input and
  output labels and enum options, in the context of the model's name.

Existing translations are kept; new strings are added as unfinished; strings
no longer used are marked obsolete.  Then lrelease compiles the .qm.
Run with /usr/bin/python3 (QGIS's Python).  ``--check`` writes nothing and lists
the strings still to translate (exit status 1 if any; tests/test_translations.py).
"""
import ast
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
I18N = ROOT / "i18n"
LANGS = ["zh_CN"]
LRELEASE = [p for p in ("/usr/lib/qt5/bin/lrelease", shutil.which("lrelease") or "")
            if p and os.path.exists(p)]


def literal_tr_strings():
    """{context: [source, ...]} from self.tr("...") literals in algorithms/."""
    out = {}
    for path in sorted((ROOT / "algorithms").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for cls in [n for n in tree.body if isinstance(n, ast.ClassDef)]:
            for node in ast.walk(cls):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr == "tr" and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    out.setdefault(cls.name, []).append(node.args[0].value)
    return out


#: module-level translation helpers: file -> the context of its tr("...") calls
MODULE_CONTEXTS = {"algorithms/validation.py": "HpcsValidation", "provider.py": "HpcsProvider"}


def module_strings():
    """{context: [source, ...]} from module-level tr("...") calls of
    MODULE_CONTEXTS and from QCoreApplication.translate("ctx", "...") and
    QT_TRANSLATE_NOOP("ctx", "...") literals in algorithms/ and provider.py."""
    out = {}
    files = sorted((ROOT / "algorithms").glob("*.py")) + [ROOT / "provider.py"]
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
                    for a in node.args]
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name == "tr" and isinstance(node.func, ast.Name) and rel in MODULE_CONTEXTS \
                    and args and args[0]:
                out.setdefault(MODULE_CONTEXTS[rel], []).append(args[0])
            elif name in ("translate", "QT_TRANSLATE_NOOP") and len(args) >= 2 \
                    and args[0] and args[1]:
                out.setdefault(args[0], []).append(args[1])
    return out


def live_strings():
    """{context: [source, ...]} from the registered algorithms."""
    sys.path.insert(0, str(ROOT / "build"))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from qgis.core import QgsApplication, QgsProcessingParameterEnum
    app = QgsApplication([], False)
    app.initQgis()
    # the models' steps include native and GDAL algorithms (native:extractbyexpression,
    # gdal:contour): Processing registers every provider, as in QGIS
    sys.path.insert(0, "/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing
    Processing.initialize()
    from hpcs_landform.algorithms.base import GROUPS
    from hpcs_landform.provider import ALGORITHMS, HpcsProvider
    provider = HpcsProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    out = {"HpcsAlgorithm": list(GROUPS.values()), "HpcsProvider": ["HPCS Landform"]}
    for cls in ALGORITHMS:
        alg = QgsApplication.processingRegistry().algorithmById(f"hpcs:{cls.NAME}")
        strings = [cls.DISPLAY_NAME, cls.HELP]
        for p in alg.parameterDefinitions():
            strings.extend((p.description(), p.help()))     # help: the catalogue's
            if isinstance(p, QgsProcessingParameterEnum):
                strings.extend(p.options())
        strings.extend(o.description() for o in alg.outputDefinitions())
        out.setdefault(cls.__name__, []).extend(s for s in strings if s)
    # the shipped models of models/*.model3 (provider.ShippedModel), context = model name
    from hpcs_landform.provider import ShippedModel
    for model in provider.algorithms():
        if not isinstance(model, ShippedModel):
            continue
        help_content = model.helpContent()
        strings = [help_content.get("ALG_DISPLAY_NAME")]
        strings.extend(v for k, v in help_content.items()
                       if isinstance(v, str) and k != "ALG_DISPLAY_NAME")
        for p in model.parameterDefinitions():
            strings.append(p.description())
            if isinstance(p, QgsProcessingParameterEnum):
                strings.extend(p.options())
        strings.extend(o.description() for o in model.outputDefinitions())
        out.setdefault(model.name(), []).extend(s for s in strings if s)
    QgsApplication.processingRegistry().removeProvider(provider)
    return out


def collect():
    literal, live = literal_tr_strings(), live_strings()
    for ctx, strings in module_strings().items():
        literal.setdefault(ctx, []).extend(strings)
    # HpcsAlgorithm.tr falls back to the context 'HpcsAlgorithm', so the base class's
    # messages, and the labels, help texts and options of its parameter catalogue
    # (algorithms/base.py PARAMETERS), are translated once, there
    from hpcs_landform.algorithms.base import PARAMETERS
    literal.setdefault("HpcsAlgorithm", []).extend(
        text for spec in PARAMETERS.values() for text in (spec.label, spec.help, *spec.options))
    base = set(literal["HpcsAlgorithm"])
    merged = {}
    for source in (literal, live):
        for ctx, strings in source.items():
            seen = merged.setdefault(ctx, [])
            for s in strings:
                if s not in seen and (ctx == "HpcsAlgorithm" or s not in base):
                    seen.append(s)
    return merged


def update_ts(path, lang, strings):
    old = {}
    if path.exists():
        for ctx in ET.parse(path).getroot().iter("context"):
            name = ctx.findtext("name")
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                if tr is not None and tr.text and tr.get("type") not in ("unfinished",):
                    old[(name, msg.findtext("source"))] = tr.text
    root = ET.Element("TS", version="2.1", language=lang)
    missing = 0
    for ctx_name in sorted(strings):
        ctx = ET.SubElement(root, "context")
        ET.SubElement(ctx, "name").text = ctx_name
        for s in strings[ctx_name]:
            msg = ET.SubElement(ctx, "message")
            ET.SubElement(msg, "source").text = s
            tr = ET.SubElement(msg, "translation")
            if (ctx_name, s) in old:
                tr.text = old[(ctx_name, s)]
            else:
                tr.set("type", "unfinished")
                missing += 1
    obsolete = [k for k in old if k[0] not in strings or k[1] not in strings[k[0]]]
    ET.indent(root)
    I18N.mkdir(exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        fh.write(ET.tostring(root, encoding="utf-8"))
        fh.write(b"\n")
    return missing, obsolete


def read_ts(path):
    """{(context, source): translation} of the finished messages of a .ts file."""
    done = {}
    if path.exists():
        for ctx in ET.parse(path).getroot().iter("context"):
            name = ctx.findtext("name")
            for msg in ctx.iter("message"):
                tr = msg.find("translation")
                if tr is not None and tr.text and tr.get("type") not in ("unfinished",
                                                                         "obsolete"):
                    done[(name, msg.findtext("source"))] = tr.text
    return done


def check(strings):
    """--check: list the current strings without a finished translation (no file is
    written); exit status 1 if there are any."""
    bad = 0
    for lang in LANGS:
        ts = I18N / f"hpcs_landform_{lang}.ts"
        done = read_ts(ts)
        todo = [(c, s) for c in sorted(strings) for s in strings[c] if (c, s) not in done]
        for ctx, s in todo:
            print(f"UNTRANSLATED {lang} [{ctx}] {s[:100]!r}")
        print(f"{ts.relative_to(ROOT)}: {sum(len(v) for v in strings.values())} strings, "
              f"{len(todo)} untranslated")
        bad += len(todo)
    if bad:
        print("Run `make translations`, translate the new <translation type=\"unfinished\"> "
              "entries of i18n/*.ts, and run `make translations` again to compile the .qm.")
    return 1 if bad else 0


def main():
    strings = collect()
    if "--check" in sys.argv[1:]:
        sys.exit(check(strings))
    total = sum(len(v) for v in strings.values())
    for lang in LANGS:
        ts = I18N / f"hpcs_landform_{lang}.ts"
        missing, obsolete = update_ts(ts, lang, strings)
        print(f"{ts.relative_to(ROOT)}: {total} strings, {missing} untranslated, "
              f"{len(obsolete)} dropped as obsolete")
        if not LRELEASE:
            sys.exit("lrelease not found: apt-get install qttools5-dev-tools")
        subprocess.run([LRELEASE[0], "-silent", str(ts), "-qm",
                        str(ts.with_suffix(".qm"))], check=True)
        print(f"{ts.with_suffix('.qm').relative_to(ROOT)} compiled")


if __name__ == "__main__":
    main()
