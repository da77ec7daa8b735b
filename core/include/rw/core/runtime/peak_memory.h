// Peak memory of this process on a device, for metrics and benchmarks: the CUDA caching allocator's peak
// of allocated bytes on a CUDA device, the process's peak resident set size on the CPU.
#pragma once
#include <c10/core/Device.h>

namespace rw::core {

/// MiB. NaN on a CUDA device when this build cannot ask the CUDA allocator (built against CPU-only headers).
double peak_memory_mb(const at::Device& device);

}  // namespace rw::core
