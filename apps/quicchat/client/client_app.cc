#include "quicchat/client/client_app.h"

#include <utility>
#include <variant>

#include "client/device_id.h"
#include "client/format.h"
#include "client/format_v2.h"
#include "client/json_events.h"
#include "proto/close_codes.h"
#include "util/account_rules.h"

namespace qc::app {

using namespace qc::client;

namespace {
constexpr std::chrono::milliseconds kMaxBackoff{10'000};
constexpr std::chrono::milliseconds kCloseGrace{2'000};
constexpr std::chrono::milliseconds kLogoutTimeout{10'000};

std::vector<ServerCandidate> candidates_or(std::vector<ServerCandidate> servers,
                                           const quic::ClientOptions& transport) {
  if (servers.empty()) servers.push_back({transport.host, transport.port, transport.host});
  return servers;
}
}  // namespace

ClientApp::ClientApp(io::EventLoop& loop, quic::ClientEndpoint& endpoint, ClientMux& mux,
                     ChatClientOptions chat_options, Console& console, ClientAppOptions options)
    : loop_(loop),
      console_(console),
      options_(std::move(options)),
      servers_(candidates_or(options_.servers, chat_options.transport)),
      chat_(loop, endpoint, mux, std::move(chat_options), [this](const Event& e) { on_event(e); }) {
  console_.set_line_handler([this](std::optional<std::string> line) { on_line(std::move(line)); });
}

// Said at once: a server that does not answer is reported after the handshake timeout.
Result<void> ClientApp::start() { return connect_current(); }

// Connects to the current candidate. One that cannot even start (a name that does not resolve)
// is reported and the next one taken, until each has been tried once.
Result<void> ClientApp::connect_current() {
  while (true) {
    const ServerCandidate& server = servers_.current();
    chat_.set_server(server.address, server.port, server.name);
    servers_.count_attempt();
    if (phase_ != Phase::Reconnecting) {
      say("connecting", "[Sys] Connecting to " + server_label() + "...");
    }
    connect_started_ = loop_.now();
    auto started = chat_.connect();
    if (started || servers_.round_done()) return started;
    complain("connect_failed", "Cannot connect to " + server_label() + ": " +
                                   started.error().message + "; trying the next server");
    servers_.advance();
  }
}

void ClientApp::finish(int code) {
  if (phase_ == Phase::Finished) return;
  save_resume_state();
  phase_ = Phase::Finished;
  exit_code_ = code;
  loop_.stop();
}

void ClientApp::fatal(std::string_view line) {
  if (options_.json) {
    std::string_view text = line;
    if (text.starts_with("[Err] ")) text.remove_prefix(6);
    console_.print(error_json("fatal", text, now_ms()));
  }
  console_.print_fatal(line);
  finish(1);
}

void ClientApp::interrupt() {
  if (phase_ == Phase::Chatting) return begin_logout();
  if (phase_ == Phase::LoggingOut) return finish(exit_code_);
  finish(130);
}

// --- events from the chat connection ---------------------------------------------------------

void ClientApp::on_event(const Event& event) {
  if (phase_ == Phase::Finished) return;
  if (auto* selected = std::get_if<VersionSelected>(&event)) {
    v2_display_ = selected->version == proto::v2::kVersion;
  }
  if (const auto* connected = std::get_if<Connected>(&event)) {
    Connected named = *connected;
    named.server = server_label();
    show(named);  // JSON only: silent on the terminal
    return on_connected();
  }
  if (auto* ok = std::get_if<LoginOk>(&event)) return on_login_ok(*ok);
  if (auto* welcome = std::get_if<Welcome>(&event)) return on_welcome(*welcome);
  if (auto* retry = std::get_if<LoginRetry>(&event)) return on_login_retry(*retry);
  if (auto* closed = std::get_if<ConnectionClosed>(&event)) return on_closed(*closed);
  if (std::holds_alternative<LoginRejected>(event) ||
      std::holds_alternative<VersionRejected>(event)) {
    if (options_.json) show(event);
    auto line = format_event(event);
    return fatal(line.value_or("[Err] Login rejected"));
  }
  if (const auto* page = std::get_if<HistoryPage>(&event)) return show_page(*page);
  if (const auto* done = std::get_if<RequestDone>(&event)) on_request_done(*done);
  if (!track(event)) return;
  show(event);
  save_resume_state();  // after showing: a crash in between shows a message twice, never zero
  if (std::holds_alternative<LoggedOut>(event)) {
    chat_.close("logout");
    loop_.add_timer(loop_.now() + kCloseGrace, [this] { finish(0); });
  }
}

void ClientApp::on_connected() {
  ever_opened_ = true;
  servers_.succeeded();
  if (servers_.size() > 1 && !options_.json) {
    print_line("[Sys] Connected to " + server_label());
  }
  if (phase_ == Phase::Reconnecting) return send_login();
  ask_credentials();
}

void ClientApp::on_login_ok(const LoginOk& ok) {
  if (phase_ == Phase::Reconnecting && !options_.json) {
    console_.print(format_reconnected(ok.my_id, chat_.session().my_name()));
  } else {
    show(ok);
  }
  after_login();
}

void ClientApp::on_welcome(const Welcome& welcome) {
  if (phase_ == Phase::Reconnecting && !options_.json) {
    console_.print(with_clock(welcome.ts != 0 ? welcome.ts : now_ms(),
                              "[Sys] Reconnected as " + sanitize(welcome.user) + "."));
  } else {
    show(welcome);
  }
  // The server chose another id (ours was refused or not sent): keep the one it uses.
  if (!options_.state_dir.empty() && !welcome.device.empty() && welcome.device != device_id_) {
    device_id_ = welcome.device;
    (void)store_device_id(options_.state_dir, options_.state_key, username_, device_id_);
  }
  // Before a line typed meanwhile: what was sent first goes first.
  resend_unanswered();
  after_login();
}

void ClientApp::after_login() {
  ever_logged_in_ = true;
  backoff_ = std::chrono::milliseconds(500);
  phase_ = Phase::Chatting;
  if (held_line_) return on_held_line(*std::exchange(held_line_, std::nullopt));
  request_command_line();
}

void ClientApp::on_login_retry(const LoginRetry& retry) {
  show(retry);
  if (phase_ == Phase::Reconnecting) {
    chat_.close("login retry during reconnect");
    return;  // the close schedules the next attempt
  }
  if (options_.username && options_.password)
    return fatal("[Err] Login failed with the given credentials");
  ask_credentials();
}

void ClientApp::on_closed(const ConnectionClosed& closed) {
  if (phase_ == Phase::LoggingOut) return finish(0);
  if (phase_ == Phase::Reconnecting) return schedule_reconnect();
  if (closed.expected) return finish(exit_code_);
  if (!ever_opened_) {
    std::string reason = sanitize(closed.reason);
    if (closed.kind == quic::close_kind_name(quic::CloseKind::HandshakeTimeout)) {
      const auto waited = std::chrono::duration<double>(loop_.now() - connect_started_).count();
      char figure[32];
      std::snprintf(figure, sizeof figure, "%.1f", waited);
      reason = "no answer after " + std::string(figure) + " s";
    }
    if (reason.starts_with("certificate verification failed")) reason += options_.verify_hint;
    return connect_failed(reason);
  }
  std::string line = format_event(closed).value_or("[Err] Connection lost");
  if (v2()) line = with_clock(now_ms(), line);
  // An operator's kick is meant to stick, and after a password change elsewhere the password
  // this client knows is the old one: no automatic way back in.
  const bool kept_out = closed.app_error_code == proto::to_wire(proto::CloseCode::Kicked) ||
                        closed.app_error_code == proto::to_wire(proto::CloseCode::PasswordChanged);
  const bool reconnect = options_.reconnect && ever_logged_in_ && !kept_out;
  if (options_.json) show(closed);
  if (reconnect) {
    if (!options_.json) console_.print(line);
    say("reconnecting", kReconnectingLine);
    report_undelivered(closed);
    keep_unanswered_sends(true);
    phase_ = Phase::Reconnecting;
    return schedule_reconnect();
  }
  report_undelivered(closed);
  keep_unanswered_sends(false);
  fatal(line);
}

// Nothing typed is lost silently: each message the server had not acknowledged is named.
// (v2: the server's acks say what arrived: keep_unanswered_sends reports it instead.)
void ClientApp::report_undelivered(const ConnectionClosed& closed) {
  if (v2() || options_.json) return;
  for (const std::string& line : closed.undelivered) console_.print(format_not_delivered(line));
}

// v2: a send without an answer may or may not have arrived; the same cid makes sending it
// again safe (the server delivers it once), so a reconnecting client does.
void ClientApp::keep_unanswered_sends(bool will_resend) {
  if (!v2()) return;
  for (const auto& [rid, send] : chat_.session().unanswered_sends()) {
    const std::string what = pending_text(send).substr(std::string_view("… ").size());
    if (will_resend) {
      to_resend_.push_back(send);
      say("resend", "[Sys] Not acknowledged; sent again once reconnected: " + what);
    } else if (!options_.state_dir.empty()) {
      complain("not_delivered",
               "Not acknowledged (connection lost); sent again at your next login: " + what);
    } else {
      complain("not_delivered", "Not delivered (connection lost): " + what);
    }
  }
}

void ClientApp::resend_unanswered() {
  for (const OutgoingSend& send : std::exchange(to_resend_, {})) {
    if (chat_.resend(send)) sent_v2();
  }
}

// --- reconnection ------------------------------------------------------------------------------

void ClientApp::schedule_reconnect() {
  loop_.add_timer(loop_.now() + backoff_, [this] { reconnect_now(); });
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

// The server messages name: the candidate's, or with one server the label given.
std::string ClientApp::server_label() const {
  if (servers_.size() == 1 && !options_.server_label.empty()) return options_.server_label;
  return servers_.current().label();
}

// The next candidate in turn: the one just lost (or refused) comes last.
void ClientApp::reconnect_now() {
  if (phase_ != Phase::Reconnecting) return;
  servers_.advance();
  if (!connect_current()) schedule_reconnect();
}

// The first connection failed: the next candidate not yet tried, else the end.
void ClientApp::connect_failed(std::string_view reason) {
  const std::string line =
      "Cannot connect to " + server_label() + ": " + std::string(reason);
  if (servers_.round_done()) return fatal("[Err] " + line);
  complain("connect_failed", line + "; trying the next server");
  servers_.advance();
  if (auto started = connect_current(); !started) {
    fatal("[Err] Cannot connect to " + server_label() + ": " + started.error().message);
  }
}

// --- login dialogue ---------------------------------------------------------------------------

void ClientApp::ask_credentials() {
  if (!options_.username) {
    phase_ = Phase::AskingUser;
    return console_.request_line("Enter username: ", false);
  }
  username_ = *options_.username;
  if (!options_.password) return ask_password();
  password_ = *options_.password;
  send_login();
}

void ClientApp::ask_password() {
  phase_ = Phase::AskingPassword;
  console_.request_line(options_.register_account ? "New password: " : "Enter password: ", true);
}

std::string ClientApp::device_id() {
  if (options_.state_dir.empty()) return {};
  auto id = load_or_create_device_id(options_.state_dir, options_.state_key, username_);
  if (!id) {
    complain("state_dir", id.error().message + " (the server picks a device id)");
    return {};
  }
  return *id;
}

void ClientApp::send_login() {
  if (phase_ != Phase::Reconnecting || device_id_.empty()) device_id_ = device_id();
  load_resume_state();
  if (options_.register_account && !ever_logged_in_) {  // reconnects log in to the account made
    if (auto problem = password_problem(password_)) return fatal("[Err] " + *problem);
    if (auto sent = chat_.register_and_login(username_, password_, device_id_); !sent)
      return fatal("[Err] " + sent.error().message);
    phase_ = Phase::AwaitingLogin;
    return;
  }
  if (auto sent = chat_.login(username_, password_, device_id_, book_.since(), book_.state().epoch);
      !sent) {
    return fatal("[Err] " + sent.error().message);
  }
  if (phase_ != Phase::Reconnecting) phase_ = Phase::AwaitingLogin;
}

void ClientApp::on_line(std::optional<std::string> line) {
  switch (phase_) {
    case Phase::AskingUser:
    case Phase::AskingPassword:
      return on_credential_line(std::move(line));
    case Phase::AskingPasswordAgain:
      return on_new_password_line(std::move(line));
    case Phase::Chatting:
      if (passwd_) return on_passwd_line(std::move(line));
      if (!line) return begin_logout();
      return on_command_line(*line);
    case Phase::Reconnecting:
      if (!line) return finish(1);
      held_line_ = std::move(line);  // sent once logged in again; no more input until then
      return;
    default:
      return;  // not waiting for input
  }
}

void ClientApp::on_credential_line(std::optional<std::string> line) {
  if (!line) return fatal("[Err] End of input before login");
  if (phase_ == Phase::AskingUser) {
    username_ = std::move(*line);
    if (!options_.password) return ask_password();
    password_ = *options_.password;
  } else {
    password_ = std::move(*line);
    if (options_.register_account) {  // asked twice: a typo would make an account nobody knows
      phase_ = Phase::AskingPasswordAgain;
      return console_.request_line("Repeat password: ", true);
    }
  }
  send_login();
}

// --- commands ---------------------------------------------------------------------------------

void ClientApp::on_command_line(std::string_view line) { run_line(line, parse_command); }

// A line held across a reconnect: names resolve against the new presence list, ids are refused.
void ClientApp::on_held_line(std::string_view line) { run_line(line, parse_held_command); }

void ClientApp::run_line(std::string_view line, const LineParser& parse) {
  auto resolve = [this](std::string_view name) { return chat_.session().find_user_id(name); };
  // v2 names are stable: a held line parses as a fresh one.
  auto command = v2() ? parse_command_v2(line, current_) : parse(line, resolve);
  if (!command) {
    if (options_.json) {
      complain("local", command.error());
    } else {
      print_line(command.error());
    }
  } else {
    execute(*command, line);
  }
  if (phase_ == Phase::Chatting && !passwd_) request_command_line();
}

void ClientApp::execute(const Command& command, std::string_view line) {
  Result<void> sent;
  if (auto* b = std::get_if<BroadcastCmd>(&command)) {
    sent = chat_.send_broadcast(b->text, line);
    if (sent && v2()) sent_v2();
  } else if (auto* n = std::get_if<NamesCmd>(&command)) {
    sent = chat_.send_to(n->names, n->text, line);
    if (sent) sent_v2();
  } else if (auto* d = std::get_if<DirectCmd>(&command)) {
    sent = chat_.send_direct(d->target, d->text, line);
  } else if (auto* m = std::get_if<ManyCmd>(&command)) {
    sent = chat_.send_many(m->targets, m->text, line);
  } else if (std::holds_alternative<LogoutCmd>(command)) {
    return begin_logout();
  } else if (std::holds_alternative<WhoCmd>(command)) {
    show_who();
  } else if (std::holds_alternative<HelpCmd>(command)) {
    for (const auto& l : v2() ? help_lines_v2() : help_lines()) say("help", l);
  } else if (std::holds_alternative<RebindCmd>(command)) {
    sent = chat_.rebind();
    if (sent) say("rebind", kRebindLine);
  } else {
    sent = execute_v2(command, line);
  }
  if (!sent) complain(sent.error().code, sent.error().message);
}

void ClientApp::begin_logout() {
  flush_reads_and_state();  // before the logout: the server still takes them
  phase_ = Phase::LoggingOut;
  if (!chat_.logout()) return finish(0);
  // LOGOUT_ACK prints "[Sys] Logout successful" and closes; the close ends the loop.
  loop_.add_timer(loop_.now() + kLogoutTimeout, [this] {
    if (phase_ == Phase::LoggingOut) fatal("[Err] No answer to logout");
  });
}

}  // namespace qc::app
