// access_rules: CZMQ zauth's decisions (addresses, PLAIN password file, CURVE allow list and
// certificate directory), reloads when files change, detected by stamp at most once per interval
// of an injected clock (deterministic: no sleeps), and 500 for files that cannot be read.
#include "temp_dir.hpp"

#include "runtime/core/error.hpp"
#include "security/access_rules.hpp"
#include "security/password_file.hpp"
#include "security/rules_authenticator.hpp"
#include "security/zcert.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace cafmq::security {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const std::string client_public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const std::string server_public = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

std::string raw(const std::string& z85) {
  auto k = curve_key::from_z85(z85).bytes();
  return std::string(k.begin(), k.end());
}

auth_request request(std::string mechanism, std::vector<std::string> credentials = {},
                     std::string address = "10.0.0.1") {
  auth_request r;
  r.domain = "global";
  r.address = std::move(address);
  r.mechanism = std::move(mechanism);
  r.credentials = std::move(credentials);
  return r;
}

auth_request plain(std::string user, std::string password) {
  return request("PLAIN", {std::move(user), std::move(password)});
}

auth_request curve(const std::string& z85, std::string address = "10.0.0.1") {
  return request("CURVE", {raw(z85)}, std::move(address));
}

/// Rewrites `name` in `dir` and moves its mtime on, so the change shows even within one tick.
void rewrite(const test::temp_dir& dir, const std::string& name, const std::string& text) {
  auto p = dir.write(name, text);
  fs::last_write_time(p, fs::last_write_time(p) + 5s);
}

void save_public_cert(const std::string& path, const std::string& z85) {
  zcert c;
  c.public_key = curve_key::from_z85(z85);
  save_zcert_public(c, path);
}

/// A clock the test moves by hand.
struct manual_clock {
  std::chrono::steady_clock::time_point t{std::chrono::hours(1)};
  access_rules::clock_fn fn() {
    return [this] { return t; };
  }
};

TEST(AccessRules, NullPassesWhilePlainAndCurveAreDeniedUntilConfigured) {
  access_rules rules;
  EXPECT_EQ(rules.decide(request("NULL")).status_code, 200);
  auto p = rules.decide(plain("u", "p"));
  EXPECT_EQ(p.status_code, 400);
  EXPECT_NE(p.status_text.find("no password file"), std::string::npos) << p.status_text;
  auto c = rules.decide(curve(client_public));
  EXPECT_EQ(c.status_code, 400);
  EXPECT_NE(c.status_text.find("not configured"), std::string::npos) << c.status_text;
  EXPECT_EQ(rules.decide(request("GSSAPI")).status_code, 400);
}

TEST(AccessRules, OnceAnAddressIsAllowedOnlyAllowedAddressesPass) {
  access_rules rules;
  rules.allow_address("10.0.0.1");
  EXPECT_EQ(rules.decide(request("NULL", {}, "10.0.0.1")).status_code, 200);
  auto r = rules.decide(request("NULL", {}, "10.0.0.2"));
  EXPECT_EQ(r.status_code, 400);
  EXPECT_NE(r.status_text.find("10.0.0.2 is not in the allowed list"), std::string::npos);
}

TEST(AccessRules, AnAllowedAddressStillNeedsValidCredentials) {
  access_rules rules;
  rules.allow_address("10.0.0.1");
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 400);
}

TEST(AccessRules, ADeniedAddressFailsForEveryMechanismEvenIfAllowed) {
  access_rules rules;
  rules.allow_any_curve_key();
  rules.allow_address("10.0.0.9");
  rules.deny_address("10.0.0.9");
  for (auto& r : {request("NULL", {}, "10.0.0.9"), curve(client_public, "10.0.0.9")}) {
    auto reply = rules.decide(r);
    EXPECT_EQ(reply.status_code, 400);
    EXPECT_NE(reply.status_text.find("denied"), std::string::npos) << reply.status_text;
  }
  EXPECT_EQ(rules.decide(curve(client_public, "10.0.0.8")).status_code, 400);  // not allowed
}

TEST(AccessRules, PlainChecksUserAndPasswordFromTheFileAndReportsTheUserId) {
  test::temp_dir dir;
  access_rules rules;
  rules.set_password_file(dir.write("passwords", "# users\n\nadmin=s3cret\nbob= a=b \r\n"));
  auto ok = rules.decide(plain("admin", "s3cret"));
  EXPECT_EQ(ok.status_code, 200);
  EXPECT_EQ(ok.user_id, "admin");
  EXPECT_EQ(rules.decide(plain("bob", " a=b ")).status_code, 200);
  auto wrong = rules.decide(plain("admin", "s3cre"));
  EXPECT_EQ(wrong.status_code, 400);
  EXPECT_EQ(wrong.user_id, "");
  EXPECT_NE(wrong.status_text.find("wrong password"), std::string::npos);
  EXPECT_NE(rules.decide(plain("eve", "x")).status_text.find("unknown user"), std::string::npos);
  EXPECT_EQ(rules.decide(request("PLAIN", {"admin"})).status_code, 400);
}

TEST(AccessRules, SettingAnUnreadableOrMalformedPasswordFileThrows) {
  test::temp_dir dir;
  access_rules rules;
  EXPECT_THROW(rules.set_password_file(dir.file("absent")), error);
  EXPECT_THROW(rules.set_password_file(dir.write("bad", "admin\n")), error);
  EXPECT_THROW(rules.set_password_file(dir.write("bad2", "=pw\n")), error);
}

TEST(AccessRules, PasswordFileChangesAreSeenOnTheNextRequestWithAZeroInterval) {
  test::temp_dir dir;
  access_rules rules;
  rules.set_reload_interval(0ms);
  rules.set_password_file(dir.write("passwords", "admin=old\n"));
  EXPECT_EQ(rules.decide(plain("admin", "old")).status_code, 200);
  rewrite(dir, "passwords", "admin=new\n");
  EXPECT_EQ(rules.decide(plain("admin", "new")).status_code, 200);
  EXPECT_EQ(rules.decide(plain("admin", "old")).status_code, 400);
}

TEST(AccessRules, FilesAreCheckedAtMostOncePerReloadInterval) {
  test::temp_dir dir;
  manual_clock clock;
  access_rules rules{clock.fn()};
  rules.set_password_file(dir.write("passwords", "admin=old\n"));
  rewrite(dir, "passwords", "admin=new\n");
  clock.t += 999ms;
  EXPECT_EQ(rules.decide(plain("admin", "old")).status_code, 200);  // not looked at yet
  clock.t += 1ms;
  EXPECT_EQ(rules.decide(plain("admin", "new")).status_code, 200);
  EXPECT_EQ(rules.decide(plain("admin", "old")).status_code, 400);
}

TEST(AccessRules, AVanishedOrBrokenPasswordFileGives500UntilItIsBack) {
  test::temp_dir dir;
  access_rules rules;
  rules.set_reload_interval(0ms);
  auto path = dir.write("passwords", "admin=pw\n");
  rules.set_password_file(path);
  fs::remove(path);
  auto gone = rules.decide(plain("admin", "pw"));
  EXPECT_EQ(gone.status_code, 500);
  EXPECT_NE(gone.status_text.find("password file"), std::string::npos) << gone.status_text;
  rewrite(dir, "passwords", "admin=pw\nno equals sign\n");
  auto broken = rules.decide(plain("admin", "pw"));
  EXPECT_EQ(broken.status_code, 500);
  EXPECT_NE(broken.status_text.find(":2:"), std::string::npos) << broken.status_text;
  rewrite(dir, "passwords", "admin=pw\n");
  EXPECT_EQ(rules.decide(plain("admin", "pw")).status_code, 200);
}

TEST(AccessRules, CurveAllowAnyAcceptsEveryKeyWithTheZ85KeyAsUserId) {
  access_rules rules;
  rules.allow_any_curve_key();
  auto r = rules.decide(curve(client_public));
  EXPECT_EQ(r.status_code, 200);
  EXPECT_EQ(r.user_id, client_public);
  rules.allow_any_curve_key(false);
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 400);
}

TEST(AccessRules, CurveAllowListAcceptsOnlyListedKeys) {
  access_rules rules;
  rules.allow_curve_key(client_public);
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 200);
  auto other = rules.decide(curve(server_public));
  EXPECT_EQ(other.status_code, 400);
  EXPECT_NE(other.status_text.find(server_public + " is not allowed"), std::string::npos);
  EXPECT_EQ(rules.decide(request("CURVE", {"short"})).status_code, 400);
  EXPECT_THROW(rules.allow_curve_key("not a key"), error);
}

TEST(AccessRules, CertificateDirectoryAddsRemovesAndSkipsCertificates) {
  test::temp_dir dir;
  access_rules rules;
  rules.set_reload_interval(0ms);
  save_public_cert(dir.file("client.cert"), client_public);
  dir.write("broken.cert", "curve\n    public-key = \"short\"\n");
  rules.set_certificate_directory(dir.path().string());
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 200);
  EXPECT_EQ(rules.decide(curve(server_public)).status_code, 400);
  ASSERT_EQ(rules.skipped_certificates().size(), 1u);
  EXPECT_NE(rules.skipped_certificates()[0].find("broken.cert"), std::string::npos);

  save_public_cert(dir.file("server.cert"), server_public);
  EXPECT_EQ(rules.decide(curve(server_public)).status_code, 200);
  fs::remove(dir.file("client.cert"));
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 400);
}

TEST(AccessRules, SecretAndHiddenFilesInTheDirectoryAreNotCertificates) {
  test::temp_dir dir;
  zcert c;
  c.public_key = curve_key::from_z85(client_public);
  c.secret_key = curve_key::from_z85("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs");
  save_zcert_secret(c, dir.file("client_secret"));
  save_zcert_public(c, dir.file(".client"));
  access_rules rules;
  rules.set_certificate_directory(dir.path().string());
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 400);
}

TEST(AccessRules, CertificateDirectoryMustExistAndItsLossGives500) {
  test::temp_dir dir;
  access_rules rules;
  rules.set_reload_interval(0ms);
  EXPECT_THROW(rules.set_certificate_directory(dir.file("absent")), error);
  EXPECT_THROW(rules.set_certificate_directory(dir.write("file", "x")), error);
  auto certs = dir.file("certs");
  fs::create_directory(certs);
  rules.set_certificate_directory(certs);
  fs::remove(certs);
  auto r = rules.decide(curve(client_public));
  EXPECT_EQ(r.status_code, 500);
  EXPECT_NE(r.status_text.find("certificate directory"), std::string::npos) << r.status_text;
}

TEST(AccessRules, DecisionsAndChangesFromManyThreadsStayConsistent) {
  access_rules rules;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        if (t == 0 && i == 1000)
          rules.allow_curve_key(client_public);
        if (rules.decide(request("NULL")).status_code != 200)
          ++wrong;
        auto code = rules.decide(curve(client_public)).status_code;
        if (code != 200 && code != 400)
          ++wrong;
      }
    });
  for (auto& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(rules.decide(curve(client_public)).status_code, 200);
}

TEST(RulesAuthenticator, AnswersOnceBeforeReturningWithTheRulesVerdict) {
  auto rules = std::make_shared<access_rules>();
  rules->allow_curve_key(client_public);
  rules_authenticator auth{rules};
  std::vector<auth_reply> replies;
  auth.authenticate(curve(client_public), [&](const auth_reply& r) { replies.push_back(r); });
  auth.authenticate(curve(server_public), [&](const auth_reply& r) { replies.push_back(r); });
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].status_code, 200);
  EXPECT_EQ(replies[0].user_id, client_public);
  EXPECT_EQ(replies[1].status_code, 400);
  EXPECT_THROW(rules_authenticator{nullptr}, error);
}

TEST(PasswordFile, ComparisonIsExactForEqualAndDifferentLengths) {
  EXPECT_TRUE(equal_constant_time("abc", "abc"));
  EXPECT_FALSE(equal_constant_time("abc", "abd"));
  EXPECT_FALSE(equal_constant_time("abc", "abcd"));
  EXPECT_FALSE(equal_constant_time("", "a"));
  EXPECT_TRUE(equal_constant_time("", ""));
  auto t = parse_password_file("  # indented comment\nu=p\nu=q\n", "f");
  EXPECT_EQ(t.at("u"), "q");  // the later line wins
}

} // namespace
} // namespace cafmq::security
