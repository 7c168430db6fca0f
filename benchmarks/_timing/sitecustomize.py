"""Timing hook for benchmarks/pipeline.py (not part of the plugin).

benchmarks/pipeline.py puts this folder first on PYTHONPATH of qgis_process.bin and
names a file in HPCS_BENCH_TIMINGS.  When the plugin's algorithms/base.py is imported,
HpcsAlgorithm.processAlgorithm is wrapped so that every child of the model appends a
JSON line to that file: algorithm id, wall and CPU seconds, and the peak resident set
during the step (VmHWM after resetting it through /proc/self/clear_refs at the start).
With HPCS_BENCH_PROFILE set to an algorithm id (e.g. hpcs:comparisonreport), that
step also runs under cProfile and its statistics are written beside the timings file
(<timings>.<id>.pstats; read them with ``python -m pstats``).
Then the system's own sitecustomize (Debian's) runs as it would have.
"""
import importlib.abc
import importlib.machinery
import json
import os
import sys
import time


def _status_kb(field):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _wrap(module):
    cls = getattr(module, "HpcsAlgorithm", None)
    if cls is None or getattr(cls, "_bench_wrapped", False):
        return
    inner = cls.processAlgorithm
    path = os.environ["HPCS_BENCH_TIMINGS"]

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        before = _status_kb("VmHWM")
        try:
            with open("/proc/self/clear_refs", "w") as fh:
                fh.write("5")
        except OSError:
            pass
        prof = None
        if os.environ.get("HPCS_BENCH_PROFILE") == self.id():
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
        c0, t0 = time.process_time(), time.perf_counter()
        try:
            return inner(self, parameters, context, feedback)
        finally:
            if prof is not None:
                prof.disable()
                prof.dump_stats(f"{path}.{self.id().replace(':', '_')}.pstats")
            rec = {"alg": self.id(), "seconds": time.perf_counter() - t0,
                   "cpu_s": time.process_time() - c0, "peak_kb": _status_kb("VmHWM"),
                   "peak_before_kb": before, "end": time.time()}
            with open(path, "a") as fh:
                fh.write(json.dumps(rec) + "\n")

    cls.processAlgorithm = processAlgorithm
    cls._bench_wrapped = True


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if not name.endswith(".algorithms.base"):
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        loader = spec.loader
        exec_module = loader.exec_module

        def exec_and_wrap(module):
            exec_module(module)
            _wrap(module)

        loader.exec_module = exec_and_wrap
        return spec


if os.environ.get("HPCS_BENCH_TIMINGS"):
    sys.meta_path.insert(0, _Finder())

# chain to the next sitecustomize on the path (Debian's apport hook)
_here = os.path.dirname(os.path.abspath(__file__))
for _d in sys.path:
    if _d and os.path.abspath(_d) != _here and os.path.isfile(os.path.join(_d, "sitecustomize.py")):
        import importlib.util as _u
        _s = _u.spec_from_file_location("_system_sitecustomize", os.path.join(_d, "sitecustomize.py"))
        try:
            _s.loader.exec_module(_u.module_from_spec(_s))
        except Exception:  # noqa: BLE001 - the system hook is optional
            pass
        break
