// Whether a model's weights can be allocated at all, asked before building it: an absurd config.json is
// then an error naming the file and key, not an allocator abort or the kernel's OOM killer.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "rw/core/config/model_config.h"

namespace rw::core {

/// Bytes the host can still give this process: MemAvailable + SwapFree, capped by a cgroup v2 memory limit;
/// nullopt where /proc/meminfo cannot be read.
std::optional<int64_t> available_host_memory();

/// Refuses a model whose weights cannot fit this machine's memory, before anything is allocated: it is built
/// on the host in fp32 first, whatever its device and dtype. Memory on a CUDA device is left to the
/// allocator, whose out-of-memory error is a readable one. Error naming `origin`, the key and the bytes
/// (check_weights_fit in config/model_summary.h).
void check_model_fits(const ModelConfig& config, const std::string& origin);

}  // namespace rw::core
