// resolve_device (see device.h).
#include "rw/core/runtime/device.h"

#include <torch/cuda.h>

#include <string>

#include "rw/core/util/error.h"

namespace rw::core {

at::Device resolve_device(std::string_view name) {
  const bool cuda = torch::cuda::is_available();
  if (name == "auto") return cuda ? at::Device(at::kCUDA, 0) : at::Device(at::kCPU);
  if (name == "cpu") return at::kCPU;
  if (name != "cuda" && !name.starts_with("cuda:")) fail("device \"{}\": use auto, cpu, cuda or cuda:N", name);
  if (!cuda) fail("device \"{}\": no CUDA device is available on this machine", name);
  const at::Device device{std::string(name)};
  const auto index = device.has_index() ? device.index() : 0;
  if (index >= static_cast<int>(torch::cuda::device_count())) {
    fail("device \"{}\": this machine has {} CUDA device(s)", name, torch::cuda::device_count());
  }
  return at::Device(at::kCUDA, index);
}

}  // namespace rw::core
