// Subcommands not yet built. Each moves to its own file when it lands.
#include <cstdio>

#include "commands.h"

namespace qc::app {
namespace {
int not_yet(const char* name) {
  std::fprintf(stderr, "quicchat %s: not yet available\n", name);
  return 3;
}
}  // namespace

int cmd_client(const Args&) { return not_yet("client"); }

}  // namespace qc::app
