// quicchat: one binary, subcommands (server, client, user, certs, bench, admin, version).
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "quicchat/common/commands.h"

namespace {

struct Command {
  const char* name;
  int (*run)(const qc::app::Args&);
  const char* summary;
};

constexpr Command kCommands[] = {
    {"server", qc::app::cmd_server, "run the chat server"},
    {"client", qc::app::cmd_client, "terminal chat client"},
    {"user", qc::app::cmd_user, "manage accounts: add, passwd, del, list, import, demo"},
    {"certs", qc::app::cmd_certs, "write a self-signed development certificate"},
    {"bench", qc::app::cmd_bench, "load generator: latency, fanout, connections, logins"},
    {"admin", qc::app::cmd_admin, "ask a running server: who, kick NAME, stats"},
    {"version", qc::app::cmd_version, "versions of quicchat, its libraries and protocols"},
};

void print_usage(FILE* out) {
  std::fprintf(out, "usage: quicchat COMMAND [options]   (quicchat COMMAND --help for more)\n\n");
  for (const auto& c : kCommands) std::fprintf(out, "  %-8s %s\n", c.name, c.summary);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return 2;
  }
  std::string_view name = argv[1];
  if (name == "-h" || name == "--help" || name == "help") {
    print_usage(stdout);
    return 0;
  }
  if (name == "--version") name = "version";
  qc::app::Args args(argv + 2, argv + argc);
  for (const auto& c : kCommands) {
    if (name == c.name) return c.run(args);
  }
  std::fprintf(stderr, "quicchat: unknown command '%s'\n\n", argv[1]);
  print_usage(stderr);
  return 2;
}
