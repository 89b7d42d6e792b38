/* WIDTHxHEIGHT as every option and DEVICE spec takes it: one parser, one
 * limit, one message. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The largest width or height gvt-view accepts anywhere: the plane
 * validator's limit, so that what a guest may show can also be asked for. */
#define GVT_SIZE_MAX 16384

/* Parses "WxH" (or "WXH"): digits only, no sign, no spaces, each side
 * 1..GVT_SIZE_MAX. FALSE and @width/@height untouched otherwise. */
gboolean gvt_size_parse (const char *text, guint *width, guint *height);

/* The same for an option or spec named @what ("--size", "sim:"): a
 * GVT_ERROR_INVALID_ARGS that names it, the text and the range. */
gboolean gvt_size_parse_arg (const char *what, const char *text, guint *width,
                             guint *height, GError **error);

/* A byte count for people: "8 MiB", "1.5 GiB", "4096 bytes" — plain ASCII
 * (g_format_size puts a no-break space before the unit), whole units when
 * exact, one decimal otherwise. g_free(). */
char *gvt_size_format_bytes (guint64 n);

/* What the messages say the form is: "WIDTHxHEIGHT (1 to 16384 each)". */
#define GVT_SIZE_HELP "WIDTHxHEIGHT (1 to 16384 each, e.g. 1920x1080)"

G_END_DECLS
