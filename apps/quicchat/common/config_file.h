// A subcommand's TOML config file: its keys are the option names, its values become the
// options' defaults, under the command line (which wins).
#pragma once

#include <string>
#include <vector>

#include "quicchat/common/options.h"

namespace qc::app {

// Reads `path` and sets each key as the default of its option in `flags`, unless the command
// line gave that option. Returns the keys the file set. An unknown key, a key the file may not
// set, a value that is neither a string, an integer nor a boolean, or a file that does not
// parse is an error naming the file.
Result<std::vector<std::string>> apply_toml_file(Flags& flags, const std::string& path,
                                                 const std::vector<OptionInfo>& infos);

}  // namespace qc::app
