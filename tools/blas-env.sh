# tools/blas-env.sh — sourced by the test, run and benchmark scripts:
#   NJ_BLAS_PROBE=build/njord . tools/blas-env.sh
# OpenBLAS chooses its kernels when it is loaded, from the processor model; a
# release older than the processor falls back to generic kernels several times
# slower (OpenBLAS 0.3.21 of Debian 12 on Intel Emerald Rapids: "Prescott").
# `njord info --blas-coretype` names the OPENBLAS_CORETYPE that fits (nothing
# when the kernels fit); this exports it unless the caller set one. Not under
# valgrind, whose emulated processor lacks AVX-512.
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -x "${NJ_BLAS_PROBE:-}" ]; then
    nj_blas_core=$("$NJ_BLAS_PROBE" info --blas-coretype 2>/dev/null || true)
    if [ -n "$nj_blas_core" ]; then
        OPENBLAS_CORETYPE=$nj_blas_core
        export OPENBLAS_CORETYPE
        echo "OPENBLAS_CORETYPE=$nj_blas_core (OpenBLAS does not know this processor; njord info)"
    fi
    unset nj_blas_core
fi
