// IRC over TLS (ngIRCd): NICK/USER (registered on 001), JOIN #pbfan (subscribed on 366, the end
// of the names list), PRIVMSG to a nick or the channel. The sender sends OPER and MODE +F: ngIRCd
// handles at most 3 commands per client per main-loop pass, 10 with user mode +F.
#pragma once

#include "bench/peers/irc_lines.h"
#include "bench/peers/peer_client.h"

namespace qc::peers {

class IrcClient final : public PeerClient {
 public:
  IrcClient(EventLoop& loop, const TlsClientConfig& tls, const PeerSettings& settings,
            std::string name);

  void subscribe(Audience audience) override;
  void become_sender() override;
  void publish(Audience audience, const std::string& user, std::string_view payload) override;

  void on_plaintext_line(std::string_view) override {}
  void on_open() override;
  void on_bytes(std::string_view bytes, std::int64_t received_ns) override;

 private:
  void on_line(const IrcLine& line, std::int64_t received_ns);
  void check_sender_ready();

  IrcLineReader reader_;
  bool sender_asked_ = false;
  bool wants_mode_f_ = false;
  bool oper_ = false;
  bool mode_f_ = false;
};

inline constexpr std::string_view kIrcFanoutChannel = "#pbfan";

}  // namespace qc::peers
