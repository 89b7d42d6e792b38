/* The statistics overlay: a GtkLabel on an opaque dark box. */
#include "overlay.h"
#include "common/format.h"

GtkWidget *
gvt_overlay_new (void)
{
  /* An event box: its own window, which X11 needs to be native (see
   * window.c) for the label to show over the EGL window. */
  GtkWidget *box = gtk_event_box_new ();
  GtkWidget *label = gtk_label_new ("");

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_style_context_add_class (gtk_widget_get_style_context (box), "gvt-stats");
  gtk_container_add (GTK_CONTAINER (box), label);
  gtk_widget_set_halign (box, GTK_ALIGN_START);
  gtk_widget_set_valign (box, GTK_ALIGN_START);
  gtk_widget_set_no_show_all (box, TRUE);
  gtk_widget_show (label);
  return box;
}

char *
gvt_overlay_format (const GvtFrameStats *stats, const char *path, GvtPlane *primary,
                    const char *surface)
{
  g_autofree char *bytes = gvt_format_bytes (stats->bytes_per_s);
  g_autofree char *format = NULL;

  if (primary != NULL)
    {
      char fcc[5], mod[GVT_MODIFIER_NAME_MAX];
      format = g_strdup_printf ("%s %s %u×%u",
                                gvt_fourcc_to_string (gvt_plane_get_fourcc (primary), fcc),
                                gvt_modifier_to_string (gvt_plane_get_modifier (primary), mod),
                                gvt_plane_get_width (primary), gvt_plane_get_height (primary));
    }
  return g_strdup_printf ("%.1f fps presented   %.1f plane updates/s\n"
                          "poll %.0f µs   path: %s (%s)\n"
                          "%s\n"
                          "%.1f imports/s   %s/s copied\n"
                          "%" G_GUINT64_FORMAT " frames   %" G_GUINT64_FORMAT " imports   %"
                          G_GUINT64_FORMAT " uploads",
                          stats->fps, stats->updates_per_s, stats->poll_us,
                          g_strcmp0 (path, "import") == 0 ? "zero-copy import"
                          : g_strcmp0 (path, "upload") == 0 ? "upload" : "none",
                          surface, format ? format : "no plane",
                          stats->imports_per_s, bytes,
                          stats->presents, stats->imports, stats->uploads);
}

void
gvt_overlay_update (GtkWidget *overlay, const GvtFrameStats *stats, const char *path,
                    GvtPlane *primary, const char *surface)
{
  g_autofree char *text = gvt_overlay_format (stats, path, primary, surface);
  gtk_label_set_text (GTK_LABEL (gtk_bin_get_child (GTK_BIN (overlay))), text);
}
