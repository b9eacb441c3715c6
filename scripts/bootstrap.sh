# Sourced by scripts/demo and scripts/test: a virtual environment with the pinned packages.
# Usage: bootstrap_venv [extra]   (extra: "test" installs the test tools too)
bootstrap_venv() {
    local extra=${1:-}
    local python=${PYTHON:-}
    if [ -z "$python" ]; then
        for candidate in python3.11 python3; do
            if command -v "$candidate" >/dev/null 2>&1; then python=$candidate; break; fi
        done
    fi
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv
    fi
    # PYTHONWARNINGS=ignore: setuptools' "Editable installation" banner on every run is noise
    # (the working tree is the package, on purpose); pip's own errors still show.
    PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    if [ -n "$extra" ]; then
        PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extra]"
    else
        PYTHONWARNINGS=ignore .venv/bin/python -m pip install -q --disable-pip-version-check -e .
    fi
}
