/* Criterion's logging macros for the TSan shim (see criterion.h here). */
#ifndef FLOTILLA_TSAN_SHIM_LOGGING_H
#define FLOTILLA_TSAN_SHIM_LOGGING_H

void shim_log(const char *level, const char *fmt, ...);

#define cr_log_info(...) shim_log("INFO", __VA_ARGS__)
#define cr_log_warn(...) shim_log("WARN", __VA_ARGS__)
#define cr_log_error(...) shim_log("ERR ", __VA_ARGS__)

#endif
