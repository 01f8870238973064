/* Translate functions: exclusives, acquire/release, LSE atomics. */
#include "translate.h"
