#include "quicchat/server/server_options.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <thread>

#include "quic/quic_lb.h"
#include "quicchat/common/config_file.h"
#include "server/secret_file.h"
#include "store/db_url.h"
#include "util/account_rules.h"

namespace qc::app {
namespace {

using S = ServerSettings;
using V = OptionValue;
using Set = Result<void>;
using ms = std::chrono::milliseconds;

constexpr std::int64_t kDay = 86'400'000;  // the longest timeout, in ms
constexpr std::int64_t kMillion = 1'000'000;

constexpr auto kServerOptions = std::to_array<Option<S>>({
    {{.name = "config", .help = "TOML configuration file", .in_config_file = false}},
    {{.name = "host", .default_value = "127.0.0.1", .help = "address to listen on"},
     [](const V& v, S& s) -> Set {
       s.config.transport.host = v.text;
       return {};
     }},
    {{.name = "port",
      .default_value = "4433",
      .help = "UDP port (0 = any free port)",
      .kind = Kind::Int,
      .min = 0,
      .max = 65535},
     [](const V& v, S& s) -> Set {
       s.config.transport.port = static_cast<std::uint16_t>(v.number);
       return {};
     }},
    {{.name = "cert",
      .default_value = "certs/quic_certificate.pem",
      .help = "TLS certificate (PEM): the server's, then its chain",
      .notes = "read again at each reload; the log names what it covers and when it expires",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.cert_file = v.text;
       return {};
     }},
    {{.name = "key",
      .default_value = "certs/quic_private_key.pem",
      .help = "TLS private key (PEM)",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.key_file = v.text;
       return {};
     }},
    {{.name = "db",
      .default_value = "data/quicchat.db",
      .help = "the store: an SQLite file, or a postgresql://USER@HOST:PORT/DBNAME URL (shared by "
              "a cluster's nodes)",
      .notes = "a file is created mode 0600 if missing, never overwritten (an existing one others "
               "can access is kept, with WARN db_file_not_private); a URL needs --secret-file, "
               "see [Cluster](#cluster)"},
     [](const V& v, S& s) -> Set {
       s.db = v.text;
       return {};
     }},
    {{.name = "secret-file",
      .help = "file with the secret that keys stateless resets and Retry tokens (none: "
              "server.secret in the folder of an SQLite --db; required with a PostgreSQL one)",
      .notes = "created mode 0600 with 32 random bytes on first start, refused when group or "
               "others may read it; see [Secret file](#secret-file)"},
     [](const V& v, S& s) -> Set {
       s.secret_file = v.text;
       return {};
     }},
    {{.name = "node-id",
      .help = "this node's name in a cluster (1-32 characters of A-Z a-z 0-9 _ . -); shown in the "
              "`listening on` line and the log",
      .notes = "give every node of a cluster its own; see [Cluster](#cluster)"},
     [](const V& v, S& s) -> Set {
       if (!v.text.empty() && !valid_username(v.text))
         return fail("usage",
                     "--node-id: " + std::string(kUsernameRule) + ", not '" + v.text + "'");
       s.config.node_id = v.text;
       return {};
     }},
    {{.name = "cluster",
      .help = "run as one node of a cluster whose bus and presence are the Redis at "
              "redis://[USER@]HOST:PORT (needs --node-id)",
      .notes = "no password in the URL: see --cluster-password-file and [Redis](#redis)"},
     [](const V& v, S& s) -> Set {
       if (v.text.empty()) return {};
       auto parsed = cluster::parse_redis_url(v.text);
       if (!parsed) return Unexpected{parsed.error()};
       s.cluster = std::move(*parsed);
       return {};
     }},
    {{.name = "cluster-password-file",
      .help = "file whose first line is the password of the --cluster URL's Redis user (or of "
              "Redis's default user)",
      .notes = "mode 0600 (refused when group or others may read it); never logged"},
     [](const V& v, S& s) -> Set {
       s.cluster_password_file = v.text;
       return {};
     }},
    {{.name = "cid-server-id",
      .help = "1-8 bytes of hex that every connection ID this server issues carries, for a "
              "QUIC-LB load balancer (none: from --node-id, else random IDs)",
      .notes = "QUIC-LB's unencrypted format: octet 0 = config rotation 0 and the length, then "
               "the server id, then a random nonce (18 bytes in all). Without it a node with "
               "--node-id takes the first 2 bytes of SHA-256(node id): give each node its own "
               "here when two names might collide (see [Nodes behind one name]"
               "(#nodes-behind-one-name))"},
     [](const V& v, S& s) -> Set {
       if (v.text.empty()) {
         s.config.transport.cid_server_id.clear();
         return {};
       }
       auto id = quic::parse_server_id_hex(v.text);
       if (!id) return fail("usage", "--cid-server-id: " + id.error().message);
       s.config.transport.cid_server_id = std::move(*id);
       return {};
     }},
    {{.name = "alpn",
      .default_value = "quicchat,echo-protocol",
      .help = "accepted ALPN protocols, preferred first",
      .notes = "`echo-protocol` lets the original Python clients in"},
     [](const V& v, S& s) -> Set {
       s.config.transport.alpns = split_list(v.text);
       if (s.config.transport.alpns.empty())
         return fail("usage", "--alpn needs at least one protocol");
       return {};
     }},
    {{.name = "log-level",
      .default_value = "info",
      .help = "log level",
      .kind = Kind::Choice,
      .choices = "debug,info,warn,error,off",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       log::parse_level(v.text, s.log_level);
       return {};
     }},
    {{.name = "hash-threads",
      .default_value = "0",
      .help = "password-hashing threads (0 = number of cores)",
      .kind = Kind::Int,
      .min = 0,
      .max = 256,
      .notes = "they run at nice 19 under `SCHED_BATCH` (see \"Password hashing\")"},
     [](const V& v, S& s) -> Set {
       s.config.hash_threads = v.number > 0 ? static_cast<unsigned>(v.number)
                                            : std::max(1u, std::thread::hardware_concurrency());
       return {};
     }},
    {{.name = "bcrypt-cost",
      .default_value = "12",
      .help = "bcrypt cost of the passwords users set (passwd, register) or the admin socket "
              "sets, and of the dummy hash checked for unknown users",
      .kind = Kind::Int,
      .min = 4,
      .max = 31,
      .notes = "match your accounts' cost, so an unknown name takes as long as a wrong password",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.bcrypt_cost = static_cast<int>(v.number);
       return {};
     }},
    {{.name = "max-pending-logins",
      .default_value = "256",
      .help = "password checks waiting or running; LOGIN beyond gets 'Server busy' (0 = no limit)",
      .kind = Kind::Int,
      .min = 0,
      .max = 10 * kMillion,
      .notes = "counted over all connections; the refused LOGIN gets LOGIN_UNSUCCESSFUL_RETRY "
               "`Server busy. Try again later.` at once, uses none of the client's 3 attempts, "
               "and the log says `WARN login_queue_full` (once per episode; `INFO login_queue_ok "
               "refused_while_full=N` when it ends). The worst wait for a check is about this × "
               "hash time / `--hash-threads` (≈ 256 × 0.25 s / 2 ≈ 30 s at cost 12 on 2 cores): "
               "lower it if your clients give up sooner",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_pending_logins = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "login-attempts",
      .default_value = "3",
      .help = "LOGIN attempts before the connection is closed",
      .kind = Kind::Int,
      .min = 1,
      .max = 100,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_login_attempts = static_cast<int>(v.number);
       return {};
     }},
    {{.name = "login-retry-window-ms",
      .default_value = "60000",
      .help = "after a failed LOGIN, the next must come within this",
      .kind = Kind::Int,
      .min = 1,
      .max = kDay,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_retry_window = ms(v.number);
       return {};
     }},
    {{.name = "keepalive-timeout-ms",
      .default_value = "90000",
      .help = "close a session silent for this long",
      .kind = Kind::Int,
      .min = 1,
      .max = kDay,
      .notes = "clients send ALIVE every 30 s",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.keepalive_timeout = ms(v.number);
       return {};
     }},
    {{.name = "first-pdu-timeout-ms",
      .default_value = "10000",
      .help = "close a connection that sent no PDU for this long",
      .kind = Kind::Int,
      .min = 1,
      .max = kDay,
      .notes = "after its first PDU the keep-alive applies",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.first_pdu_timeout = ms(v.number);
       return {};
     }},
    {{.name = "login-probe-timeout-ms",
      .default_value = "2000",
      .help = "a right password for a name in use probes its session this long",
      .kind = Kind::Int,
      .min = 0,
      .max = kDay,
      .notes = "no answer ends that session and admits the login; 0: refuse at once",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_probe_timeout = ms(v.number);
       return {};
     }},
    {{.name = "max-devices",
      .default_value = "8",
      .help = "sessions one account may have at once (protocol v2 devices)",
      .kind = Kind::Int,
      .min = 1,
      .max = 1000,
      .notes = "a new device over it replaces the account's least recently heard session",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_devices = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "idle-timeout-ms",
      .default_value = "120000",
      .help = "QUIC idle timeout",
      .kind = Kind::Int,
      .min = 1,
      .max = kDay,
      .notes = "a backstop under the keep-alive",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.idle_timeout = ms(v.number);
       return {};
     }},
    {{.name = "handshake-timeout-ms",
      .default_value = "10000",
      .help = "QUIC handshake timeout",
      .kind = Kind::Int,
      .min = 1,
      .max = kDay,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.handshake_timeout = ms(v.number);
       return {};
     }},
    {{.name = "close-timeout-ms",
      .default_value = "5000",
      .help = "how long a close waits for the peer to acknowledge what was sent before it",
      .kind = Kind::Int,
      .min = 1,
      .max = 60'000,
      .notes = "logout, kick, slow consumer and shutdown wait for the acknowledgements of the "
               "last messages, then close; a SIGTERM takes at most this + 0.5 s",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.close_timeout = ms(v.number);
       return {};
     }},
    {{.name = "max-pdu-bytes",
      .default_value = "65536",
      .help = "largest PDU accepted",
      .kind = Kind::Int,
      .min = 256,
      .max = 16 << 20,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.limits.max_bytes = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "max-connections",
      .default_value = "20000",
      .help = "connections in all",
      .kind = Kind::Int,
      .min = 1,
      .max = 10 * kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.max_connections = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "max-connections-per-ip",
      .default_value = "256",
      .help = "connections from one address",
      .kind = Kind::Int,
      .min = 1,
      .max = 10 * kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.max_connections_per_ip = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "retry",
      .default_value = "auto",
      .help = "QUIC Retry (address validation)",
      .kind = Kind::Choice,
      .choices = "auto,always,never",
      .notes = "`auto` sends it while the handshakes in progress exceed `--retry-threshold`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.retry = v.text == "always"  ? quic::RetryMode::Always
                                  : v.text == "never" ? quic::RetryMode::Never
                                                      : quic::RetryMode::Auto;
       return {};
     }},
    {{.name = "retry-threshold",
      .default_value = "256",
      .help = "handshakes in progress above which auto sends Retry",
      .kind = Kind::Int,
      .min = 0,
      .max = 10 * kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.transport.retry_threshold = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "msg-rate",
      .default_value = "20",
      .help = "messages per second one session may send (0 = no limit)",
      .kind = Kind::Int,
      .min = 0,
      .max = kMillion,
      .notes = "ONE_TO_ONE, ONE_TO_MANY and BROADCAST count; over it the message is dropped and "
               "the sender gets MSG_UNSUCCESSFUL `Rate limited: slow down`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.message_rate.per_second = static_cast<double>(v.number);
       return {};
     }},
    {{.name = "msg-burst",
      .default_value = "40",
      .help = "messages one session may send in one burst",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.message_rate.burst = static_cast<double>(v.number);
       return {};
     }},
    {{.name = "login-rate-per-ip",
      .default_value = "30",
      .help = "LOGIN attempts per minute from one address (0 = no limit)",
      .kind = Kind::Int,
      .min = 0,
      .max = kMillion,
      .notes = "successful attempts are refunded",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_rate_per_ip.per_second = static_cast<double>(v.number) / 60;
       return {};
     }},
    {{.name = "login-burst-per-ip",
      .default_value = "50",
      .help = "LOGIN attempts at once from one address",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_rate_per_ip.burst = static_cast<double>(v.number);
       return {};
     }},
    {{.name = "login-rate-per-account",
      .default_value = "6",
      .help = "LOGIN attempts per minute for one account (0 = no limit)",
      .kind = Kind::Int,
      .min = 0,
      .max = kMillion,
      .notes = "a refused attempt never reaches bcrypt and gets `Too many login attempts. Try "
               "again later.`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_rate_per_account.per_second = static_cast<double>(v.number) / 60;
       return {};
     }},
    {{.name = "login-burst-per-account",
      .default_value = "6",
      .help = "LOGIN attempts at once for one account",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.login_rate_per_account.burst = static_cast<double>(v.number);
       return {};
     }},
    {{.name = "allow-registration",
      .help = "let v2 clients create their own accounts (`quicchat client --register`)",
      .kind = Kind::Switch,
      .notes =
          "names follow `quicchat user add`'s rule; see [Self-registration](#self-registration)",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.allow_registration = v.on;
       return {};
     }},
    {{.name = "registration-rate-per-ip",
      .default_value = "3",
      .help = "accounts one address may register per hour, and at once (0 = no limit)",
      .kind = Kind::Int,
      .min = 0,
      .max = kMillion,
      .notes = "every attempt that names a valid name and password counts; over it `throttled`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.registration_rate_per_ip.per_second = static_cast<double>(v.number) / 3600;
       s.config.chat.registration_rate_per_ip.burst =
           static_cast<double>(std::max<std::int64_t>(v.number, 1));
       return {};
     }},
    {{.name = "max-text-bytes",
      .default_value = "32768",
      .help = "longest message text, in bytes",
      .kind = Kind::Int,
      .min = 1,
      .max = 16 << 20,
      .notes = "longer gets MSG_UNSUCCESSFUL `Message too long: limit is N bytes`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_text_bytes = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "max-targets",
      .default_value = "100",
      .help = "session ids in one ONE_TO_MANY",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion,
      .notes = "more gets MSG_UNSUCCESSFUL `Too many targets: limit is N`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_targets = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "max-queued-bytes",
      .default_value = "1048576",
      .help = "unacknowledged bytes before a slow reader is closed",
      .kind = Kind::Int,
      .min = 4096,
      .max = std::int64_t{1} << 40,
      .notes = "over it the connection is closed with code 6 (`SlowConsumer`) and the reason "
               "`slow consumer: outbound queue over N bytes`",
      .reload = Reload::Live},
     [](const V& v, S& s) -> Set {
       s.config.max_queued_bytes = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "history",
      .default_value = "on",
      .help = "store v2 messages: history, offline delivery and resume",
      .kind = Kind::Choice,
      .choices = "on,off",
      .notes = "`on`: a message is acknowledged and delivered once it is on disk (in the --db "
               "file); `off`: at once, and nothing is kept (rooms are stored either way)"},
     [](const V& v, S& s) -> Set {
       s.config.chat.store_messages = v.text == "on";
       return {};
     }},
    {{.name = "retention-days",
      .default_value = "7",
      .help = "stored messages older than this are deleted (0 = kept by age)",
      .kind = Kind::Int,
      .min = 0,
      .max = 100'000,
      .notes = "checked every minute, in batches of 1,000 on the writer thread; a recipient "
               "whose undelivered messages expired is told how many at its next login"},
     [](const V& v, S& s) -> Set {
       s.config.retention.max_age = ms(v.number * kDay);
       return {};
     }},
    {{.name = "retention-per-conv",
      .default_value = "0",
      .help = "messages kept per conversation, the latest (0 = no limit by count)",
      .kind = Kind::Int,
      .min = 0,
      .max = std::int64_t{1} << 40},
     [](const V& v, S& s) -> Set {
       s.config.retention.max_per_conv = static_cast<std::uint64_t>(v.number);
       return {};
     }},
    {{.name = "store-queue",
      .default_value = "10000",
      .help = "writes and reads waiting for the store; beyond it a send gets `store_full`",
      .kind = Kind::Int,
      .min = 1,
      .max = 10 * kMillion},
     [](const V& v, S& s) -> Set {
       s.config.writer.max_queued_ops = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "offline-bound",
      .default_value = "10000",
      .help = "unread messages one offline account may have queued in a direct conversation",
      .kind = Kind::Int,
      .min = 1,
      .max = std::int64_t{1} << 40,
      .notes = "beyond it the sender gets `offline_full` for that recipient"},
     [](const V& v, S& s) -> Set {
       s.config.chat.offline_bound = static_cast<std::uint64_t>(v.number);
       return {};
     }},
    {{.name = "max-rooms-per-account",
      .default_value = "100",
      .help = "rooms one account may be a member of",
      .kind = Kind::Int,
      .min = 1,
      .max = kMillion},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_rooms_per_account = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "max-room-members",
      .default_value = "10000",
      .help = "members of one room",
      .kind = Kind::Int,
      .min = 1,
      .max = 10 * kMillion},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_room_members = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "history-page-max",
      .default_value = "500",
      .help = "messages in one history page, at most (a larger limit is capped)",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000},
     [](const V& v, S& s) -> Set {
       s.config.chat.history_page_max = static_cast<std::uint32_t>(v.number);
       return {};
     }},
    {{.name = "history-page-default",
      .default_value = "50",
      .help = "messages in a history page when the request names no limit, and after a join",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000},
     [](const V& v, S& s) -> Set {
       s.config.chat.history_page_default = static_cast<std::uint32_t>(v.number);
       return {};
     }},
    {{.name = "catch-up-per-conv",
      .default_value = "500",
      .help = "messages per conversation in the login catch-up, at most (then `more`)",
      .kind = Kind::Int,
      .min = 1,
      .max = 100'000},
     [](const V& v, S& s) -> Set {
       s.config.chat.catch_up_per_conv = static_cast<std::uint32_t>(v.number);
       return {};
     }},
    {{.name = "max-topic-bytes",
      .default_value = "512",
      .help = "bytes of a room topic",
      .kind = Kind::Int,
      .min = 1,
      .max = 65'536},
     [](const V& v, S& s) -> Set {
       s.config.chat.max_topic_bytes = static_cast<std::size_t>(v.number);
       return {};
     }},
    {{.name = "qlog-dir", .help = "write a qlog file per connection into this folder"},
     [](const V& v, S& s) -> Set {
       s.config.transport.qlog_dir = v.text;
       return {};
     }},
    {{.name = "admin-socket",
      .help = "unix socket for quicchat admin and quicchat user --admin-socket; created mode 0600",
      .notes = "see [Admin socket](#admin-socket)"},
     [](const V& v, S& s) -> Set {
       s.admin_socket = v.text;
       return {};
     }},
    {{.name = "metrics-listen",
      .help = "serve Prometheus metrics at http://HOST:PORT/metrics (off when empty; keep it on "
              "loopback or behind a firewall)",
      .notes = "see [Metrics](#metrics)"},
     [](const V& v, S& s) -> Set {
       if (v.text.empty()) return {};
       auto at = ops::parse_host_port(v.text);
       if (!at) return fail("usage", "--metrics-listen: " + at.error().message);
       s.metrics_listen = *at;
       return {};
     }},
    {{.name = "options-markdown", .kind = Kind::Switch, .in_config_file = false, .hidden = true}},
});

}  // namespace

std::span<const Option<ServerSettings>> server_options() { return kServerOptions; }

Flags make_server_flags() {
  return make_flags(
      "usage: quicchat server [options]\n\n"
      "Runs the chat server. Options may also come from a TOML file (--config) whose keys are\n"
      "the option names, e.g.  port = 4433  or  alpn = \"quicchat,echo-protocol\".\n"
      "The command line wins over the file.",
      option_infos(server_options()));
}

Result<void> apply_config_file(Flags& flags) {
  if (!flags.given("config")) return {};
  auto applied = apply_toml_file(flags, flags.get("config"), option_infos(server_options()));
  if (!applied) return Unexpected{applied.error()};
  return {};
}

Result<ServerSettings> server_settings_from(const Flags& flags) {
  ServerSettings settings;
  if (auto applied = apply_options(server_options(), flags, settings); !applied) {
    return Unexpected{applied.error()};
  }
  if (settings.cluster) {
    if (settings.config.node_id.empty())
      return fail("usage", "--cluster needs --node-id NAME (every node of a cluster its own)");
    settings.cluster->node_id = settings.config.node_id;
  } else if (!settings.cluster_password_file.empty()) {
    return fail("usage", "--cluster-password-file needs --cluster");
  }
  if (settings.secret_file.empty()) {
    // The default lives beside an SQLite file; a URL has no folder, and a cluster's nodes must
    // share one secret.
    if (store::is_postgres_url(settings.db)) {
      return fail("usage",
                  "--secret-file is required with a PostgreSQL --db (give every node of the "
                  "cluster the same file)");
    }
    settings.secret_file = server::default_secret_path(settings.db);
  }
  if (settings.config.transport.cid_server_id.empty() && !settings.config.node_id.empty()) {
    settings.config.transport.cid_server_id = quic::server_id_from_node_id(settings.config.node_id);
  }
  if (const char* keylog = std::getenv("SSLKEYLOGFILE")) {
    settings.config.transport.keylog_file = keylog;
  }
  return settings;
}

std::string server_options_markdown() {
  return options_markdown(option_infos(server_options()), {.config_key = true, .reload = true});
}

}  // namespace qc::app
