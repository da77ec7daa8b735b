// Times the Bootstrap workflow's generation as it runs: LlamaSynthModel::reply over a list of user messages in
// batches of 16 (the workflow's batch), greedy. Writes the rendered prompt ids, so the reference (HF generate in
// run_synth_bench.py) decodes exactly the same prompts, and the replies, so the two can be compared.
// Usage: bench_synth_generate MODEL_DIR PROMPT_FORMAT MAX_NEW_TOKENS MESSAGES.json OUT.json
#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>

#include "rw/core/model/synth_chat_model.h"
#include "rw/core/tasks/eval_items.h"
#include "rw/core/tokenizer/tokenizer.h"
#include "rw/core/util/files.h"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::cerr << "usage: bench_synth_generate MODEL_DIR PROMPT_FORMAT MAX_NEW_TOKENS MESSAGES.json OUT.json\n";
    return 2;
  }
  using json = nlohmann::json;
  try {
    const std::filesystem::path dir = argv[1];
    const std::int64_t max_new = std::stoll(argv[3]);
    const auto messages = json::parse(rw::core::read_text_file(argv[4])).get<std::vector<std::string>>();
    rw::core::LlamaSynthModel model(dir, argv[2], 0.0);
    const auto tokenizer = rw::core::load_tokenizer(dir);
    const rw::core::ChatFormat format = rw::core::resolve_prompt_format(argv[2], dir);
    json prompt_ids = json::array();
    for (const std::string& m : messages) {
      const rw::core::Prompt p = rw::core::task_prompt(format, m, "");
      prompt_ids.push_back(tokenizer->encode(p.text, p.add_special_tokens));
    }
    constexpr size_t kBatch = 16;
    model.reply({messages.front()}, max_new, 0);  // warm-up
    const std::int64_t before = model.new_tokens();
    std::vector<std::string> replies;
    const auto start = std::chrono::steady_clock::now();
    for (size_t from = 0; from < messages.size(); from += kBatch) {
      const std::vector<std::string> batch(messages.begin() + static_cast<std::ptrdiff_t>(from),
                                           messages.begin() + static_cast<std::ptrdiff_t>(std::min(messages.size(), from + kBatch)));
      for (std::string& r : model.reply(batch, max_new, 0)) replies.push_back(std::move(r));
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::int64_t new_tokens = model.new_tokens() - before;
    std::ofstream(argv[5]) << json{{"seconds", seconds},
                                   {"new_tokens", new_tokens},
                                   {"new_tok_s", static_cast<double>(new_tokens) / seconds},
                                   {"prompt_ids", prompt_ids},
                                   {"replies", replies}}
                                  .dump();
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "bench_synth_generate: " << e.what() << "\n";
    return 1;
  }
}
