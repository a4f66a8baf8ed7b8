// zcert certificate files (CZMQ's format, ZPL RFC 4): the exact text cafmq writes, reading files
// written by CZMQ and pyzmq, files on disk with the secret's mode, and every malformed input
// rejected with the line that is wrong.
#include "temp_dir.hpp"

#include "runtime/core/error.hpp"
#include "security/zcert.hpp"
#include "security/zpl.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace cafmq::security {
namespace {

// The libzmq test key pair of the client (protocol-reference §2.3).
const std::string client_public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const std::string client_secret = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const std::string server_public = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

zcert client_cert() {
  zcert c;
  c.public_key = curve_key::from_z85(client_public);
  c.secret_key = curve_key::from_z85(client_secret);
  c.metadata = {{"name", "client one"}, {"email", "ops@example.com"}};
  return c;
}

/// What `text` fails with (empty if it parses).
std::string error_of(const std::string& text) {
  try {
    parse_zcert(text, "cert");
  } catch (const error& e) {
    return e.what();
  }
  return {};
}

TEST(Zcert, PublicFileHasCzmqsHeaderMetadataAndCurveSections) {
  EXPECT_EQ(zcert_public_text(client_cert(), "2024-05-01 12:00:00"),
            "#   ****  Generated on 2024-05-01 12:00:00 by cafmq  ****\n"
            "#   ZeroMQ CURVE Public Certificate\n"
            "#   Exchange securely, or use a secure mechanism to verify the contents\n"
            "#   of this file after exchange. Store public certificates in your home\n"
            "#   directory, in the .curve subdirectory.\n"
            "\n"
            "metadata\n"
            "    name = \"client one\"\n"
            "    email = \"ops@example.com\"\n"
            "curve\n"
            "    public-key = \"" + client_public + "\"\n");
}

TEST(Zcert, SecretFileAddsTheSecretKeyUnderItsWarningHeader) {
  zcert c = client_cert();
  c.metadata.clear();
  EXPECT_EQ(zcert_secret_text(c, "2024-05-01 12:00:00"),
            "#   ****  Generated on 2024-05-01 12:00:00 by cafmq  ****\n"
            "#   ZeroMQ CURVE **Secret** Certificate\n"
            "#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n"
            "\n"
            "metadata\n"
            "curve\n"
            "    public-key = \"" + client_public + "\"\n"
            "    secret-key = \"" + client_secret + "\"\n");
  c.secret_key.reset();
  EXPECT_THROW(zcert_secret_text(c, "now"), error);
}

TEST(Zcert, ParsesWhatItWritesIncludingQuotesInMetadata) {
  zcert c = client_cert();
  c.metadata.emplace_back("motto", "say \"hi\" #1");
  auto back = parse_zcert(zcert_secret_text(c, "now"));
  EXPECT_EQ(back.public_key, c.public_key);
  ASSERT_TRUE(back.secret_key.has_value());
  EXPECT_EQ(*back.secret_key, *c.secret_key);
  EXPECT_EQ(back.metadata, c.metadata);
  auto pub = parse_zcert(zcert_public_text(c, "now"));
  EXPECT_FALSE(pub.secret_key.has_value());
  EXPECT_EQ(pub.public_key, c.public_key);
}

TEST(Zcert, ReadsAFileAsCzmqWritesItWithCrlfLineEnds) {
  std::string czmq =
    "#   ****  Generated on 2015-06-02 10:17:55 by CZMQ  ****\r\n"
    "#   ZeroMQ CURVE Public Certificate\r\n"
    "\r\n"
    "metadata\r\n"
    "    name = \"server\"\r\n"
    "curve\r\n"
    "    public-key = \"" + server_public + "\"\r\n";
  auto c = parse_zcert(czmq);
  EXPECT_EQ(c.public_key.z85(), server_public);
  EXPECT_EQ(c.metadata, (std::vector<std::pair<std::string, std::string>>{{"name", "server"}}));
}

TEST(Zcert, ReadsPyzmqStyleUnquotedMetadataAndSingleQuotedKeys) {
  std::string py = "metadata\n"
                   "    user = alice   # trailing comment\n"
                   "curve\n"
                   "    public-key = '" + client_public + "'\n"
                   "    secret-key=\"" + client_secret + "\"\n";
  auto c = parse_zcert(py);
  EXPECT_EQ(c.metadata.at(0).second, "alice");
  EXPECT_EQ(c.public_key.z85(), client_public);
  EXPECT_EQ(c.secret_key->z85(), client_secret);
}

TEST(Zcert, MalformedFilesAreRejectedNamingTheLine) {
  const std::string key_line = "    public-key = \"" + client_public + "\"\n";
  struct bad {
    std::string text;
    const char* needle;
  };
  const std::vector<bad> cases{
    {"metadata\n", "no curve/public-key"},
    {"curve\n" + key_line + key_line, "cert:3: a second public-key"},
    {"curve\n\tpublic-key = \"" + client_public + "\"\n", "cert:2: a tab"},
    {"curve\n  public-key = \"" + client_public + "\"\n", "not a multiple of 4"},
    {"curve\n        public-key = \"x\"\n", "more than one level"},
    {"curve\n    public-key = \"" + client_public + "\n", "unterminated \" quote"},
    {"curve\n    public-key = \"" + client_public + "\" extra\n", "after the closing quote"},
    {"curve\n    public-key = \"" + client_public.substr(1) + "\"\n", "40 characters"},
    {"curve\n    public-key = \"" + std::string(40, '~') + "\"\n", "Z85"},
    {"curve\n    public-key\n", "has no value"},
    {"curve\n    public:key = 1\n", "bad character"},
    {"curve\n" + key_line + "    secret-key = \"" + client_public + "\"\n",
     "does not belong to the public-key"},
  };
  for (auto& c : cases) {
    auto why = error_of(c.text);
    EXPECT_NE(why.find(c.needle), std::string::npos) << "expected '" << c.needle << "', got '"
                                                     << why << "' for:\n" << c.text;
  }
}

TEST(Zcert, WritingRejectsMetadataZplCannotCarry) {
  zcert c = client_cert();
  c.metadata = {{"bad name", "v"}};
  EXPECT_THROW(zcert_public_text(c, "now"), error);
  c.metadata = {{"n", "two\nlines"}};
  EXPECT_THROW(zcert_public_text(c, "now"), error);
  c.metadata = {{"n", "both \" and '"}};
  EXPECT_THROW(zcert_public_text(c, "now"), error);
}

TEST(ZcertFiles, SaveWritesThePairWithTheSecretFileAtMode0600) {
  test::temp_dir dir;
  auto path = dir.file("client.cert");
  dir.write("client.cert_secret", "old, world-readable");
  ::chmod((path + "_secret").c_str(), 0644);
  save_zcert(client_cert(), path);

  struct stat st {};
  ASSERT_EQ(::stat((path + "_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto pub = load_zcert(path);
  EXPECT_EQ(pub.public_key.z85(), client_public);
  EXPECT_FALSE(pub.secret_key.has_value());
  EXPECT_EQ(pub.metadata, client_cert().metadata);
  auto sec = load_zcert(path + "_secret");
  ASSERT_TRUE(sec.secret_key.has_value());
  EXPECT_EQ(sec.secret_key->z85(), client_secret);
}

TEST(ZcertFiles, LoadingNamesTheFileThatIsMissingOrTooLarge) {
  test::temp_dir dir;
  try {
    load_zcert(dir.file("absent"));
    ADD_FAILURE() << "loaded a missing file";
  } catch (const error& e) {
    EXPECT_NE(std::string(e.what()).find("absent"), std::string::npos) << e.what();
  }
  auto big = dir.write("big", std::string(70 * 1024, '#'));
  EXPECT_THROW(load_zcert(big), error);
}

TEST(Zpl, NamesValuesAndDepthsOfRfc4Example) {
  auto entries = parse_zpl("context\n"
                           "    iothreads = 1\n"
                           "    verbose = 1      #   Ask for a trace\n"
                           "main\n"
                           "    frontend\n"
                           "        option\n"
                           "            subscribe = \"#2\"\n",
                           "example");
  ASSERT_EQ(entries.size(), 7u);
  EXPECT_EQ(entries[2].name, "verbose");
  EXPECT_EQ(entries[2].value, "1");
  EXPECT_EQ(entries[6].depth, 3u);
  EXPECT_EQ(entries[6].value, "#2");
  EXPECT_EQ(entries[6].line, 7u);
  EXPECT_FALSE(entries[4].value.has_value());
  EXPECT_TRUE(is_zpl_name("public-key"));
  EXPECT_FALSE(is_zpl_name("a b"));
}

} // namespace
} // namespace cafmq::security
