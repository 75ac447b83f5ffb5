// quicchat certs: a self-signed development certificate and key for the server.
#include <cstdio>
#include <filesystem>
#include <string>

#include "quic/certgen.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/flags.h"

namespace qc::app {
namespace {

bool both_exist(const std::filesystem::path& dir) {
  std::error_code ec;
  return std::filesystem::exists(dir / quic::kCertFileName, ec) &&
         std::filesystem::exists(dir / quic::kKeyFileName, ec);
}

int certs_error(const std::string& message, int code) {
  std::fprintf(stderr, "quicchat certs: %s\n", message.c_str());
  return code;
}

}  // namespace

int cmd_certs(const Args& args) {
  const quic::CertRequest defaults;
  Flags flags(
      "usage: quicchat certs [--out DIR] [--if-missing]\n\n"
      "Writes DIR/quic_certificate.pem and DIR/quic_private_key.pem (mode 0600): a\n"
      "self-signed EC P-256 certificate for localhost and 127.0.0.1 that clients can\n"
      "use as their CA file. For development only.",
      {{"out", defaults.out_dir, "directory to write the pair to (created)"},
       {"if-missing", "", "do nothing when both files already exist", true},
       {"days", std::to_string(defaults.valid_days), "days of validity"}});
  if (auto r = flags.parse(args); !r) return certs_error(r.error().message, 2);
  if (flags.help_requested()) {
    std::printf("%s", flags.help_text().c_str());
    return 0;
  }
  if (!flags.positional().empty()) {
    return certs_error("unexpected argument '" + flags.positional()[0] + "'", 2);
  }
  auto days = flags.get_int("days", 1, 36500);
  if (!days) return certs_error(days.error().message, 2);
  quic::CertRequest req;
  req.out_dir = flags.get("out");
  req.valid_days = static_cast<int>(*days);
  if (flags.on("if-missing") && both_exist(req.out_dir)) return 0;
  if (auto r = quic::write_self_signed_cert(req); !r) return certs_error(r.error().message, 1);
  const std::filesystem::path dir(req.out_dir);
  std::printf("wrote %s and %s (self-signed, CN=%s, valid %d days)\n",
              (dir / quic::kCertFileName).c_str(), (dir / quic::kKeyFileName).c_str(),
              req.common_name.c_str(), req.valid_days);
  return 0;
}

}  // namespace qc::app
