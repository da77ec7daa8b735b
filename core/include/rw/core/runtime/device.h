// Device names as users write them ("auto", "cpu", "cuda", "cuda:N") turned into a LibTorch device, with
// a clear error when CUDA is asked for and absent. One home for the CLI flags and the run configs.
#pragma once
#include <c10/core/Device.h>

#include <string_view>

namespace rw::core {

/// "auto" = the first CUDA device when there is one, else the CPU. Error naming the value when it is not one
/// of the forms above, or names a CUDA device this machine does not have.
at::Device resolve_device(std::string_view name);

}  // namespace rw::core
