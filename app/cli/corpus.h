// ropewalk-cli corpus commands: `corpus add`, `corpus stats`, `corpus search`.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_corpus_add(const std::vector<std::string>& args);
int run_corpus_stats(const std::vector<std::string>& args);
int run_corpus_search(const std::vector<std::string>& args);

}  // namespace rw::app
