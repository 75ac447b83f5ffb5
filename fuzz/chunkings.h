// Shared by the framer fuzz targets: the first two input bytes choose a split point for the
// rest, and a framer's events must be the same whatever the chunking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace qc::fuzz {

// Calls run(chunks) for the stream whole, split in two, and byte by byte (streams up to 4 KiB);
// aborts unless every chunking gives what the whole stream gives. Returns the stream.
template <class Run>
std::string_view check_chunkings(const std::uint8_t* data, std::size_t size, Run run) {
  if (size < 2) return {};
  const std::size_t selector = (static_cast<std::size_t>(data[0]) << 8) | data[1];
  const std::string_view stream(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t split = stream.empty() ? 0 : selector % (stream.size() + 1);

  const auto whole = run(std::vector<std::string_view>{stream});
  if (run(std::vector<std::string_view>{stream.substr(0, split), stream.substr(split)}) != whole)
    std::abort();
  if (stream.size() <= 4096) {
    std::vector<std::string_view> bytes;
    for (std::size_t i = 0; i < stream.size(); ++i) bytes.push_back(stream.substr(i, 1));
    if (run(bytes) != whole) std::abort();
  }
  return stream;
}

}  // namespace qc::fuzz
