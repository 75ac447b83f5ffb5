// ngtcp2 callbacks: C trampolines forwarding to Connection members, and those members.
#include <gnutls/crypto.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "quic/cid.h"
#include "quic/connection.h"
#include "quic/connection_internal.h"
#include "util/log.h"

namespace qc::quic {
namespace detail {
namespace {

Connection* self(void* user_data) { return static_cast<Connection*>(user_data); }

int handshake_completed_cb(ngtcp2_conn*, void* ud) { return self(ud)->on_handshake_completed(); }

int stream_open_cb(ngtcp2_conn*, std::int64_t stream_id, void* ud) {
  return self(ud)->on_stream_open(stream_id);
}

int recv_stream_data_cb(ngtcp2_conn*, std::uint32_t flags, std::int64_t stream_id,
                        std::uint64_t /*offset*/, const std::uint8_t* data, std::size_t len,
                        void* ud, void* /*stream_ud*/) {
  const bool fin = (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0;
  return self(ud)->on_stream_data(stream_id, data, len, fin);
}

int acked_cb(ngtcp2_conn*, std::int64_t stream_id, std::uint64_t offset, std::uint64_t len,
             void* ud, void* /*stream_ud*/) {
  return self(ud)->on_acked(stream_id, offset, len);
}

int new_cid_cb(ngtcp2_conn*, ngtcp2_cid* cid, std::uint8_t* token, std::size_t cidlen, void* ud) {
  return self(ud)->on_new_cid(cid, token, cidlen);
}

int remove_cid_cb(ngtcp2_conn*, const ngtcp2_cid* cid, void* ud) {
  return self(ud)->on_remove_cid(cid);
}

// A server drops its GnuTLS session once the handshake is done (Connection::release_tls). In
// QUIC a client sends no TLS message after its Finished (RFC 9001 6: a KeyUpdate is an
// unexpected_message), so CRYPTO data after that is refused as TLS itself would refuse it.
int recv_crypto_data_cb(ngtcp2_conn* conn, ngtcp2_crypto_level level, std::uint64_t offset,
                        const std::uint8_t* data, std::size_t len, void* ud) {
  if (ngtcp2_conn_get_tls_native_handle(conn) == nullptr) {
    ngtcp2_conn_set_tls_alert(conn, GNUTLS_A_UNEXPECTED_MESSAGE);
    return NGTCP2_ERR_CRYPTO;
  }
  return ngtcp2_crypto_recv_crypto_data_cb(conn, level, offset, data, len, ud);
}

void rand_cb(std::uint8_t* dest, std::size_t len, const ngtcp2_rand_ctx*) {
  gnutls_rnd(GNUTLS_RND_RANDOM, dest, len);
}

int path_validation_cb(ngtcp2_conn*, std::uint32_t /*flags*/, const ngtcp2_path* path,
                       ngtcp2_path_validation_result res, void* ud) {
  return self(ud)->on_path_validated(path, res == NGTCP2_PATH_VALIDATION_RESULT_SUCCESS);
}

int stateless_reset_cb(ngtcp2_conn*, const ngtcp2_pkt_stateless_reset*, void* ud) {
  self(ud)->on_stateless_reset();
  return 0;
}

ngtcp2_callbacks common_callbacks() {
  ngtcp2_callbacks cb{};
  cb.recv_crypto_data = recv_crypto_data_cb;
  cb.encrypt = ngtcp2_crypto_encrypt_cb;
  cb.decrypt = ngtcp2_crypto_decrypt_cb;
  cb.hp_mask = ngtcp2_crypto_hp_mask_cb;
  cb.update_key = ngtcp2_crypto_update_key_cb;
  cb.delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
  cb.delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
  cb.get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
  cb.version_negotiation = ngtcp2_crypto_version_negotiation_cb;
  cb.handshake_completed = handshake_completed_cb;
  cb.recv_stream_data = recv_stream_data_cb;
  cb.acked_stream_data_offset = acked_cb;
  cb.stream_open = stream_open_cb;
  cb.rand = rand_cb;
  cb.get_new_connection_id = new_cid_cb;
  cb.remove_connection_id = remove_cid_cb;
  cb.path_validation = path_validation_cb;
  cb.recv_stateless_reset = stateless_reset_cb;
  return cb;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

const ngtcp2_callbacks& server_callbacks() {
  static const ngtcp2_callbacks cbs = [] {
    ngtcp2_callbacks cb = common_callbacks();
    cb.recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    return cb;
  }();
  return cbs;
}

const ngtcp2_callbacks& client_callbacks() {
  static const ngtcp2_callbacks cbs = [] {
    ngtcp2_callbacks cb = common_callbacks();
    cb.client_initial = ngtcp2_crypto_client_initial_cb;
    cb.recv_retry = ngtcp2_crypto_recv_retry_cb;
    return cb;
  }();
  return cbs;
}

ngtcp2_conn* get_conn(ngtcp2_crypto_conn_ref* ref) {
  return static_cast<Connection*>(ref->user_data)->native();
}

void qlog_write_cb(void* ud, std::uint32_t flags, const void* data, std::size_t len) {
  self(ud)->qlog_write(data, len, (flags & NGTCP2_QLOG_WRITE_FLAG_FIN) != 0);
}

CloseInfo classify_peer_close(const ngtcp2_connection_close_error& ccerr, const std::string& reason,
                              bool handshake_done) {
  switch (ccerr.type) {
    case NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION:
      return {CloseKind::Peer, ccerr.error_code, reason};
    case NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_TRANSPORT_IDLE_CLOSE:
      return {CloseKind::IdleTimeout, 0, "idle timeout"};
    default:
      break;
  }
  bool tls_alert = (ccerr.error_code & ~std::uint64_t{0xff}) == NGTCP2_CRYPTO_ERROR;
  if (!handshake_done && tls_alert) {
    std::string text = "handshake refused by peer: " + tls::alert_name(ccerr.error_code & 0xff);
    if (!reason.empty()) text += " (" + reason + ")";
    return {CloseKind::HandshakeFailed, 0, text};
  }
  // A server refusing a connection before the handshake (limits) can only send a transport
  // CONNECTION_CLOSE in an Initial packet; its code is the application's code.
  if (!handshake_done || ccerr.error_code == NGTCP2_NO_ERROR)
    return {CloseKind::Peer, ccerr.error_code, reason};
  return {CloseKind::Error, 0,
          "peer closed with transport error " + hex(ccerr.error_code) + ": " + reason};
}

}  // namespace detail

int Connection::on_handshake_completed() {
  peer_.alpn = tls_->alpn();
  one_pdu_per_packet_ =
      std::find(one_pdu_per_packet_alpns_.begin(), one_pdu_per_packet_alpns_.end(), peer_.alpn) !=
      one_pdu_per_packet_alpns_.end();
  if (one_pdu_per_packet_) peer_.max_pdu_in_one_packet = detail::kMaxPduInOnePacket;
  if (!apply(ConnEvent::HandshakeDone)) return 0;
  owner_.conn_handshake_done(*this);
  if (!is_server_) {
    int rv = ngtcp2_conn_open_bidi_stream(conn_, &stream_id_, nullptr);
    if (rv != 0) {
      log::warn("quic_stream_open_failed", {{"scid", peer_.scid}, {"error", ngtcp2_strerror(rv)}});
      return NGTCP2_ERR_CALLBACK_FAILURE;
    }
  }
  log::info("quic_open", {{"scid", peer_.scid}, {"peer", peer_.address}, {"alpn", peer_.alpn}});
  owner_.handler().on_open(handle_, peer_);
  return 0;
}

int Connection::on_stream_open(std::int64_t stream_id) {
  // The client's first bidirectional stream is the chat stream.
  if (stream_id_ < 0 && ngtcp2_is_bidi_stream(stream_id) &&
      !ngtcp2_conn_is_local_stream(conn_, stream_id)) {
    stream_id_ = stream_id;
    owner_.conn_dirty(*this);  // data queued before the stream existed can go now
  }
  return 0;
}

int Connection::on_stream_data(std::int64_t stream_id, const std::uint8_t* data, std::size_t len,
                               bool fin) {
  if (stream_id == stream_id_ && len > 0 && takes_data(state_)) {
    owner_.handler().on_data(handle_, std::string_view(reinterpret_cast<const char*>(data), len));
  }
  if (stream_id == stream_id_ && fin && takes_data(state_)) owner_.handler().on_stream_end(handle_);
  // What the handler consumed (everything: it buffers partial PDUs itself) reopens the window.
  ngtcp2_conn_extend_max_stream_offset(conn_, stream_id, len);
  ngtcp2_conn_extend_max_offset(conn_, len);
  return 0;
}

int Connection::on_acked(std::int64_t stream_id, std::uint64_t offset, std::uint64_t len) {
  if (stream_id != stream_id_) return 0;
  acked_offset_ = std::max(acked_offset_, offset + len);
  while (!queue_.empty() && queue_.front().end() <= acked_offset_) {
    queue_.pop_front();
    if (send_index_ > 0) --send_index_;
  }
  // A queued close waits for this: the flush after the read sends it.
  if (!takes_data(state_) && is_live(state_) && queue_acked()) owner_.conn_dirty(*this);
  return 0;
}

int Connection::on_new_cid(ngtcp2_cid* cid, std::uint8_t* token, std::size_t cidlen) {
  owner_.conn_new_cid(*cid, cidlen);
  owner_.conn_reset_token(*cid, token);
  owner_.conn_add_cid(*this, *cid);
  return 0;
}

int Connection::on_remove_cid(const ngtcp2_cid* cid) {
  owner_.conn_remove_cid(*this, *cid);
  return 0;
}

int Connection::on_path_validated(const ngtcp2_path* path, bool success) {
  if (!success || !is_server_) return 0;
  SockAddr remote = SockAddr::from(path->remote.addr, path->remote.addrlen);
  if (remote == remote_) return 0;
  remote_ = remote;
  peer_.address = remote.to_string();
  log::info("quic_path_changed", {{"scid", peer_.scid}, {"peer", peer_.address}});
  if (has_opened(state_)) owner_.handler().on_path_changed(handle_, peer_);
  return 0;
}

void Connection::qlog_write(const void* data, std::size_t len, bool fin) {
  if (qlog_ == nullptr) return;
  std::fwrite(data, 1, len, qlog_);
  if (fin) {
    std::fclose(qlog_);
    qlog_ = nullptr;
  }
}

}  // namespace qc::quic
