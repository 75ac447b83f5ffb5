// The subcommands of the one quicchat binary. Each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace qc::app {

using Args = std::vector<std::string>;

int cmd_server(const Args& args);
int cmd_client(const Args& args);
int cmd_user(const Args& args);
int cmd_certs(const Args& args);
int cmd_bench(const Args& args);
int cmd_admin(const Args& args);
int cmd_version(const Args& args);

}  // namespace qc::app
