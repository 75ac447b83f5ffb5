#include "quicchat/client/client_app.h"

#include <utility>
#include <variant>

#include "client/format.h"
#include "proto/close_codes.h"

namespace qc::app {

using namespace qc::client;

namespace {
constexpr std::string_view kCommandPrompt = "";
constexpr std::chrono::milliseconds kMaxBackoff{10'000};
constexpr std::chrono::milliseconds kCloseGrace{2'000};
constexpr std::chrono::milliseconds kLogoutTimeout{10'000};
}  // namespace

ClientApp::ClientApp(io::EventLoop& loop, quic::ClientEndpoint& endpoint, ClientMux& mux,
                     ChatClientOptions chat_options, Console& console, ClientAppOptions options)
    : loop_(loop),
      console_(console),
      options_(std::move(options)),
      chat_(loop, endpoint, mux, std::move(chat_options), [this](const Event& e) { on_event(e); }) {
  console_.set_line_handler([this](std::optional<std::string> line) { on_line(std::move(line)); });
}

Result<void> ClientApp::start() { return chat_.connect(); }

void ClientApp::finish(int code) {
  if (phase_ == Phase::Finished) return;
  phase_ = Phase::Finished;
  exit_code_ = code;
  loop_.stop();
}

void ClientApp::fatal(std::string_view line) {
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
  if (std::holds_alternative<Connected>(event)) return on_connected();
  if (auto* ok = std::get_if<LoginOk>(&event)) return on_login_ok(*ok);
  if (auto* retry = std::get_if<LoginRetry>(&event)) return on_login_retry(*retry);
  if (auto* closed = std::get_if<ConnectionClosed>(&event)) return on_closed(*closed);
  auto line = format_event(event);
  if (std::holds_alternative<LoginRejected>(event) ||
      std::holds_alternative<VersionRejected>(event)) {
    return fatal(line.value_or("[Err] Login rejected"));
  }
  if (line) console_.print(*line);
  if (std::holds_alternative<LoggedOut>(event)) {
    chat_.close("logout");
    loop_.add_timer(loop_.now() + kCloseGrace, [this] { finish(0); });
  }
}

void ClientApp::on_connected() {
  ever_opened_ = true;
  if (phase_ == Phase::Reconnecting) return send_login();
  ask_credentials();
}

void ClientApp::on_login_ok(const LoginOk& ok) {
  if (phase_ == Phase::Reconnecting) {
    console_.print(format_reconnected(ok.my_id, chat_.session().my_name()));
  } else {
    console_.print(*format_event(ok));
  }
  ever_logged_in_ = true;
  backoff_ = std::chrono::milliseconds(500);
  phase_ = Phase::Chatting;
  if (held_line_) return on_held_line(*std::exchange(held_line_, std::nullopt));
  console_.request_line(kCommandPrompt, false);
}

void ClientApp::on_login_retry(const LoginRetry& retry) {
  console_.print(*format_event(retry));
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
    return fatal("[Err] Cannot connect to " + options_.server_label + ": " +
                 sanitize(closed.reason));
  }
  std::string line = format_event(closed).value_or("[Err] Connection lost");
  // An operator's kick is meant to stick: no automatic way back in.
  const bool kicked = closed.app_error_code == proto::to_wire(proto::CloseCode::Kicked);
  if (options_.reconnect && ever_logged_in_ && !kicked) {
    console_.print(line);
    console_.print(std::string(kReconnectingLine));
    report_undelivered(closed);
    phase_ = Phase::Reconnecting;
    return schedule_reconnect();
  }
  report_undelivered(closed);
  fatal(line);
}

// Nothing typed is lost silently: each message the server had not acknowledged is named.
void ClientApp::report_undelivered(const ConnectionClosed& closed) {
  for (const std::string& line : closed.undelivered) console_.print(format_not_delivered(line));
}

// --- reconnection ------------------------------------------------------------------------------

void ClientApp::schedule_reconnect() {
  loop_.add_timer(loop_.now() + backoff_, [this] { reconnect_now(); });
  backoff_ = std::min(backoff_ * 2, kMaxBackoff);
}

void ClientApp::reconnect_now() {
  if (phase_ != Phase::Reconnecting) return;
  if (!chat_.connect()) schedule_reconnect();
}

// --- login dialogue ---------------------------------------------------------------------------

void ClientApp::ask_credentials() {
  if (!options_.username) {
    phase_ = Phase::AskingUser;
    return console_.request_line("Enter username: ", false);
  }
  username_ = *options_.username;
  if (!options_.password) {
    phase_ = Phase::AskingPassword;
    return console_.request_line("Enter password: ", true);
  }
  password_ = *options_.password;
  send_login();
}

void ClientApp::send_login() {
  if (auto sent = chat_.login(username_, password_); !sent) {
    return fatal("[Err] " + sent.error().message);
  }
  if (phase_ != Phase::Reconnecting) phase_ = Phase::AwaitingLogin;
}

void ClientApp::on_line(std::optional<std::string> line) {
  switch (phase_) {
    case Phase::AskingUser:
    case Phase::AskingPassword:
      return on_credential_line(std::move(line));
    case Phase::Chatting:
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
    if (!options_.password) {
      phase_ = Phase::AskingPassword;
      return console_.request_line("Enter password: ", true);
    }
    password_ = *options_.password;
  } else {
    password_ = std::move(*line);
  }
  send_login();
}

// --- commands ---------------------------------------------------------------------------------

void ClientApp::on_command_line(std::string_view line) { run_line(line, parse_command); }

// A line held across a reconnect: names resolve against the new presence list, ids are refused.
void ClientApp::on_held_line(std::string_view line) { run_line(line, parse_held_command); }

void ClientApp::run_line(std::string_view line, const LineParser& parse) {
  auto resolve = [this](std::string_view name) { return chat_.session().find_user_id(name); };
  auto command = parse(line, resolve);
  if (!command) {
    console_.print(command.error());
  } else {
    execute(*command, line);
  }
  if (phase_ == Phase::Chatting) console_.request_line(kCommandPrompt, false);
}

void ClientApp::execute(const Command& command, std::string_view line) {
  Result<void> sent;
  if (auto* b = std::get_if<BroadcastCmd>(&command)) {
    sent = chat_.send_broadcast(b->text, line);
  } else if (auto* d = std::get_if<DirectCmd>(&command)) {
    sent = chat_.send_direct(d->target, d->text, line);
  } else if (auto* m = std::get_if<ManyCmd>(&command)) {
    sent = chat_.send_many(m->targets, m->text, line);
  } else if (std::holds_alternative<LogoutCmd>(command)) {
    return begin_logout();
  } else if (std::holds_alternative<WhoCmd>(command)) {
    console_.print(format_who(chat_.session().presence().users(), chat_.session().my_id()));
  } else if (std::holds_alternative<HelpCmd>(command)) {
    for (const auto& l : help_lines()) console_.print(l);
  } else if (std::holds_alternative<RebindCmd>(command)) {
    sent = chat_.rebind();
    if (sent) console_.print(kRebindLine);
  }
  if (!sent) console_.print(format_local_error(sent.error().message));
}

void ClientApp::begin_logout() {
  phase_ = Phase::LoggingOut;
  if (!chat_.logout()) return finish(0);
  // LOGOUT_ACK prints "[Sys] Logout successful" and closes; the close ends the loop.
  loop_.add_timer(loop_.now() + kLogoutTimeout, [this] {
    if (phase_ == Phase::LoggingOut) fatal("[Err] No answer to logout");
  });
}

}  // namespace qc::app
