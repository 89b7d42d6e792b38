/* The one WIDTHxHEIGHT parser: what it takes, what it refuses, the limit. */
#include "common/gvt-error.h"
#include "common/size.h"

static void
test_accepts (void)
{
  guint w = 0, h = 0;

  g_assert_true (gvt_size_parse ("1920x1080", &w, &h));
  g_assert_cmpuint (w, ==, 1920);
  g_assert_cmpuint (h, ==, 1080);
  g_assert_true (gvt_size_parse ("1X1", &w, &h));
  g_assert_cmpuint (w, ==, 1);
  g_assert_cmpuint (h, ==, 1);
  /* The limit itself, on both sides. */
  g_assert_true (gvt_size_parse ("16384x16384", &w, &h));
  g_assert_cmpuint (w, ==, GVT_SIZE_MAX);
  g_assert_cmpuint (h, ==, GVT_SIZE_MAX);
  g_assert_true (gvt_size_parse ("0640x0480", &w, &h));
  g_assert_cmpuint (w, ==, 640);
}

static void
test_refuses (void)
{
  static const char *const bad[] = {
    "", "x", "1920", "1920x", "x1080", "0x10", "10x0", "-5x10", "+5x10", " 5x10", "5x 10",
    "10x10 ", "5x-10", "16385x10", "10x16385", "99999999999999999999x1", "0x10x10",
    "10x10x10", "1e3x10", "10,10", "10×10", "\t5x5", "5x5\n",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      guint w = 7, h = 9;
      g_assert_false (gvt_size_parse (bad[i], &w, &h));
      /* Untouched on failure. */
      g_assert_cmpuint (w, ==, 7);
      g_assert_cmpuint (h, ==, 9);
    }
  g_assert_false (gvt_size_parse (NULL, NULL, NULL));
}

static void
test_message (void)
{
  g_autoptr (GError) error = NULL;
  guint w, h;

  g_assert_false (gvt_size_parse_arg ("--size", "20000x10", &w, &h, &error));
  g_assert_error (error, GVT_ERROR, GVT_ERROR_INVALID_ARGS);
  g_assert_cmpstr (error->message, ==,
                   "--size 20000x10: use WIDTHxHEIGHT (1 to 16384 each, e.g. 1920x1080)");
  g_assert_true (gvt_size_parse_arg ("--size", "800x600", &w, &h, NULL));
  g_assert_cmpuint (w * h, ==, 480000);
}

static void
test_format_bytes (void)
{
  static const struct {
    guint64 n;
    const char *text;
  } cases[] = {
    { 0, "0 bytes" }, { 1023, "1023 bytes" }, { 1024, "1 KiB" }, { 65536, "64 KiB" },
    { 1536, "1.5 KiB" }, { 8 << 20, "8 MiB" }, { G_GUINT64_CONSTANT (3) << 29, "1.5 GiB" },
    { G_GUINT64_CONSTANT (5) << 30, "5 GiB" }, { (G_GUINT64_CONSTANT (5) << 30) + 1, "5.0 GiB" },
    { G_GUINT64_CONSTANT (1) << 60, "1 EiB" }, { G_MAXUINT64, "16.0 EiB" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = gvt_size_format_bytes (cases[i].n);
      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/common/size/accepts", test_accepts);
  g_test_add_func ("/common/size/refuses", test_refuses);
  g_test_add_func ("/common/size/message", test_message);
  g_test_add_func ("/common/size/format-bytes", test_format_bytes);
  return g_test_run ();
}
