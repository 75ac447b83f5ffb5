#include "quicchat/client/client_options.h"

#include <array>
#include <filesystem>
#include <fstream>

#include "client/device_id.h"
#include "quicchat/common/host_port.h"

namespace qc::app {
namespace {

using S = ClientSettings;
using V = OptionValue;
using Set = Result<void>;

// `make run` and `quicchat certs` write it; the hint names it when it is in the current folder.
constexpr const char* kDevelopmentCertificate = "certs/quic_certificate.pem";

Result<std::string> read_password_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail("password_file", "cannot read " + path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

constexpr auto kClientOptions = std::to_array<Option<S>>({
    {{.name = "server",
      .default_value = "localhost",
      .help = "server host name or address, optionally with :PORT; or a comma-separated list",
      .notes = "also used for SNI; an IPv6 address as `::1` or `[::1]`, with a port "
               "`[::1]:4433` (`::1:4433` is one address, without a port). A list "
               "(`a:4433,b:4433,[::1]`; an entry without a port takes --port) and a name with "
               "several addresses are tried in turn, each for --connect-timeout-ms, until one "
               "answers; with --reconnect a lost connection goes on with the next one. The state "
               "folder is the first entry's"},
     [](const V& v, S& s) -> Set {
       auto list = parse_server_list(v.text);
       if (!list) return Unexpected{list.error()};
       s.server_list = std::move(*list);
       s.chat.transport.host = s.server_list.front().host;
       s.port_in_server = s.server_list.size() == 1 ? s.server_list.front().port : std::nullopt;
       return {};
     }},
    {{.name = "port",
      .default_value = "4433",
      .help = "server UDP port",
      .kind = Kind::Int,
      .min = 1,
      .max = 65535},
     [](const V& v, S& s) -> Set {
       s.chat.transport.port = static_cast<std::uint16_t>(v.number);
       return {};
     }},
    {{.name = "ca",
      .help = "CA/certificate file to verify the server with",
      .notes = "none: the system trust store (`--ca ''` too, over a config file's `ca`); a "
               "self-signed certificate is its own CA file"},
     [](const V& v, S& s) -> Set {
       s.chat.transport.ca_file = v.text;
       return {};
     }},
    {{.name = "user", .help = "username (skips the prompt)"},
     [](const V& v, S& s) -> Set {
       s.app.username = v.text;
       return {};
     }},
    {{.name = "password-file", .help = "file whose first line is the password (skips the prompt)"},
     [](const V& v, S& s) -> Set {
       auto password = read_password_file(v.text);
       if (!password) return Unexpected{password.error()};
       s.app.password = *password;
       return {};
     }},
    {{.name = "register",
      .help = "create the account first, then log in (protocol v2; the server must allow it)",
      .kind = Kind::Switch,
      .notes = "asks for the new password twice without echo (or takes --password-file); a "
               "refusal (`name_taken`, `registration_closed`, ...) ends the client with exit "
               "code 1"},
     [](const V& v, S& s) -> Set {
       s.app.register_account = v.on;
       return {};
     }},
    {{.name = "alpn",
      .default_value = "quicchat,echo-protocol",
      .help = "ALPNs to offer, comma-separated",
      .notes = "use `echo-protocol` alone to talk to the original Python server"},
     [](const V& v, S& s) -> Set {
       s.chat.transport.alpns = split_list(v.text);
       if (s.chat.transport.alpns.empty())
         return fail("usage", "--alpn needs at least one protocol");
       return {};
     }},
    {{.name = "reconnect",
      .help = "reconnect and log in again after a lost connection",
      .kind = Kind::Switch,
      .notes = "with backoff (`[Sys] Reconnected. You are now N (name).`); not after an "
               "operator's kick (close code 8: the client prints `[Err] Connection lost: kicked "
               "by the operator: REASON` and exits 1), nor after a password change on another "
               "session (close code 10)"},
     [](const V& v, S& s) -> Set {
       s.app.reconnect = v.on;
       return {};
     }},
    {{.name = "max-version",
      .default_value = "2",
      .help = "highest protocol version to offer",
      .kind = Kind::Int,
      .min = 1,
      .max = 2,
      .notes = "2 is offered on the ALPN `quicchat` only; `echo-protocol` is always version 1"},
     [](const V& v, S& s) -> Set {
       s.chat.max_version = v.number;
       return {};
     }},
    {{.name = "json",
      .help = "print one JSON object per line for every event (see --json below)",
      .kind = Kind::Switch},
     [](const V& v, S& s) -> Set {
       s.app.json = v.on;
       return {};
     }},
    {{.name = "state-dir",
      .help = "folder of the per-user state (v2: the device id, and the resume state)",
      .notes = "default `$XDG_STATE_HOME/quicchat`, else `~/.local/state/quicchat`; kept in "
               "`SERVER:PORT/USER/device` and `SERVER:PORT/USER/resume`"},
     [](const V& v, S& s) -> Set {
       s.app.state_dir = v.text;
       return {};
     }},
    {{.name = "connect-timeout-ms",
      .default_value = "3000",
      .help = "give up on a server that does not answer the handshake for this long (with a "
              "--server list: go on with the next one)",
      .kind = Kind::Int,
      .min = 100,
      .max = 600'000,
      .notes = "`[Err] Cannot connect to HOST:PORT: no answer after 3.0 s`"},
     [](const V& v, S& s) -> Set {
       s.chat.transport.handshake_timeout = std::chrono::milliseconds(v.number);
       return {};
     }},
    {{.name = "keepalive-ms",
      .default_value = "30000",
      .help = "interval between ALIVE messages (v2: pings; 0 = none)",
      .kind = Kind::Int,
      .min = 0,
      .max = 24LL * 3600 * 1000},
     [](const V& v, S& s) -> Set {
       s.chat.keepalive = std::chrono::milliseconds(v.number);
       return {};
     }},
    {{.name = "ping-ms",
      .default_value = "10000",
      .help = "QUIC PING after this long without sending (0 = none)",
      .kind = Kind::Int,
      .min = 0,
      .max = 24LL * 3600 * 1000,
      .notes = "lets `--liveness-ms` notice a silent server while you only read"},
     [](const V& v, S& s) -> Set {
       s.chat.transport.keep_alive = std::chrono::milliseconds(v.number);
       return {};
     }},
    {{.name = "liveness-ms",
      .default_value = "5000",
      .help = "give up on a server that acknowledges nothing for this long (0 = wait for the "
              "120 s idle timeout)",
      .kind = Kind::Int,
      .min = 0,
      .max = 24LL * 3600 * 1000,
      .notes = "counted while something sent is unacknowledged, at least 3 PTO: `[Err] "
               "Connection lost: server not responding for 5.0 s`, then `[Err] Not delivered "
               "(connection lost): LINE` for each message that may not have arrived"},
     [](const V& v, S& s) -> Set {
       s.chat.transport.liveness_timeout = std::chrono::milliseconds(v.number);
       return {};
     }},
    {{.name = "log-level",
      .default_value = "warn",
      .help = "transport diagnostics on stderr",
      .kind = Kind::Choice,
      .choices = "debug,info,warn,error,off"},
     [](const V& v, S& s) -> Set {
       log::parse_level(v.text, s.log_level);
       return {};
     }},
    {{.name = "config",
      .help = "client config file (TOML, keys are the option names; '' for none)",
      .notes = "default `$XDG_CONFIG_HOME/quicchat/client.toml`, else "
               "`~/.config/quicchat/client.toml`, when it exists",
      .in_config_file = false}},
    {{.name = "save-config",
      .help = "write the options given here to the config file, then exit",
      .kind = Kind::Switch,
      .notes = "never replaces an existing file; paths are made absolute",
      .in_config_file = false}},
    {{.name = "if-missing",
      .help = "with --save-config: do nothing when the config file exists",
      .kind = Kind::Switch,
      .in_config_file = false}},
    {{.name = "options-markdown", .kind = Kind::Switch, .in_config_file = false, .hidden = true}},
});

}  // namespace

std::span<const Option<ClientSettings>> client_options() { return kClientOptions; }

Flags make_client_flags() {
  return make_flags(
      "usage: quicchat client [options]\n\n"
      "Interactive on a terminal. Scripted otherwise: the first lines of stdin are the username\n"
      "and the password (each skipped when given by --user / --password-file), then one command\n"
      "per line; at the end of input the client logs out and exits 0.\n\n"
      "Defaults come from ~/.config/quicchat/client.toml ($XDG_CONFIG_HOME/quicchat/client.toml)\n"
      "when it exists, e.g.  server = \"chat.example.org\"  or  ca = \"/path/to/cert.pem\";\n"
      "the command line wins. --save-config writes the options given with it there.",
      option_infos(client_options()));
}

namespace {

// Where an option's value came from; a higher level wins.
int level(const Flags& flags, const ConfigSource& source, std::string_view name) {
  if (flags.given(name)) return 2;
  for (const std::string& key : source.keys) {
    if (key == name) return 1;
  }
  return 0;
}

std::string origin(const Flags& flags, const ConfigSource& source, std::string_view name) {
  return level(flags, source, name) == 2 ? "--" + std::string(name)
                                         : "'" + std::string(name) + "' in " + source.path;
}

// A port in --server wins over --port from a lower level; the same level naming two ports is an
// error.
Result<void> settle_port(const Flags& flags, const ConfigSource& source, ClientSettings& s) {
  if (!s.port_in_server) return {};
  const int server_level = level(flags, source, "server");
  const int port_level = level(flags, source, "port");
  if (port_level > server_level) return {};
  if (port_level == server_level && *s.port_in_server != s.chat.transport.port) {
    return fail("usage", origin(flags, source, "server") + " names port " +
                             std::to_string(*s.port_in_server) + " but " +
                             origin(flags, source, "port") + " says " +
                             std::to_string(s.chat.transport.port));
  }
  s.chat.transport.port = *s.port_in_server;
  return {};
}

// Appended to "certificate verification failed: ...": how to name the right CA.
std::string verify_hint(const Flags& flags, const ConfigSource& source,
                        const std::string& ca_file) {
  const std::string config = source.path.empty() ? default_client_config_path() : source.path;
  if (!ca_file.empty()) {
    return " (checked against " + ca_file + ", from " + origin(flags, source, "ca") +
           "; --ca '' uses the system trust store)";
  }
  std::string hint =
      " (checked against the system trust store; for a self-signed certificate give its file "
      "with --ca FILE";
  if (!config.empty()) hint += " or ca = \"FILE\" in " + config;
  std::error_code ec;
  if (std::filesystem::exists(kDevelopmentCertificate, ec)) {
    hint += std::string("; the development certificate here: --ca ") + kDevelopmentCertificate;
  }
  return hint + ")";
}

}  // namespace

Result<ClientSettings> client_settings_from(const Flags& flags, const ConfigSource& source) {
  ClientSettings settings;
  settings.chat.transport.ca_file.clear();  // no --ca: the system trust store
  if (auto applied = apply_options(client_options(), flags, settings); !applied) {
    return Unexpected{applied.error()};
  }
  if (auto settled = settle_port(flags, source, settings); !settled) {
    return Unexpected{settled.error()};
  }
  auto& transport = settings.chat.transport;
  if (settings.server_list.empty()) settings.server_list.push_back({transport.host, std::nullopt});
  // One server: its port as settle_port decided. A list: each entry's, else --port.
  const bool one = settings.server_list.size() == 1;
  for (const ServerAddress& entry : settings.server_list) {
    settings.servers.push_back(
        {entry.host, one ? transport.port : entry.port.value_or(transport.port)});
  }
  if (settings.servers.size() > 1) transport.port = settings.servers.front().port;
  settings.app.server_label.clear();
  for (const ServerEntry& entry : settings.servers) {
    if (!settings.app.server_label.empty()) settings.app.server_label += ", ";
    settings.app.server_label += host_port_text(entry.host, entry.port);
  }
  // The state folder's name as it always was: "::1:4433", without brackets. With a list, the
  // first entry's: the device id and the resume state follow the user from node to node.
  settings.app.state_key = transport.host + ":" + std::to_string(transport.port);
  settings.app.verify_hint = verify_hint(flags, source, transport.ca_file);
  // Only v2 sends a device id: a v1-only client keeps nothing on disk unless told where.
  if (settings.app.state_dir.empty() && settings.chat.max_version >= 2) {
    settings.app.state_dir = client::default_state_dir();
  }
  return settings;
}

std::string client_options_markdown() {
  return options_markdown(option_infos(client_options()), {.config_key = true});
}

}  // namespace qc::app
