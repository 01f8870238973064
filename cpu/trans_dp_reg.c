/* Translate functions: data processing -- register. */
#include "translate.h"
