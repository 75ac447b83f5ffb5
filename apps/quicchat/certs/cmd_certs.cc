// quicchat certs: a self-signed development certificate and key for the server.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

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

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// --name and --ip: "" (given empty) leaves that kind out; the CN is the first DNS name, or the
// first address when there is none.
void names_from(const Flags& flags, quic::CertRequest& req) {
  req.dns_names = flags.all("name");
  req.ip_addresses = flags.all("ip");
  if (!req.dns_names.empty()) {
    req.common_name = req.dns_names.front();
  } else if (!req.ip_addresses.empty()) {
    req.common_name = req.ip_addresses.front();
  }
}

}  // namespace

int cmd_certs(const Args& args) {
  const quic::CertRequest defaults;
  Flags flags(
      "usage: quicchat certs [--out DIR] [--name DNS]... [--ip ADDRESS]... [--if-missing]\n\n"
      "Writes DIR/quic_certificate.pem and DIR/quic_private_key.pem (mode 0600): a\n"
      "self-signed EC P-256 certificate for the names and addresses given (by default\n"
      "localhost, 127.0.0.1 and ::1) that clients can use as their CA file (--ca). For\n"
      "development, tests and private deployments; a public host wants one from a real CA.",
      {{"out", defaults.out_dir, "directory to write the pair to (created)"},
       {"if-missing", "", "do nothing when both files already exist", true},
       {"days", std::to_string(defaults.valid_days), "days of validity"},
       {.name = "name",
        .default_value = join(defaults.dns_names),
        .help = "a DNS name the certificate covers (repeat, or comma-separated; the first is "
                "the CN)",
        .repeatable = true},
       {.name = "ip",
        .default_value = join(defaults.ip_addresses),
        .help = "an IP address the certificate covers (repeat, or comma-separated)",
        .repeatable = true}});
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
  names_from(flags, req);
  if (auto r = quic::check_cert_names(req); !r) return certs_error(r.error().message, 2);
  if (flags.on("if-missing") && both_exist(req.out_dir)) return 0;
  if (auto r = quic::write_self_signed_cert(req); !r) return certs_error(r.error().message, 1);
  const std::filesystem::path dir(req.out_dir);
  std::vector<std::string> names = req.dns_names;
  names.insert(names.end(), req.ip_addresses.begin(), req.ip_addresses.end());
  std::printf("wrote %s and %s (self-signed, CN=%s, for %s, valid %d days)\n",
              (dir / quic::kCertFileName).c_str(), (dir / quic::kKeyFileName).c_str(),
              req.common_name.c_str(), join(names).c_str(), req.valid_days);
  return 0;
}

}  // namespace qc::app
