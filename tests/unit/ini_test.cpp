// The line reader in front of inih: sections, assignments, line numbers,
// comments, BOM and CRLF, long lines and refused lines.
#include "ini.hpp"
#include "support.hpp"

#include <gtest/gtest.h>
#include <string>

namespace nsvpn {
namespace {

using test::dump;

ParsedFile parse(const std::string& text, Diagnostics& diags) {
    return parse_ini(text, test::main_file, diags);
}

// The one assignment of a text that should have exactly one.
Assignment only_assignment(const ParsedFile& f) {
    std::vector<Assignment> all;
    for (const auto& s : f.sections)
        all.insert(all.end(), s.assignments.begin(), s.assignments.end());
    EXPECT_EQ(all.size(), 1u);
    return all.empty() ? Assignment{} : all.front();
}

TEST(Ini, SectionsAndAssignmentsWithLineNumbers) {
    Diagnostics d;
    auto f = parse("# a comment\n"
                   "[Interface]\n"
                   "PrivateKey = abc\n"
                   "\n"
                   "Address=10.2.0.2/32\n"
                   "[Peer]\n"
                   "\tPublicKey\t=\tdef\t\n"
                   "[Peer]\n"
                   "   Endpoint   =   host:1   \n",
                   d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(f.sections.size(), 3u);
    EXPECT_EQ(f.sections[0].name, "Interface");
    EXPECT_EQ(f.sections[0].line, 2u);
    ASSERT_EQ(f.sections[0].assignments.size(), 2u);
    EXPECT_EQ(f.sections[0].assignments[0].key, "PrivateKey");
    EXPECT_EQ(f.sections[0].assignments[0].value, "abc");
    EXPECT_EQ(f.sections[0].assignments[0].line, 3u);
    EXPECT_EQ(f.sections[0].assignments[1].key, "Address");
    EXPECT_EQ(f.sections[0].assignments[1].value, "10.2.0.2/32");
    EXPECT_EQ(f.sections[0].assignments[1].line, 5u);
    EXPECT_EQ(f.sections[1].name, "Peer");
    EXPECT_EQ(f.sections[1].line, 6u);
    ASSERT_EQ(f.sections[1].assignments.size(), 1u);
    EXPECT_EQ(f.sections[1].assignments[0].value, "def");
    EXPECT_EQ(f.sections[1].assignments[0].line, 7u);
    EXPECT_EQ(f.sections[2].name, "Peer");
    EXPECT_EQ(f.sections[2].line, 8u);
    ASSERT_EQ(f.sections[2].assignments.size(), 1u);
    EXPECT_EQ(f.sections[2].assignments[0].key, "Endpoint");
    EXPECT_EQ(f.sections[2].assignments[0].value, "host:1");
    EXPECT_EQ(f.sections[2].assignments[0].line, 9u);
}

TEST(Ini, SectionNamesAreCaseInsensitiveAndCanonicalised) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"[interface]", "Interface"}, {"[INTERFACE]", "Interface"}, {"[peer]", "Peer"},
        {"[PeEr]", "Peer"},           {"[namespace]", "Namespace"}, {"[NAMESPACE]", "Namespace"},
        {"[expose]", "Expose"},       {"[ Peer ]", "Peer"},         {"[Peer]   # c", "Peer"},
    };
    for (const auto& [header, canonical] : cases) {
        Diagnostics d;
        auto f = parse(header + "\nKey = v\n", d);
        EXPECT_FALSE(d.has_errors()) << header << "\n" << dump(d);
        ASSERT_EQ(f.sections.size(), 1u) << header;
        EXPECT_TRUE(f.sections[0].known) << header;
        EXPECT_EQ(f.sections[0].name, canonical) << header;
        EXPECT_EQ(f.sections[0].assignments.size(), 1u) << header;
    }
}

TEST(Ini, KeysKeepTheirSpelling) {
    Diagnostics d;
    auto f = parse("[Interface]\nprivatekey = x\n", d);
    EXPECT_EQ(only_assignment(f).key, "privatekey");
}

TEST(Ini, UnknownSectionIsReportedOnceAndItsKeysAreKept) {
    Diagnostics d;
    auto f = parse("[Interface]\n[WireGuard]\nFoo = bar\n[Peer]\n", d);
    auto e = test::errors(d);
    ASSERT_EQ(e.size(), 1u) << dump(d);
    EXPECT_EQ(e[0].problem, Problem::UnknownSection);
    EXPECT_EQ(e[0].line, 2u);
    EXPECT_EQ(e[0].key, "[WireGuard]");
    EXPECT_EQ(e[0].file, test::main_file);
    ASSERT_EQ(f.sections.size(), 3u);
    EXPECT_FALSE(f.sections[1].known);
    EXPECT_EQ(f.sections[1].assignments.size(), 1u);
    EXPECT_TRUE(f.sections[2].known);
}

TEST(Ini, HashStartsACommentAnywhere) {
    Diagnostics d;
    auto f = parse("# whole line\n"
                   "   # indented comment\n"
                   "[Interface] # header comment\n"
                   "Address = 10.2.0.2/32 # the address\n"
                   "DNS = 10.64.0.1#no space\n"
                   "MTU = # only a comment\n"
                   "#Address = 10.9.9.9/32\n",
                   d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(f.sections.size(), 1u);
    EXPECT_EQ(f.sections[0].line, 3u);
    const auto& a = f.sections[0].assignments;
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].value, "10.2.0.2/32");
    EXPECT_EQ(a[1].value, "10.64.0.1");
    EXPECT_EQ(a[2].key, "MTU");
    EXPECT_EQ(a[2].value, "");
    EXPECT_EQ(a[2].line, 6u);
}

TEST(Ini, SemicolonIsACommentOnlyAtTheStartOfALine) {
    struct Case {
        std::string line;
        std::string value;
    };
    const std::vector<Case> cases = {
        {"PostUp = echo a ; echo b", "echo a ; echo b"},
        {"PostUp = echo a;echo b", "echo a;echo b"},
        {"PostUp = ;leading", ";leading"},
        {"PostUp = trailing ;", "trailing ;"},
        {"PostUp = a ; b ; c # comment", "a ; b ; c"},
        {"PostUp=iptables -A x ; ip6tables -A y", "iptables -A x ; ip6tables -A y"},
    };
    for (const auto& c : cases) {
        Diagnostics d;
        auto f = parse("; a comment\n[Interface]\n  ; indented comment\n" + c.line + "\n", d);
        EXPECT_FALSE(d.has_errors()) << c.line << "\n" << dump(d);
        auto a = only_assignment(f);
        EXPECT_EQ(a.value, c.value) << c.line;
        EXPECT_EQ(a.line, 4u);
    }
}

TEST(Ini, ValuesMayContainEqualsAndColons) {
    Diagnostics d;
    auto f = parse("[Peer]\nPublicKey==abc=\nPostUp = a=b:c\nEndpoint:x = y\n", d);
    ASSERT_EQ(f.sections.size(), 1u);
    const auto& a = f.sections[0].assignments;
    ASSERT_EQ(a.size(), 2u) << dump(d);
    EXPECT_EQ(a[0].value, "=abc=");
    EXPECT_EQ(a[1].value, "a=b:c");
    // "Endpoint:x" is not a key
    EXPECT_TRUE(test::has_error(d, Problem::Syntax, test::main_file, 4, ""));
}

TEST(Ini, ByteOrderMarkAndCrlfAreAccepted) {
    Diagnostics d;
    auto f = parse("\xef\xbb\xbf[Interface]\r\n"
                   "Address = 10.2.0.2/32\r\n"
                   "\r\n"
                   "PostUp = echo a ; echo b\r\n"
                   "DNS = 10.64.0.1 # c\r\n",
                   d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(f.sections.size(), 1u);
    EXPECT_EQ(f.sections[0].name, "Interface");
    EXPECT_TRUE(f.sections[0].known);
    const auto& a = f.sections[0].assignments;
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].value, "10.2.0.2/32");
    EXPECT_EQ(a[1].value, "echo a ; echo b");
    EXPECT_EQ(a[1].line, 4u);
    EXPECT_EQ(a[2].value, "10.64.0.1");
}

TEST(Ini, ByteOrderMarkOnlyOnTheFirstLine) {
    Diagnostics d;
    auto f = parse("[Interface]\n\xef\xbb\xbf"
                   "Address = 10.2.0.2/32\n",
                   d);
    EXPECT_TRUE(test::has_error(d, Problem::Syntax, test::main_file, 2, "")) << dump(d);
}

TEST(Ini, LastLineWithoutNewline) {
    Diagnostics d;
    auto f = parse("[Interface]\nAddress = 10.2.0.2/32", d);
    EXPECT_FALSE(d.has_errors());
    EXPECT_EQ(only_assignment(f).value, "10.2.0.2/32");
}

TEST(Ini, IndentedLinesAreNotContinuations) {
    // inih would append an indented line to the previous value; nsvpn does not.
    Diagnostics d;
    auto f = parse("[Interface]\nAddress = 10.2.0.2/32\n    10.2.0.3/32\n", d);
    EXPECT_EQ(only_assignment(f).value, "10.2.0.2/32");
    EXPECT_TRUE(test::has_error(d, Problem::Syntax, test::main_file, 3, "")) << dump(d);
}

// Lines around inih's 200-byte buffer must arrive whole, and the next line
// must stay a line of its own.
TEST(Ini, LinesAroundInihBufferSizeAreKeptWhole) {
    for (std::size_t n = 180; n <= 230; ++n) {
        std::string value(n, 'x');
        Diagnostics d;
        auto f = parse("[Interface]\nPostUp=" + value + "\nPostDown = after\n", d);
        EXPECT_FALSE(d.has_errors()) << n << "\n" << dump(d);
        ASSERT_EQ(f.sections.size(), 1u);
        const auto& a = f.sections[0].assignments;
        ASSERT_EQ(a.size(), 2u) << n;
        EXPECT_EQ(a[0].key, "PostUp");
        EXPECT_EQ(a[0].value, value) << n;
        EXPECT_EQ(a[0].line, 2u);
        EXPECT_EQ(a[1].key, "PostDown");
        EXPECT_EQ(a[1].value, "after") << n;
        EXPECT_EQ(a[1].line, 3u);
    }
}

TEST(Ini, LongValuesKeepSemicolonsAndDropComments) {
    std::string body;
    for (int i = 0; i < 40; ++i)
        body += "echo " + std::to_string(i) + " ; ";
    body += "true";
    Diagnostics d;
    auto f = parse("[Interface]\nPostUp = " + body + "   # a comment ; here\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_GT(body.size(), 300u);
    EXPECT_EQ(only_assignment(f).value, body);
}

TEST(Ini, SeveralLongValuesStayInOrder) {
    std::string a(500, 'a'), b(700, 'b'), c(300, 'c');
    Diagnostics d;
    auto f = parse("[Interface]\nPreUp = " + a + "\nPostUp = short\nPreDown = " + b +
                       "\nPostDown = " + c + "\n",
                   d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    ASSERT_EQ(f.sections.size(), 1u);
    const auto& as = f.sections[0].assignments;
    ASSERT_EQ(as.size(), 4u);
    EXPECT_EQ(as[0].value, a);
    EXPECT_EQ(as[1].value, "short");
    EXPECT_EQ(as[2].value, b);
    EXPECT_EQ(as[3].value, c);
    EXPECT_EQ(as[3].line, 5u);
}

TEST(Ini, LineOfExactlyTheLimitIsAccepted) {
    const std::string prefix = "PostUp = ";
    std::string value(max_line_length - prefix.size(), 'v');
    for (const std::string eol : {"\n", "\r\n"}) {
        Diagnostics d;
        auto f = parse("[Interface]\n" + prefix + value + eol + "PostDown = x\n", d);
        EXPECT_FALSE(d.has_errors()) << dump(d);
        ASSERT_EQ(f.sections.size(), 1u);
        ASSERT_EQ(f.sections[0].assignments.size(), 2u);
        EXPECT_EQ(f.sections[0].assignments[0].value, value);
        EXPECT_EQ(f.sections[0].assignments[1].line, 3u);
    }
}

TEST(Ini, LineOverTheLimitIsRefusedAndReadingGoesOn) {
    const std::string prefix = "PostUp = ";
    std::string value(max_line_length - prefix.size() + 1, 'v');
    Diagnostics d;
    auto f = parse("[Interface]\n" + prefix + value + "\nPostDown = x\n", d);
    auto e = test::errors(d);
    ASSERT_EQ(e.size(), 1u) << dump(d);
    EXPECT_EQ(e[0].problem, Problem::LineTooLong);
    EXPECT_EQ(e[0].line, 2u);
    EXPECT_EQ(e[0].key, "PostUp");
    EXPECT_LT(e[0].message.size(), 200u);
    auto a = only_assignment(f);
    EXPECT_EQ(a.key, "PostDown");
    EXPECT_EQ(a.line, 3u);
}

TEST(Ini, ControlCharactersAreRefused) {
    for (char c : {'\x01', '\0', '\x1b', '\x1e', '\x1f', '\x7f', '\v', '\f', '\r'}) {
        std::string line = "PostUp = echo a";
        line += c;
        line += "b";
        Diagnostics d;
        auto f = parse("[Interface]\n" + line + "\n", d);
        EXPECT_TRUE(test::has_error(d, Problem::Syntax, test::main_file, 2, "PostUp"))
            << static_cast<int>(c) << "\n"
            << dump(d);
        ASSERT_EQ(f.sections.size(), 1u);
        EXPECT_TRUE(f.sections[0].assignments.empty()) << static_cast<int>(c);
    }
}

TEST(Ini, TabsAreNotControlCharacters) {
    Diagnostics d;
    auto f = parse("[Interface]\nPostUp\t=\techo\ta\t\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    EXPECT_EQ(only_assignment(f).value, "echo\ta");
}

TEST(Ini, LinesThatAreNotAssignments) {
    const std::vector<std::string> lines = {
        "Address 10.2.0.2/32",
        "Address",
        "= 10.2.0.2/32",
        "Private-Key = x",
        "Private_Key = x",
        "Pri vateKey = x",
        "[Peer",
        "Peer]",
        "[]",
    };
    for (const auto& line : lines) {
        Diagnostics d;
        auto f = parse("[Interface]\n" + line + "\n", d);
        EXPECT_TRUE(test::has_error(d, Problem::Syntax, test::main_file, 2, "")) << line << "\n"
                                                                                 << dump(d);
        ASSERT_FALSE(f.sections.empty());
        EXPECT_TRUE(f.sections[0].assignments.empty()) << line;
    }
}

TEST(Ini, SyntaxErrorsDoNotRepeatKeyMaterial) {
    for (const std::string& line :
         {"PrivateKey " + test::private_key, "PrivateKey: " + test::private_key, test::private_key,
          "PresharedKey\t" + test::preshared_key}) {
        Diagnostics d;
        parse("[Interface]\n" + line + "\n", d);
        ASSERT_TRUE(d.has_errors()) << line;
        for (const auto& diag : d.list()) {
            EXPECT_EQ(diag.format().find(line.substr(line.size() - 20)), std::string::npos)
                << diag.format();
            EXPECT_EQ(diag.format().find("lXXJte14"), std::string::npos) << diag.format();
            EXPECT_EQ(diag.format().find("NzJMWLKA"), std::string::npos) << diag.format();
            EXPECT_EQ(diag.format().find("ghijklmn"), std::string::npos) << diag.format();
        }
    }
}

TEST(Ini, KeyBeforeAnySection) {
    Diagnostics d;
    auto f = parse("\n# comment\nPrivateKey = x\n[Interface]\nAddress = 10.2.0.2/32\n", d);
    auto e = test::errors(d);
    ASSERT_EQ(e.size(), 1u) << dump(d);
    EXPECT_EQ(e[0].problem, Problem::OutsideSection);
    EXPECT_EQ(e[0].line, 3u);
    EXPECT_EQ(e[0].key, "PrivateKey");
    EXPECT_EQ(only_assignment(f).key, "Address");
}

TEST(Ini, LongSectionHeaderIsAnUnknownSection) {
    std::string name(300, 'S');
    Diagnostics d;
    auto f = parse("[" + name + "]\nA = b\n[Peer]\nPublicKey = k\n", d);
    auto e = test::errors(d);
    ASSERT_EQ(e.size(), 1u) << dump(d);
    EXPECT_EQ(e[0].problem, Problem::UnknownSection);
    EXPECT_EQ(e[0].line, 1u);
    ASSERT_EQ(f.sections.size(), 2u);
    EXPECT_EQ(f.sections[1].name, "Peer");
    ASSERT_EQ(f.sections[1].assignments.size(), 1u);
    EXPECT_EQ(f.sections[1].assignments[0].value, "k");
    EXPECT_EQ(f.sections[1].assignments[0].line, 4u);
}

// A key longer than any of nsvpn's is unknown; it must neither overrun inih's
// buffer nor take the next line with it, nor be repeated (it may be a key).
TEST(Ini, OverlongKeyIsUnknownAndTheNextLineIsRead) {
    for (std::size_t n : {41u, 198u, 199u, 200u, 300u, 5000u, 65000u}) {
        std::string key(n, 'K');
        Diagnostics d;
        auto f = parse("[Interface]\n" + key + " = value\nAddress = 10.2.0.2/32\n", d);
        auto e = test::errors(d);
        ASSERT_EQ(e.size(), 1u) << n << "\n" << dump(d);
        EXPECT_EQ(e[0].problem, Problem::UnknownKey);
        EXPECT_EQ(e[0].line, 2u);
        EXPECT_EQ(e[0].format().find("KKKKKKKK"), std::string::npos) << e[0].format();
        auto a = only_assignment(f);
        EXPECT_EQ(a.key, "Address");
        EXPECT_EQ(a.value, "10.2.0.2/32");
        EXPECT_EQ(a.line, 3u);
    }
}

TEST(Ini, KeyOfFortyCharactersArrivesWhole) {
    std::string key(40, 'K');
    Diagnostics d;
    auto f = parse("[Interface]\n" + key + " = value\n", d);
    EXPECT_FALSE(d.has_errors()) << dump(d);
    auto a = only_assignment(f);
    EXPECT_EQ(a.key, key);
    EXPECT_EQ(a.value, "value");
}

TEST(Ini, EmptyTextAndOnlyComments) {
    Diagnostics d;
    EXPECT_TRUE(parse("", d).sections.empty());
    EXPECT_TRUE(parse("# x\n; y\n\n   \n", d).sections.empty());
    EXPECT_FALSE(d.has_errors()) << dump(d);
}

} // namespace
} // namespace nsvpn
