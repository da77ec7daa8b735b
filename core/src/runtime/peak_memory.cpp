// peak_memory_mb (see peak_memory.h).
#include "rw/core/runtime/peak_memory.h"

#include <sys/resource.h>

// The CUDA allocator's statistics need the CUDA headers, which only the wheel's full CUDA config provides.
#if __has_include(<cuda_runtime_api.h>) && __has_include(<c10/cuda/CUDACachingAllocator.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define RW_HAS_CUDA_ALLOCATOR_STATS 1
#else
#define RW_HAS_CUDA_ALLOCATOR_STATS 0
#endif

#include <cmath>

namespace rw::core {

double peak_memory_mb(const at::Device& device) {
  if (device.is_cuda()) {
#if RW_HAS_CUDA_ALLOCATOR_STATS
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
    const auto aggregate = static_cast<size_t>(c10::CachingAllocator::StatType::AGGREGATE);
    return static_cast<double>(stats.allocated_bytes[aggregate].peak) / (1024.0 * 1024.0);
#else
    return std::nan("");  // a build against the wheel's CPU libraries only cannot ask the CUDA allocator
#endif
  }
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace rw::core
