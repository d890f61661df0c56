"""Does the installed llama.cpp build fit this CPU?

llama.cpp is compiled for a fixed set of x86 instruction-set extensions. A build tuned to one
machine (`GGML_NATIVE`, the default) and reused on another — pip caches wheels — crashes with
SIGILL or SIGSEGV at the first request. `make install` builds a portable wheel (x86-64-v3); this
check names what a build needs that the CPU lacks, before the server is started.
"""

from __future__ import annotations

import re
from pathlib import Path

# llama.cpp's system-info feature names -> the /proc/cpuinfo flag each one needs.
CPU_FLAG_FOR_FEATURE = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "AVX_VNNI": "avx_vnni",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
}

PORTABLE_BUILD_HINT = (
    "Rebuild it portable with `make install` (it compiles llama-cpp-python with "
    "-DGGML_NATIVE=OFF for any x86-64-v3 CPU, outside pip's wheel cache); for a CPU without "
    "AVX2 run `make install LLAMA_CMAKE_ARGS='-DGGML_NATIVE=OFF -DGGML_AVX2=OFF -DGGML_FMA=OFF "
    "-DGGML_F16C=OFF'`."
)


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str] | None:
    """This CPU's feature flags, or None where /proc/cpuinfo has none (not Linux on x86)."""
    try:
        text = cpuinfo.read_text()
    except OSError:
        return None
    match = re.search(r"^flags\s*:(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else None


def build_features(system_info: str) -> set[str]:
    """The features llama.cpp's `llama_print_system_info()` reports as compiled in (`X = 1`)."""
    return {name for name, on in re.findall(r"\b([A-Z0-9_]+) = (\d)", system_info) if on == "1"}


def installed_build_features() -> set[str]:
    import llama_cpp

    info = llama_cpp.llama_print_system_info()
    return build_features(info.decode() if isinstance(info, bytes) else str(info))


def missing_features(features: set[str], flags: set[str]) -> list[str]:
    """Features the build uses that the CPU does not have."""
    return sorted(f for f in features if f in CPU_FLAG_FOR_FEATURE
                  and CPU_FLAG_FOR_FEATURE[f] not in flags)
