#include <cstdint>
#include <cstdio>
#include <string>

#include "proto/alpn.h"
#include "proto/pdu.h"
#include "proto/v2/frames.h"
#include "quic/library_versions.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/flags.h"
#include "quicchat/version/version.h"
#include "store/library_version.h"

namespace qc::app {
namespace {

// The ALPNs (of those the server accepts by default) on which `version` can be negotiated.
std::string alpns_speaking(std::int64_t version) {
  std::string out;
  for (const std::string& alpn : proto::default_alpns()) {
    if (version == proto::v2::kVersion && !proto::alpn_offers_v2(alpn)) continue;
    out += (out.empty() ? "" : ", ") + alpn;
  }
  return out;
}

}  // namespace

std::string version_text() {
  std::string text = "quicchat " QC_VERSION "\n";
  text += "ngtcp2 " + quic::ngtcp2_runtime_version() + "\n";
  text += "GnuTLS " + quic::gnutls_runtime_version() + "\n";
  text += "SQLite " + store::sqlite_runtime_version() + "\n";
  for (std::int64_t version : {std::int64_t{proto::kProtocolVersion}, proto::v2::kVersion}) {
    text += "protocol " + std::to_string(version) + " over ALPN " + alpns_speaking(version) + "\n";
  }
  return text;
}

int cmd_version(const Args& args) {
  Flags flags(
      "usage: quicchat version   (or quicchat --version)\n\n"
      "Prints quicchat's version, the versions of ngtcp2, GnuTLS and SQLite it runs with,\n"
      "and the protocol versions it speaks with the ALPNs of each.",
      {});
  if (auto r = flags.parse(args); !r) {
    std::fprintf(stderr, "quicchat version: %s\n", r.error().message.c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.help_text().c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "quicchat version: unexpected argument '%s'\n",
                 flags.positional()[0].c_str());
    return 2;
  }
  std::fputs(version_text().c_str(), stdout);
  return 0;
}

}  // namespace qc::app
