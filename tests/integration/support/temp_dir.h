// A fresh private folder under the system's temp directory for one test process or engine.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace qc::itest {

// "quicchat-<what>-XXXXXX" made by mkdtemp (mode 0700); empty when it could not be made.
inline std::string make_temp_dir(const std::string& what) {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / ("quicchat-" + what + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) return {};
  return tmpl;
}

}  // namespace qc::itest
