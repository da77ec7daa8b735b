// Training checkpoints (see checkpoint.h).
#include "rw/core/train/checkpoint.h"

#include <ATen/Context.h>
#include <fmt/format.h>
#include <torch/cuda.h>
#include <unistd.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>

#include "rw/core/io/safetensors.h"
#include "rw/core/util/error.h"
#include "rw/core/util/files.h"

namespace rw::core {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr const char* kStateDir = "training_state";
constexpr const char* kTrainerState = "trainer_state.json";
constexpr const char* kOptimizerFile = "optimizer.safetensors";
constexpr const char* kRngFile = "rng.safetensors";
constexpr int kStateFormat = 1;

at::Generator cuda_generator(size_t index) {
  return at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)));
}

void set_generator_state(at::Generator generator, const at::Tensor& state) {
  std::lock_guard<std::mutex> lock(generator.mutex());  // as torch.set_rng_state does
  generator.set_state(state);
}
}  // namespace

RngState capture_rng_state() {
  RngState s;
  s.cpu = at::detail::getDefaultCPUGenerator().get_state();
  const size_t devices = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  for (size_t i = 0; i < devices; ++i) s.cuda.push_back(cuda_generator(i).get_state());
  return s;
}

void restore_rng_state(const RngState& state) {
  if (state.cpu.defined()) set_generator_state(at::detail::getDefaultCPUGenerator(), state.cpu);
  const size_t devices = torch::cuda::is_available() ? torch::cuda::device_count() : 0;
  if (!state.cuda.empty() && state.cuda.size() != devices) {
    fail("checkpoint RNG state is for {} CUDA devices, this machine has {}", state.cuda.size(), devices);
  }
  for (size_t i = 0; i < state.cuda.size(); ++i) set_generator_state(cuda_generator(i), state.cuda[i]);
}

fs::path checkpoint_path(const fs::path& root, std::int64_t step) { return root / fmt::format("step-{:08d}", step); }

fs::path optimizer_state_path(const fs::path& checkpoint) { return checkpoint / kStateDir / kOptimizerFile; }

fs::path save_checkpoint(LlamaForCausalLM& model, const fs::path& root, const TrainingState& state,
                         const SaveOptions& model_options, std::int64_t keep_last) {
  fs::create_directories(root);
  const fs::path final_dir = checkpoint_path(root, state.step);
  // A name list_checkpoints never matches: a crash mid-save leaves no "complete-looking" checkpoint.
  const fs::path tmp = root / fmt::format(".tmp-step-{:08d}-{}", state.step, ::getpid());
  remove_tree(tmp);
  try {
    save_hf_model(model, tmp, model_options);
    const fs::path dir = tmp / kStateDir;
    fs::create_directories(dir);
    write_safetensors(dir / kOptimizerFile, {state.optimizer.begin(), state.optimizer.end()});
    std::map<std::string, at::Tensor> rng{{"cpu", state.rng.cpu}};
    for (size_t i = 0; i < state.rng.cuda.size(); ++i) rng["cuda." + std::to_string(i)] = state.rng.cuda[i];
    write_safetensors(dir / kRngFile, {rng.begin(), rng.end()});
    // Written last: its presence is what makes the folder a complete checkpoint.
    const json trainer{{"format", kStateFormat},
                       {"step", state.step},
                       {"stage", state.stage},
                       {"stage_step", state.stage_step},
                       {"tokens_seen", state.tokens_seen},
                       {"data_cursor", state.data_cursor_json},
                       {"run_config", state.run_config_json}};
    write_file_atomic(dir / kTrainerState, trainer.dump(2) + "\n");
    fsync_directory(dir);
    remove_tree(final_dir);  // a re-save of the same step replaces it
    fs::rename(tmp, final_dir);
    fsync_directory(root);
  } catch (const std::exception& e) {
    remove_tree(tmp);
    fail("{}: cannot write checkpoint: {}", final_dir.string(), e.what());
  }
  if (keep_last > 0) {
    const auto all = list_checkpoints(root);
    for (size_t i = 0; i + static_cast<size_t>(keep_last) < all.size(); ++i) remove_tree(all[i]);
  }
  return final_dir;
}

std::optional<std::int64_t> checkpoint_step(const fs::path& dir) {
  const std::string name = dir.filename().string();
  if (!name.starts_with("step-") || name.size() == 5) return std::nullopt;
  std::int64_t step = 0;
  for (size_t i = 5; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    step = step * 10 + (name[i] - '0');
  }
  return step;
}

std::vector<fs::path> list_checkpoints(const fs::path& root) {
  std::vector<std::pair<std::int64_t, fs::path>> found;
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    const auto step = checkpoint_step(it->path());
    if (step && fs::exists(it->path() / kStateDir / kTrainerState)) found.emplace_back(*step, it->path());
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [step, path] : found) out.push_back(std::move(path));
  return out;
}

std::optional<fs::path> latest_checkpoint(const fs::path& root) {
  auto all = list_checkpoints(root);
  if (all.empty()) return std::nullopt;
  return all.back();
}

TrainingState load_training_state(const fs::path& checkpoint) {
  const fs::path dir = checkpoint / kStateDir;
  const fs::path trainer_file = dir / kTrainerState;
  TrainingState s;
  try {
    const json j = json::parse(read_text_file(trainer_file));
    if (j.at("format").get<int>() > kStateFormat) fail("written by a newer Ropewalk");
    s.step = j.at("step").get<std::int64_t>();
    s.stage = j.at("stage").get<std::int64_t>();
    s.stage_step = j.at("stage_step").get<std::int64_t>();
    s.tokens_seen = j.at("tokens_seen").get<std::int64_t>();
    s.data_cursor_json = j.at("data_cursor").get<std::string>();
    s.run_config_json = j.at("run_config").get<std::string>();
  } catch (const json::exception& e) {
    fail("{}: {}", trainer_file.string(), e.what());
  } catch (const Error& e) {
    fail("{}: {}", trainer_file.string(), e.what());
  }
  s.optimizer = read_safetensors(dir / kOptimizerFile);
  auto rng = read_safetensors(dir / kRngFile);
  if (!rng.count("cpu")) fail("{}: no CPU generator state", (dir / kRngFile).string());
  s.rng.cpu = rng.at("cpu");
  for (size_t i = 0; rng.count("cuda." + std::to_string(i)); ++i)
    s.rng.cuda.push_back(rng.at("cuda." + std::to_string(i)));
  return s;
}

}  // namespace rw::core
