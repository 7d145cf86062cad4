#include "values.hpp"

#include <gtest/gtest.h>

TEST(Values, KeyRoundTrip) {
    auto k = nsvpn::parse_key("yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
    ASSERT_TRUE(k);
    EXPECT_EQ(nsvpn::PublicKey{*k}.base64(), "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=");
}
