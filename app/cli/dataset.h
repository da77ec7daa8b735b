// ropewalk-cli dataset commands: `dataset import|list|show|export PROJECT ...` (SFT chat samples in the store).
// Thin front ends over rw::core::import_dataset and DatasetStore.
#pragma once
#include <string>
#include <vector>

namespace rw::app {

int run_dataset_import(const std::vector<std::string>& args);
int run_dataset_list(const std::vector<std::string>& args);
int run_dataset_show(const std::vector<std::string>& args);
int run_dataset_export(const std::vector<std::string>& args);

}  // namespace rw::app
