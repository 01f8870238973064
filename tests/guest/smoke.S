/* The smallest useful guest test: the harness itself works. */
#include "harness.inc"
TEST_START
    movz x0, #0x1234
    EXPECT x0, 0x1234
    TEST_PASS
TEST_END
