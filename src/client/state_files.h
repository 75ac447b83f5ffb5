// The per-user state folder: <state_dir>/<server>/<user>/ (directories 0700, files 0600), and
// how files in it are written: to a temporary file, fsync'd, renamed over the old one, and the
// folder fsync'd, so that a crash at any point leaves either the old file or the new one.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace qc::client {

// <state_dir>/<server>/<user>, each part made safe as a file name (user in lower case).
std::string user_state_dir(std::string_view state_dir, std::string_view server,
                           std::string_view user);

// mkdir -p, 0700 for the directories it creates.
Result<void> make_state_dirs(const std::string& path);

// Creates `dir` when missing, then replaces `file` (inside it) with `content` atomically and
// durably (see above).
Result<void> write_state_file(const std::string& dir, const std::string& file,
                              std::string_view content);

}  // namespace qc::client
