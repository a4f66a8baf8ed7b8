// The public certificate API (runtime/certificates.hpp): key pairs, zcert files, and the
// certificate-store authenticator's verdicts.
#include <cafmq/cafmq.hpp>

#include "security/curve_keys.hpp"
#include "unit/security/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <string>
#include <thread>

namespace {

using cafmq::test::temp_dir;

// Asks `auth` about a CURVE client with `client_public` (ZAP carries the key's 32 raw bytes).
cafmq::auth_reply ask(cafmq::authenticator& auth, const std::string& client_public) {
  auto bytes = cafmq::security::curve_key::from_z85(client_public).bytes();
  cafmq::auth_request request;
  request.address = "127.0.0.1";
  request.mechanism = "CURVE";
  request.credentials.emplace_back(bytes.begin(), bytes.end());
  cafmq::auth_reply verdict;
  auth.authenticate(request, [&](const cafmq::auth_reply& r) { verdict = r; });
  return verdict;
}

TEST(Certificates, NewPairsAreDistinctZ85Keys) {
  auto a = cafmq::new_curve_certificate();
  auto b = cafmq::new_curve_certificate();
  EXPECT_EQ(a.public_key.size(), 40u);
  EXPECT_EQ(a.secret_key.size(), 40u);
  EXPECT_NE(a.public_key, b.public_key);
  EXPECT_NE(a.secret_key, b.secret_key);
}

TEST(Certificates, SaveAndLoadRoundTrip) {
  temp_dir dir;
  auto cert = cafmq::new_curve_certificate();
  auto path = dir.file("server.cert");
  cafmq::save_certificate(cert, path);

  auto secret = cafmq::load_certificate(path + "_secret");
  EXPECT_EQ(secret.public_key, cert.public_key);
  EXPECT_EQ(secret.secret_key, cert.secret_key);
  auto pub = cafmq::load_certificate(path);
  EXPECT_EQ(pub.public_key, cert.public_key);
  EXPECT_TRUE(pub.secret_key.empty());

  struct stat st {};
  ASSERT_EQ(::stat((path + "_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(Certificates, PublicOnlyCertificateWritesOneFile) {
  temp_dir dir;
  auto cert = cafmq::new_curve_certificate();
  cert.secret_key.clear();
  auto path = dir.file("client.cert");
  cafmq::save_certificate(cert, path);
  EXPECT_EQ(cafmq::load_certificate(path).public_key, cert.public_key);
  struct stat st {};
  EXPECT_NE(::stat((path + "_secret").c_str(), &st), 0);
}

TEST(Certificates, BadKeysAndFilesAreRefused) {
  temp_dir dir;
  auto a = cafmq::new_curve_certificate();
  auto b = cafmq::new_curve_certificate();
  try {
    cafmq::save_certificate({a.public_key, b.secret_key}, dir.file("mixed"));
    FAIL() << "a secret key of another pair was saved";
  } catch (const cafmq::error& e) {
    EXPECT_EQ(e.code(), cafmq::errc::invalid_argument);
    EXPECT_NE(std::string{e.what()}.find("does not belong"), std::string::npos) << e.what();
  }
  EXPECT_THROW(cafmq::save_certificate({"not a key", ""}, dir.file("bad")), cafmq::error);
  EXPECT_THROW(cafmq::load_certificate(dir.file("missing")), cafmq::error);
  auto garbage = dir.write("garbage", "curve\n    public-key = \"short\"\n");
  EXPECT_THROW(cafmq::load_certificate(garbage), cafmq::error);
}

TEST(Certificates, StoreAuthenticatorAllowsOnlyKeysInTheDirectory) {
  temp_dir dir;
  auto known = cafmq::new_curve_certificate();
  auto unknown = cafmq::new_curve_certificate();
  cafmq::save_certificate(known, dir.file("known.cert"));  // its _secret file is ignored
  auto auth = cafmq::certificate_store_authenticator(dir.path().string());

  auto allowed = ask(*auth, known.public_key);
  EXPECT_EQ(allowed.status_code, 200) << allowed.status_text;
  EXPECT_EQ(allowed.user_id, known.public_key);
  EXPECT_EQ(ask(*auth, unknown.public_key).status_code, 400);
}

TEST(Certificates, StoreAuthenticatorAdmitsACertificateAddedLater) {
  temp_dir dir;
  auto later = cafmq::new_curve_certificate();
  auto auth = cafmq::certificate_store_authenticator(dir.path().string());
  EXPECT_EQ(ask(*auth, later.public_key).status_code, 400);

  cafmq::save_certificate({later.public_key, ""}, dir.file("later.cert"));
  // The directory is looked at again at most once a second: ask until it was, or 5 s passed.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{5};
  int status = 0;
  while ((status = ask(*auth, later.public_key).status_code) != 200 &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds{20});
  EXPECT_EQ(status, 200);
}

TEST(Certificates, StoreAuthenticatorNeedsADirectory) {
  temp_dir dir;
  EXPECT_THROW(cafmq::certificate_store_authenticator(dir.file("absent")), cafmq::error);
}

} // namespace
