// libFuzzer: a heartbeat record as another node wrote it in Redis (quicchat:health). It decodes
// to a record that encodes and decodes back to itself, or is refused with a reason; the admin
// table formats any decoded record.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cluster/node_record.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto record = qc::cluster::decode_node_record(input);
  if (!record) {
    if (record.error().message.empty()) std::abort();
    return 0;
  }
  const std::string line = qc::cluster::encode_node_record(*record);
  if (line.size() <= 512) {
    auto again = qc::cluster::decode_node_record(line);
    if (!again || !(*again == *record)) std::abort();
  }
  qc::cluster::ClusterNode node{"n1", true, *record, {"alice"}};
  if (qc::cluster::format_nodes({node}, record->at_ms).empty()) std::abort();
  return 0;
}
