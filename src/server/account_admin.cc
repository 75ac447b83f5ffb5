// Accounts changed by the running server (quicchat user --admin-socket): the database is the
// server's own, so a `quicchat user` run as root never writes its files (nor leaves root-owned
// -wal/-shm files the service cannot open), and the account's sessions end at once.
#include "auth/password.h"
#include "server/chat_server.h"

namespace qc::server {
namespace {

using Op = ops::AccountRequest::Op;

// On a hashing-pool thread. The account is looked up before any hash is made; the stored
// spelling is returned (sessions are ended by it).
Result<std::string> apply_to_store(store::AccountStore& store, const ops::AccountRequest& request,
                                   int cost) {
  auto expected = store::expect_account(store, request.name, request.op != Op::Add);
  if (!expected || request.check_only) return expected;
  const std::string& stored = *expected;
  Result<void> written;
  if (request.op == Op::Del) {
    written = store.remove(stored);
  } else {
    auto hash = auth::hash_password(request.password, cost);
    if (!hash) return Unexpected{hash.error()};
    written = request.op == Op::Add ? store.add(stored, *hash) : store.set_hash(stored, *hash);
  }
  if (!written) return Unexpected{written.error()};
  return stored;
}

}  // namespace

void ChatServer::change_account(ops::AccountRequest request,
                                std::function<void(Result<std::size_t>)> done) {
  hash_pool_->submit([this, request = std::move(request), done = std::move(done),
                      cost = config_.bcrypt_cost, alive = std::weak_ptr<bool>(alive_)] {
    Result<std::string> stored = apply_to_store(store_, request, cost);
    loop_.post([this, alive, op = request.op, ends = ops::ends_sessions(request),
                stored = std::move(stored), done] {
      if (alive.expired() || !*alive.lock()) return;
      if (!stored) {
        done(Unexpected{stored.error()});
        return;
      }
      std::size_t ended = 0;
      if (ends) ended = kick(*stored, op == Op::Del ? "account deleted" : "password changed");
      done(ended);
    });
  });
}

}  // namespace qc::server
