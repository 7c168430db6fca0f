"""Run an algorithm through /usr/bin/qgis_process.bin, as a batch user would.

The plugin is found through QGIS_PLUGINPATH (the ``build/`` folder with the
``hpcs_landform`` link), enabled in a throw-away profile, then run with the
QGIS 3.22 syntax ``run ALG -- NAME=value ...``.
"""
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QGIS_PROCESS = "/usr/bin/qgis_process.bin"   # /usr/bin/qgis_process is broken on Debian 3.22


def qgis_process_env(config_dir):
    env = dict(os.environ)
    env.update({
        "QGIS_PLUGINPATH": str(ROOT / "build"),
        "QGIS_CUSTOM_CONFIG_PATH": str(config_dir),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(config_dir),
    })
    return env


def qgis_process(args, config_dir, timeout=600):
    """Run qgis_process.bin with ``args``; returns CompletedProcess (text)."""
    config_dir = Path(config_dir)
    config_dir.mkdir(parents=True, exist_ok=True)
    env = qgis_process_env(config_dir)
    marker = config_dir / ".hpcs_enabled"
    if not marker.exists():
        subprocess.run([QGIS_PROCESS, "plugins", "enable", "hpcs_landform"], env=env,
                       capture_output=True, text=True, timeout=timeout, check=False)
        marker.touch()
    return subprocess.run([QGIS_PROCESS] + list(args), env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def run_qgis_process(alg_id, params, tmp_path, timeout=600):
    """``qgis_process.bin run alg_id -- K=V ...``; returns (returncode, stdout, stderr)."""
    args = ["run", alg_id, "--"] + [f"{k}={v}" for k, v in params.items()]
    proc = qgis_process(args, Path(tmp_path) / "qgis_profile", timeout)
    return proc.returncode, proc.stdout, proc.stderr


def parse_results(stdout):
    """The 'Results' block of qgis_process's text output as a dict of strings.

    Lines read ``NAME:<tab>value``; a model's output names hold a colon
    themselves (``step:OUTPUT``), so the split is at the colon before the tab.
    """
    out, on = {}, False
    for line in stdout.splitlines():
        if line.strip() == "Results":
            on = True
            continue
        if on and ":" in line:
            k, v = line.split(":\t", 1) if ":\t" in line else line.split(":", 1)
            out[k.strip()] = v.strip()
    return out
