// Immutable byte buffers shared between many receivers (one encoded broadcast, N deliveries).
#pragma once

#include <memory>
#include <string>

namespace qc {

using SharedBytes = std::shared_ptr<const std::string>;

inline SharedBytes make_shared_bytes(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace qc
