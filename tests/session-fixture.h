/* The fixture of the session tests on the fake VFIO kernel (session-kernel,
 * edid-policy): a fake per test, the session under test, its clock, and
 * what it said. Tear-down checks that no device fd and nothing on the main
 * context outlives the session. */
#pragma once

#include <glib.h>

#include "fake-kernel.h"
#include "display/session.h"

/* The window's frame clock. */
#define TICK_US 16000
#define T0 (10 * G_USEC_PER_SEC)

typedef struct {
  GvtFakeKernel *fake;
  int fds;              /* device fds before the test opened any */
  GvtSession *session;
  gint64 now;           /* the session's clock: the last poll's time */
  guint losses;         /* polls that reported GVT_SOURCE_LOST */
  GPtrArray *messages;  /* this domain's messages ("M ...") and debug lines ("D ...") */
  guint handler;
} Fixture;

/* @data: the GvtFakeConfig (NULL: the default GVT-g vGPU). */
void fixture_set_up (Fixture *f, gconstpointer data);
void fixture_tear_down (Fixture *f, gconstpointer data);

/* Recorded lines of @level ('M' or 'D') containing @text. */
guint count_said (Fixture *f, char level, const char *text);

/* The guest shows an XRGB8888 primary plane of @width x @height, dma-buf @id. */
void set_primary (Fixture *f, guint32 width, guint32 height, guint32 id);

/* The session polled at @now_us (the clock moves there); counts losses. */
GvtSourceChange poll_at (Fixture *f, gint64 now_us);
