/* What every fuzz target shares: reading structured values out of the
 * fuzzer's bytes, a contract check that stops at the first violation, quiet
 * logs, and counting this process' open fds. */
#pragma once

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* The libFuzzer entry points; the replay (fuzz-replay.c) calls them too. */
int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Each target defines these: its one-time setup (may be empty) and the
 * check of one input. */
void fuzz_target_init (void);
void fuzz_target_run (const guint8 *data, gsize size);

/* The fuzzer's bytes, read front to back. Reading past the end gives
 * zeros, so every input, however short, is a complete case. */
typedef struct {
  const guint8 *data;
  gsize size;
  gsize pos;
} FuzzIn;

void fuzz_in_init (FuzzIn *in, const guint8 *data, gsize size);
gboolean fuzz_in_done (const FuzzIn *in);
guint8 fuzz_u8 (FuzzIn *in);
guint16 fuzz_u16 (FuzzIn *in);
guint32 fuzz_u32 (FuzzIn *in);
guint64 fuzz_u64 (FuzzIn *in);
/* One of @n values, chosen by one byte. */
guint32 fuzz_pick (FuzzIn *in, const guint32 *values, gsize n);
/* A value shaped around @base, which the contract makes a boundary: @base
 * itself, just above or below it (by up to 255), a small number, or any
 * 32-bit value; saturates at 0 and G_MAXUINT32. Boundaries are where a
 * validator goes wrong, and blind bytes rarely land on them. */
guint32 fuzz_near (FuzzIn *in, guint64 base);
guint64 fuzz_near64 (FuzzIn *in, guint64 base);

/* A broken contract: prints "fuzz contract violated: ..." and aborts, so
 * libFuzzer saves the input and the replay names it. */
#define FUZZ_CHECK(cond, ...)                                              \
  G_STMT_START {                                                           \
    if (G_UNLIKELY (!(cond)))                                              \
      fuzz_fail (__FILE__, __LINE__, #cond, __VA_ARGS__);                  \
  } G_STMT_END

/* The same, for a violation already reported and waiting for its fix:
 * FUZZ_IGNORE=TAG[,TAG...] in the environment counts it ("ignored TAG")
 * instead of failing, so a long run can look for other findings. Without
 * it, a known finding fails like any other. */
#define FUZZ_CHECK_KNOWN(tag, cond, ...)                                   \
  G_STMT_START {                                                           \
    if (G_UNLIKELY (!(cond)))                                              \
      {                                                                    \
        if (fuzz_ignored (tag))                                            \
          fuzz_count ("ignored " tag);                                     \
        else                                                               \
          fuzz_fail (__FILE__, __LINE__, #cond, "[" tag "] " __VA_ARGS__); \
      }                                                                    \
  } G_STMT_END
gboolean fuzz_ignored (const char *tag);

G_NORETURN void fuzz_fail (const char *file, int line, const char *cond,
                           const char *fmt, ...) G_GNUC_PRINTF (4, 5);

/* With FUZZ_TRACE=1 in the environment, prints a line to stderr: what a
 * target did, for reading a reproducer. */
extern gboolean fuzz_tracing;
#define fuzz_trace(...)                                                     \
  G_STMT_START { if (G_UNLIKELY (fuzz_tracing)) fuzz_trace_line (__VA_ARGS__); } G_STMT_END
void fuzz_trace_line (const char *fmt, ...) G_GNUC_PRINTF (1, 2);

/* Counts an outcome (@what a static string: "accepted", "lost" ...). The
 * replay prints the counts as TAP comments, which shows that its inputs
 * reach every branch of a contract, not only the refusals. */
void fuzz_count (const char *what);
/* The counts so far, sorted, as "  what: n" lines; caller frees. */
char *fuzz_counts_to_string (void);

/* Open fds of this process (a rewound /proc/self/fd, not counting the
 * descriptor that reads it). */
int fuzz_count_fds (void);

/* Calls @func (@fd, @link_target, @data) for every open fd; returns how
 * many there were. */
typedef void (*FuzzFdFunc) (int fd, const char *target, gpointer data);
int fuzz_for_each_fd (FuzzFdFunc func, gpointer data);

G_END_DECLS
