// Reloading a running server (SIGHUP, `quicchat admin reload`): the config file is read again
// under the same command line, and the certificate and key. The options table's reload column
// decides: a changed `live` option is applied, a changed `restart` option is named as needing a
// restart and keeps its running value. A bad config or certificate changes nothing.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "quicchat/common/commands.h"
#include "quicchat/server/server_options.h"

namespace qc::app {

// Each option's value as the flags (command line over config file) give it, by name; options a
// config file cannot set are left out (the command line does not change on a reload).
using OptionValues = std::map<std::string, std::string, std::less<>>;
OptionValues option_values(const Flags& flags, std::span<const OptionInfo> infos);

// The options whose value differs between what runs and what the files now say, in table order.
struct ReloadPlan {
  std::vector<std::string> applied;        // reload = live
  std::vector<std::string> needs_restart;  // reload = restart
  friend bool operator==(const ReloadPlan&, const ReloadPlan&) = default;
};
ReloadPlan plan_reload(std::span<const OptionInfo> infos, const OptionValues& running,
                       const OptionValues& next);

// "a,b" or "none".
std::string names_or_none(const std::vector<std::string>& names);

// Days a certificate has left (whole days, rounded down; negative once expired), and whether that
// deserves a warning (kExpiryWarningDays or fewer).
inline constexpr std::int64_t kExpiryWarningDays = 14;
std::int64_t days_left(std::int64_t not_after_unix, std::int64_t now_unix);
inline bool expires_soon(std::int64_t days) { return days <= kExpiryWarningDays; }

// Logs `INFO certificate names=... not_after=...` and, when it is near,
// `WARN certificate_expires_soon days=N`. False when the file cannot be read.
bool log_certificate(const std::string& cert_file);

// What runs, and how to reload it: owned by the server command, used on the loop thread.
class Reloader {
 public:
  Reloader(Args args, ServerSettings running, const Flags& started_with, server::ChatServer& server)
      : args_(std::move(args)),
        running_(std::move(running)),
        running_values_(option_values(started_with, option_infos_)),
        server_(server) {}

  // Reloads; the summary ("applied=... needs_restart=...") or why nothing changed. Both are
  // logged (INFO reload / WARN reload_refused).
  Result<std::string> reload();

  const ServerSettings& running() const { return running_; }

 private:
  Result<std::string> refuse(const std::string& why);
  Args args_;
  ServerSettings running_;
  std::vector<OptionInfo> option_infos_ = option_infos(server_options());
  OptionValues running_values_;
  server::ChatServer& server_;
};

}  // namespace qc::app
