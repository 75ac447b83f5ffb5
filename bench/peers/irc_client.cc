#include "bench/peers/irc_client.h"

namespace qc::peers {

IrcClient::IrcClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
                     std::string name)
    : PeerClient(loop, tls, settings, std::move(name), false) {}

void IrcClient::on_open() {
  queue("NICK " + name_ + "\r\nUSER " + name_ + " 0 * :qc-peerbench\r\n");
  flush();
}

void IrcClient::subscribe(Audience audience) {
  // A nick receives its PRIVMSGs without asking.
  if (audience == Audience::User) {
    subscribed_ = true;
    return;
  }
  queue("JOIN " + std::string(kIrcFanoutChannel) + "\r\n");
  flush();
}

// The sender joins the channel too: ngIRCd's channels refuse messages from outside (+n).
void IrcClient::become_sender() {
  sender_asked_ = true;
  queue("JOIN " + std::string(kIrcFanoutChannel) + "\r\n");
  const auto colon = settings_.irc_oper.find(':');
  if (colon != std::string::npos) {
    wants_mode_f_ = true;
    queue("OPER " + settings_.irc_oper.substr(0, colon) + " " +
          settings_.irc_oper.substr(colon + 1) + "\r\nMODE " + name_ + " +F\r\n");
  }
  flush();
}

void IrcClient::check_sender_ready() {
  sender_ready_ = sender_asked_ && subscribed_ && (mode_f_ || !wants_mode_f_);
}

void IrcClient::publish(Audience audience, const std::string& user, std::string_view payload) {
  std::string line = "PRIVMSG ";
  line += audience == Audience::Fanout ? std::string(kIrcFanoutChannel) : user;
  line += " :";
  line += payload;
  line += "\r\n";
  queue(line);
}

void IrcClient::on_bytes(std::string_view bytes, std::int64_t received_ns) {
  note_received(received_ns);
  reader_.feed(bytes);
  while (auto text = reader_.next_line()) {
    if (auto line = parse_irc_line(*text)) on_line(*line, received_ns);
    if (closed()) return;
  }
  if (reader_.overflowed()) return fail("IRC: a line over the limit");
  flush();  // PONGs
}

void IrcClient::on_line(const IrcLine& line, std::int64_t received_ns) {
  const std::string_view cmd = line.command;
  if (cmd == "PRIVMSG") {
    if (on_payload) on_payload(line.trailing, received_ns);
  } else if (cmd == "PING") {
    queue("PONG :" + std::string(line.has_trailing ? line.trailing : line.middle) + "\r\n");
  } else if (cmd == "001") {
    registered_ = true;
  } else if (cmd == "366") {
    subscribed_ = true;
    check_sender_ready();
  } else if (cmd == "381") {
    oper_ = true;
  } else if (cmd == "MODE" && oper_) {
    const std::string_view modes = line.has_trailing ? line.trailing : line.middle;
    mode_f_ = mode_f_ || modes.find('F') != std::string_view::npos;
    check_sender_ready();
  } else if (cmd == "ERROR" || cmd == "432" || cmd == "433" || cmd == "464" || cmd == "481" ||
             cmd == "491" || cmd == "404" || cmd == "471" || cmd == "473" || cmd == "474") {
    fail("IRC: " + std::string(cmd) + " " + std::string(line.middle) + " :" +
         std::string(line.trailing));
  }
}

}  // namespace qc::peers
