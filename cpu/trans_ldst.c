/* Translate functions: integer loads and stores, exclusives, atomics. */
#include "translate.h"
