// quicchat user: account administration on the database (an SQLite file or a PostgreSQL URL), or
// for add, passwd and del through a running server's admin socket (--admin-socket), which changes
// its own database and ends the account's sessions.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "auth/password.h"
#include "auth/worker_pool.h"
#include "ops/admin_protocol.h"
#include "quicchat/common/admin_client.h"
#include "quicchat/common/commands.h"
#include "quicchat/common/options.h"
#include "quicchat/user/password_input.h"
#include "quicchat/user/user_import.h"
#include "store/open_store.h"

namespace qc::app {
namespace {

struct UserContext {
  std::string db;
  std::string admin_socket;
  int cost = auth::kDefaultCost;
  bool password_stdin = false;
  bool ids = false;
};

using Operands = std::span<const std::string>;

int report(const std::string& message) {
  std::fprintf(stderr, "quicchat user: %s\n", message.c_str());
  return 1;
}

int report(const Error& e) { return report(e.message); }

int usage_error(const std::string& message) {
  report(message);
  return 2;
}

// A database that a running server uses has its -wal file: changed directly, the server's
// sessions know nothing of it.
void warn_if_in_use(const UserContext& ctx) {
  if (store::is_postgres_url(ctx.db)) return;  // shared by design
  std::error_code ec;
  if (!std::filesystem::exists(ctx.db + "-wal", ec)) return;
  std::fprintf(stderr,
               "quicchat user: warning: %s-wal exists: a server may be using this database. This "
               "change goes to the file directly; sessions already logged in stay until they log "
               "out. Give --admin-socket PATH to make it through the server.\n",
               ctx.db.c_str());
}

// For a file, `create` also makes the parent directory; otherwise a missing database is an
// error. A PostgreSQL database must exist; its tables are made when missing.
Result<std::unique_ptr<store::AccountStore>> open_store(const UserContext& ctx, bool create) {
  const std::filesystem::path parent = std::filesystem::path(ctx.db).parent_path();
  if (create && !parent.empty() && !store::is_postgres_url(ctx.db)) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return fail("io", "cannot create " + parent.string() + ": " + ec.message());
  }
  store::SqliteOptions opts;
  opts.create_if_missing = create;
  auto db = store::open_account_store(ctx.db, opts);
  if (!db) return db;
  // The tool still works on such a database, so that `rename` can repair it.
  if (auto healthy = store::check_no_case_conflicts(**db); !healthy) {
    std::fprintf(stderr, "quicchat user: warning: %s\n", healthy.error().message.c_str());
  }
  return db;
}

Result<std::string> new_password_hash(const UserContext& ctx) {
  auto password = read_new_password(ctx.password_stdin);
  if (!password) return password;
  if (password->size() > 72) {
    std::fprintf(stderr, "note: bcrypt uses only the first 72 bytes of a password\n");
  }
  return auth::hash_password(*password, ctx.cost);
}

Unexpected<Error> invalid_username(const std::string& name) {
  return fail("invalid_username",
              "invalid username '" + name + "' (" + std::string(kUsernameRule) + ")");
}

enum class Expect { Absent, Present };

// Checks the name, opens the database (creating it for a new account) and checks that the
// account is absent or present as `expect` says, before any password is asked for.
Result<std::unique_ptr<store::AccountStore>> open_for_account(const UserContext& ctx,
                                                              const std::string& name,
                                                              Expect expect) {
  if (!store::valid_username(name)) return invalid_username(name);
  auto db = open_store(ctx, expect == Expect::Absent);
  if (!db) return db;
  auto expected = store::expect_account(**db, name, expect == Expect::Present);
  if (!expected) return Unexpected<Error>{expected.error()};
  return db;
}

// The server waits for its hashing pool; its admin connections end after a minute.
constexpr std::chrono::seconds kServerReplyTimeout{60};

// Through the running server (--admin-socket): it checks, hashes and writes on its own database,
// and passwd and del end the account's sessions. The password is read here, without echo.
int through_server(const UserContext& ctx, ops::AccountRequest::Op op, const std::string& name) {
  if (!store::valid_username(name)) return report(invalid_username(name).error);
  ops::AccountRequest request{op, name, ""};
  if (op != ops::AccountRequest::Op::Del) {
    // The name first: a taken (add) or unknown (passwd) name is said before the password is typed.
    auto checked =
        ask_admin(ctx.admin_socket, ops::AccountRequest{op, name, "", true}, kServerReplyTimeout);
    if (!checked) return report(checked.error().message + " (nothing changed)");
    if (!checked->ok) return report(checked->error);
    auto password = read_new_password(ctx.password_stdin);
    if (!password) return report(password.error());
    if (password->size() > ops::kMaxAdminPasswordBytes) {
      return report("password over " + std::to_string(ops::kMaxAdminPasswordBytes) + " bytes");
    }
    if (password->size() > 72) {
      std::fprintf(stderr, "note: bcrypt uses only the first 72 bytes of a password\n");
    }
    request.password = std::move(*password);
  }
  auto reply = ask_admin(ctx.admin_socket, request, kServerReplyTimeout);
  if (!reply) return report(reply.error().message + " (nothing changed)");
  if (!reply->ok) return report(reply->error);
  std::printf("%s\n", reply->text.c_str());
  return 0;
}

// add (the account must be absent) and passwd (it must be present).
int store_new_password(const UserContext& ctx, const std::string& name, Expect expect) {
  warn_if_in_use(ctx);
  auto db = open_for_account(ctx, name, expect);
  if (!db) return report(db.error());
  auto hash = new_password_hash(ctx);
  if (!hash) return report(hash.error());
  const bool adding = expect == Expect::Absent;
  auto r = adding ? (*db)->add(name, *hash) : (*db)->set_hash(name, *hash);
  if (!r) return report(r.error());
  const std::string done =
      adding ? "added user '" + name + "'\n" : "changed the password of '" + name + "'\n";
  std::fputs(done.c_str(), stdout);
  return 0;
}

int run_add(const UserContext& ctx, Operands operands) {
  if (!ctx.admin_socket.empty())
    return through_server(ctx, ops::AccountRequest::Op::Add, operands[0]);
  return store_new_password(ctx, operands[0], Expect::Absent);
}

int run_passwd(const UserContext& ctx, Operands operands) {
  if (!ctx.admin_socket.empty()) {
    return through_server(ctx, ops::AccountRequest::Op::Passwd, operands[0]);
  }
  return store_new_password(ctx, operands[0], Expect::Present);
}

int run_del(const UserContext& ctx, Operands operands) {
  const std::string& name = operands[0];
  if (!ctx.admin_socket.empty()) return through_server(ctx, ops::AccountRequest::Op::Del, name);
  if (!store::valid_username(name)) return report(invalid_username(name).error);
  warn_if_in_use(ctx);
  auto db = open_store(ctx, false);
  if (!db) return report(db.error());
  if (auto r = (*db)->remove(name); !r) return report(r.error());
  std::printf("deleted user '%s'\n", name.c_str());
  return 0;
}

int run_list(const UserContext& ctx, Operands) {
  auto db = open_store(ctx, false);
  if (!db) return report(db.error());
  auto accounts = (*db)->list_accounts();
  if (!accounts) return report(accounts.error());
  for (const auto& a : *accounts) {
    if (ctx.ids) std::printf("%llu ", static_cast<unsigned long long>(a.id));
    std::printf("%s\n", a.name.c_str());
  }
  return 0;
}

// Keeps the account's id and password; a change of case only is allowed.
int run_rename(const UserContext& ctx, Operands operands) {
  const std::string& old_name = operands[0];
  const std::string& new_name = operands[1];
  for (const auto& name : {old_name, new_name}) {
    if (!store::valid_username(name)) return report(invalid_username(name).error);
  }
  warn_if_in_use(ctx);
  auto db = open_store(ctx, false);
  if (!db) return report(db.error());
  if (auto r = (*db)->rename(old_name, new_name); !r) return report(r.error());
  std::printf("renamed user '%s' to '%s'\n", old_name.c_str(), new_name.c_str());
  return 0;
}

// Hashes the plaintext entries on every core; the pool's destructor waits for them all.
std::vector<store::NewAccount> hash_entries(const std::vector<ImportEntry>& entries, int cost,
                                            std::string& error) {
  std::vector<store::NewAccount> accounts(entries.size());
  std::vector<std::string> errors(entries.size());
  {
    auth::WorkerPool pool(std::thread::hardware_concurrency());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      accounts[i].username = entries[i].username;
      if (entries[i].is_hash) {
        accounts[i].hash = entries[i].secret;
        continue;
      }
      pool.submit([&, i] {
        auto h = auth::hash_password(entries[i].secret, cost);
        if (h) {
          accounts[i].hash = std::move(h.value());
        } else {
          errors[i] = h.error().message;
        }
      });
    }
  }
  for (const auto& e : errors) {
    if (!e.empty() && error.empty()) error = e;
  }
  return accounts;
}

// Every problem is printed as FILE:LINE: message; any problem means nothing is imported.
int run_import(const UserContext& ctx, Operands operands) {
  const std::string& file = operands[0];
  std::ifstream in(file, std::ios::binary);
  if (!in) return report("cannot read " + file);
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  ImportPlan plan = parse_import(text);
  warn_if_in_use(ctx);
  auto db = open_store(ctx, true);
  if (!db) return report(db.error());
  for (const auto& e : plan.entries) {
    auto existing = (*db)->find_account(e.username);
    if (!existing) return report(existing.error());
    if (existing->has_value()) {
      plan.problems.push_back({e.line, store::already_exists(e.username, (*existing)->name)});
    }
  }
  for (const auto& p : plan.problems) {
    std::fprintf(stderr, "%s:%d: %s\n", file.c_str(), p.line, p.message.c_str());
  }
  if (!plan.problems.empty()) return report("nothing imported from " + file);
  std::string error;
  auto accounts = hash_entries(plan.entries, ctx.cost, error);
  if (!error.empty()) return report(error);
  if (auto r = (*db)->add_many(accounts); !r) return report(r.error());
  std::printf("imported %zu user%s from %s\n", accounts.size(), accounts.size() == 1 ? "" : "s",
              file.c_str());
  return 0;
}

// The seed's three users, created only with a brand-new database (for PostgreSQL: one without
// accounts): never touches an existing one.
int run_demo(const UserContext& ctx, Operands) {
  std::error_code ec;
  if (!store::is_postgres_url(ctx.db) &&
      std::filesystem::exists(std::filesystem::symlink_status(ctx.db, ec)))
    return 0;
  const std::pair<const char*, const char*> demo[] = {
      {"alice", "p1"}, {"bob", "p2"}, {"cam", "p3"}};
  std::vector<store::NewAccount> accounts;
  for (const auto& [name, password] : demo) {
    auto hash = auth::hash_password(password, ctx.cost);
    if (!hash) return report(hash.error());
    accounts.push_back({name, std::move(hash.value())});
  }
  auto db = open_store(ctx, true);
  if (!db) return report(db.error());
  if (auto existing = (*db)->list(); !existing || !existing->empty()) {
    return existing ? 0 : report(existing.error());
  }
  if (auto r = (*db)->add_many(accounts); !r) return report(r.error());
  std::printf("created %s with demo users alice/p1, bob/p2, cam/p3\n",
              store::shown_db(ctx.db).c_str());
  return 0;
}

struct Subcommand {
  const char* name;
  std::size_t operands;
  int (*run)(const UserContext&, Operands);
  const char* help;
  bool through_server = false;  // takes --admin-socket
};

constexpr Subcommand kSubcommands[] = {
    {"add", 1, run_add, "add NAME       create an account (asks for the password)", true},
    {"passwd", 1, run_passwd, "passwd NAME    change an account's password", true},
    {"del", 1, run_del, "del NAME       delete an account", true},
    {"rename", 2, run_rename,
     "rename OLD NEW change an account's name (or only its case), keeping its id and\n"
     "                 password"},
    {"list", 0, run_list,
     "list           print every account name, sorted ignoring case (--ids: ID NAME)"},
    {"import", 1, run_import,
     "import FILE    add accounts from lines NAME:PASSWORD or NAME:$2b$HASH\n"
     "                 (# comments and blank lines skipped; all or nothing)"},
    {"demo", 0, run_demo,
     "demo           create the database with alice/p1, bob/p2, cam/p3 when it does\n"
     "                 not exist yet; otherwise do nothing"},
};

static_assert(auth::kDefaultCost == 12, "the --cost row below says 12");
constexpr Option<UserContext> kUserOptions[] = {
    {{.name = "db",
      .default_value = "data/quicchat.db",
      .help = "account database: an SQLite file (its directory is created) or a "
              "postgresql:// URL"},
     [](const OptionValue& v, UserContext& ctx) -> Result<void> {
       ctx.db = v.text;
       return {};
     }},
    {{.name = "admin-socket",
      .help = "add, passwd, del: through this running server's admin socket (see below)"},
     [](const OptionValue& v, UserContext& ctx) -> Result<void> {
       ctx.admin_socket = v.text;
       return {};
     }},
    {{.name = "cost",
      .default_value = "12",
      .help = "bcrypt cost",
      .kind = Kind::Int,
      .min = auth::kMinCost,
      .max = auth::kMaxCost},
     [](const OptionValue& v, UserContext& ctx) -> Result<void> {
       ctx.cost = static_cast<int>(v.number);
       return {};
     }},
    {{.name = "password-stdin",
      .help = "read the password from one line of stdin",
      .kind = Kind::Switch},
     [](const OptionValue& v, UserContext& ctx) -> Result<void> {
       ctx.password_stdin = v.on;
       return {};
     }},
    {{.name = "ids",
      .help = "list: print each account's immutable id before its name",
      .kind = Kind::Switch},
     [](const OptionValue& v, UserContext& ctx) -> Result<void> {
       ctx.ids = v.on;
       return {};
     }},
};

std::string usage_text() {
  std::string out = "usage: quicchat user SUBCOMMAND [options]\n\nSubcommands:\n";
  for (const auto& s : kSubcommands) out += std::string("  ") + s.help + "\n";
  out +=
      "\nPasswords come from a no-echo prompt on a terminal, or from one line of stdin with\n"
      "--password-stdin; never from the command line. Names are case-insensitive (alice and\n"
      "Alice are one account); the spelling given at creation or rename is the one shown.\n"
      "\n"
      "While a server runs on the database, give add, passwd and del its admin socket\n"
      "(--admin-socket PATH, as given to quicchat server): the server makes the change on its\n"
      "own database with its bcrypt cost, and passwd and del end the account's sessions on\n"
      "every device at once. The password travels over that socket (mode 0600). Without\n"
      "--admin-socket the database file is changed directly (a warning says so when its -wal\n"
      "file shows a server may be using it): logged-in sessions stay until they log out, and\n"
      "a deleted account or an old password is refused at the next login.";
  return out;
}

}  // namespace

int cmd_user(const Args& args) {
  Flags flags =
      make_flags(usage_text(), option_infos(std::span<const Option<UserContext>>(kUserOptions)));
  if (auto r = flags.parse(args); !r) return usage_error(r.error().message);
  if (flags.help_requested()) {
    std::printf("%s", flags.help_text().c_str());
    return 0;
  }
  UserContext ctx;
  if (auto r = apply_options(std::span<const Option<UserContext>>(kUserOptions), flags, ctx); !r) {
    return usage_error(r.error().message);
  }
  const auto& pos = flags.positional();
  if (pos.empty()) return usage_error("missing subcommand (see quicchat user --help)");
  for (const auto& s : kSubcommands) {
    if (pos[0] != s.name) continue;
    if (!ctx.admin_socket.empty() && !s.through_server) {
      return usage_error(std::string(s.name) +
                         " works on the database only: leave out --admin-socket (see --help)");
    }
    if (pos.size() != s.operands + 1) {
      const char* expected[] = {"no argument", "one argument", "two arguments"};
      return usage_error(std::string(s.name) + ": expected " + expected[s.operands] +
                         " (see --help)");
    }
    return s.run(ctx, Operands(pos).subspan(1));
  }
  return usage_error("unknown subcommand '" + pos[0] + "' (see quicchat user --help)");
}

}  // namespace qc::app
