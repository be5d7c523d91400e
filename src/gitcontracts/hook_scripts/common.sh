# Shared by the gitcontracts hooks (sourced). Finds the tool, fails closed when it is missing.
GITCONTRACTS_PYTHON="${GITCONTRACTS_PYTHON:-}"   # `gitcontracts hooks install` records its interpreter here

gitcontracts_run() {
    if [ -n "${GITCONTRACTS_BIN:-}" ]; then $GITCONTRACTS_BIN "$@"; return $?; fi
    if command -v gitcontracts >/dev/null 2>&1; then gitcontracts "$@"; return $?; fi
    if [ -n "$GITCONTRACTS_PYTHON" ] && "$GITCONTRACTS_PYTHON" -c "import gitcontracts" 2>/dev/null; then
        "$GITCONTRACTS_PYTHON" -m gitcontracts "$@"; return $?
    fi
    echo "gitcontracts: the tool is not installed, so changes under .contracts/ cannot be checked and are refused." >&2
    echo "gitcontracts: install it (pip install gitcontracts) or put it on PATH, then retry." >&2
    return 1
}

gitcontracts_chain() {  # run the hook that was here before ours, with the same arguments and input
    hook_name="$1"; shift
    previous="$(dirname "$0")/$hook_name.local"
    if [ -x "$previous" ]; then "$previous" "$@" || exit $?; fi
}
