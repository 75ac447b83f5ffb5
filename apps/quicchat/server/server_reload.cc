#include "quicchat/server/server_reload.h"

#include <ctime>

#include "quic/cert_info.h"
#include "util/log.h"

namespace qc::app {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string value_of(const OptionValues& values, std::string_view name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

}  // namespace

OptionValues option_values(const Flags& flags, std::span<const OptionInfo> infos) {
  OptionValues values;
  for (const OptionInfo& info : infos) {
    if (info.in_config_file) values.emplace(std::string(info.name), flags.get(info.name));
  }
  return values;
}

ReloadPlan plan_reload(std::span<const OptionInfo> infos, const OptionValues& running,
                       const OptionValues& next) {
  ReloadPlan plan;
  for (const OptionInfo& info : infos) {
    if (!info.in_config_file || value_of(running, info.name) == value_of(next, info.name)) continue;
    (info.reload == Reload::Live ? plan.applied : plan.needs_restart)
        .push_back(std::string(info.name));
  }
  return plan;
}

std::string names_or_none(const std::vector<std::string>& names) {
  return names.empty() ? "none" : join(names);
}

std::int64_t days_left(std::int64_t not_after_unix, std::int64_t now_unix) {
  const std::int64_t seconds = not_after_unix - now_unix;
  constexpr std::int64_t kDay = 86'400;
  return seconds >= 0 ? seconds / kDay : -((-seconds + kDay - 1) / kDay);
}

bool log_certificate(const std::string& cert_file) {
  auto info = quic::read_certificate_info(cert_file);
  if (!info) {
    log::warn("certificate_unreadable", {{"path", cert_file}, {"error", info.error().message}});
    return false;
  }
  const std::int64_t days = days_left(info->not_after_unix, std::time(nullptr));
  const std::string not_after = quic::utc_time_text(info->not_after_unix);
  log::info("certificate", {{"path", cert_file},
                            {"names", names_or_none(info->names)},
                            {"not_after", not_after},
                            {"days_left", days}});
  if (expires_soon(days)) {
    log::warn("certificate_expires_soon",
              {{"days", days},
               {"not_after", not_after},
               {"why", days < 0 ? "the certificate has expired: clients refuse it"
                                : "renew it, then reload (SIGHUP or quicchat admin reload)"}});
  }
  return true;
}

Result<std::string> Reloader::refuse(const std::string& why) {
  log::warn("reload_refused", {{"why", why}, {"kept", "the running settings and certificate"}});
  return fail("reload", "reload refused, the running settings stay: " + why);
}

Result<std::string> Reloader::reload() {
  Flags flags = make_server_flags();
  if (auto parsed = flags.parse(args_); !parsed) return refuse(parsed.error().message);
  if (auto read = apply_config_file(flags); !read) return refuse(read.error().message);
  auto next = server_settings_from(flags);
  if (!next) return refuse(next.error().message);
  const OptionValues next_values = option_values(flags, option_infos_);
  const ReloadPlan plan = plan_reload(option_infos_, running_values_, next_values);
  ServerSettings merged = running_;
  if (auto applied = apply_options(server_options(), flags, merged, &plan.applied); !applied) {
    return refuse(applied.error().message);
  }
  // The certificate and key are read again whether or not their paths changed: a renewal
  // replaces the files in place.
  const quic::ServerOptions& tls = merged.config.transport;
  if (auto replaced = server_.replace_certificate(tls.cert_file, tls.key_file); !replaced) {
    return refuse(replaced.error().message);
  }
  server_.apply_live(merged.config);
  for (const std::string& name : plan.applied) running_values_[name] = value_of(next_values, name);
  running_ = std::move(merged);
  const std::string& cert_file = running_.config.transport.cert_file;
  const std::string summary = "applied=" + names_or_none(plan.applied) +
                              " needs_restart=" + names_or_none(plan.needs_restart) +
                              " certificate=" + cert_file;
  log::info("reload", {{"applied", names_or_none(plan.applied)},
                       {"needs_restart", names_or_none(plan.needs_restart)},
                       {"certificate", cert_file}});
  log_certificate(cert_file);
  log::set_level(running_.log_level);  // last: the lines above go out under the old level
  return summary;
}

}  // namespace qc::app
