/* GtkApplication wiring for the viewer window. */
#include <signal.h>
#include <string.h>
#include <glib-unix.h>
#include <gtk/gtk.h>

#include "app.h"
#include "surface.h"
#include "common/gvt-error.h"

typedef struct {
  GvtSession *source;       /* until the window takes it */
  const GvtUiOptions *options;
} Run;

/* Weston's headless backend has no seat, and GTK asks the missing seat
 * for its keyboard once: a known, harmless critical that would otherwise
 * read as a fault (and abort under G_DEBUG=fatal-criticals, since the
 * handler can't undo the fatal mask). Everything else passes through. */

/* The application id: the desktop file's and the metainfo's name. */
#define APP_ID "io.github.gvt_view.Viewer"

static void
log_filter (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  /* Dropped silently: logging from inside a log handler recurses, and
   * GLib aborts on that. */
  if (message != NULL && strstr (message, "gdk_seat_get_keyboard") != NULL)
    return;
  g_log_default_handler (domain, level, message, data);
}

gboolean
gvt_ui_check_display (GError **error)
{
  static gsize once = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&once))
    {
      g_log_set_handler ("Gdk", G_LOG_LEVEL_CRITICAL | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION,
                         log_filter, NULL);
      /* GTK 3 on Wayland makes OpenGL ES contexts only when GDK_GL says
       * so (GtkGLArea's use-es is not honoured there), and the renderer's
       * shaders are GLSL ES. X11 is unaffected: GTK paints without GL
       * there and the picture has its own EGL context. */
      const char *gl = g_getenv ("GDK_GL");
      if (gl == NULL || strstr (gl, "gles") == NULL)
        {
          g_autofree char *flags = gl && *gl ? g_strconcat (gl, ",gles", NULL) : g_strdup ("gles");
          g_setenv ("GDK_GL", flags, TRUE);
        }
      /* GTK 3 names a window after the program: a Wayland toplevel's app_id
       * is g_get_prgname() (GOption made it "gvt-view demo"), X11's WM_CLASS
       * is it and gdk_get_program_class(). Both name the desktop file, so
       * that the desktop finds it (and its icon and name) for the window. */
      g_set_prgname (APP_ID);
      ok = gtk_init_check (NULL, NULL);
      gdk_set_program_class (APP_ID);
      g_once_init_leave (&once, 1);
    }
  if (!ok)
    {
      const char *x = g_getenv ("DISPLAY"), *wl = g_getenv ("WAYLAND_DISPLAY");
      if ((x == NULL || *x == '\0') && (wl == NULL || *wl == '\0'))
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                     "no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)");
      else
        g_set_error (error, GVT_ERROR, GVT_ERROR_NO_DISPLAY,
                     "cannot open a window: GTK could not connect to the display (%s%s%s%s)",
                     x ? "DISPLAY=" : "", x ? x : "", wl ? " WAYLAND_DISPLAY=" : "",
                     wl ? wl : "");
      return FALSE;
    }
  return gvt_surface_ops_for_display (gdk_display_get_default (), error) != NULL;
}

static void
on_activate (GtkApplication *app, Run *run)
{
  if (run->source == NULL)
    return;
  gvt_ui_window_open (app, g_steal_pointer (&run->source), run->options);
}

static gboolean
on_signal (gpointer data)
{
  GtkApplication *app = data;
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing the windows writes --stats-file and releases the device. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_widget_destroy (l->data);
  g_list_free (windows);
  return G_SOURCE_CONTINUE;
}

int
gvt_ui_run (GvtSession *source, const GvtUiOptions *options)
{
  Run run = { .source = source, .options = options };
  /* Non-unique: several viewers (and parallel tests) run side by side. */
  g_autoptr (GtkApplication) app = gtk_application_new (APP_ID,
                                                        G_APPLICATION_NON_UNIQUE);
  char *argv[] = { (char *) "gvt-view", NULL };

  g_signal_connect (app, "activate", G_CALLBACK (on_activate), &run);
  guint sigint = g_unix_signal_add (SIGINT, on_signal, app);
  guint sigterm = g_unix_signal_add (SIGTERM, on_signal, app);
  int status = g_application_run (G_APPLICATION (app), 1, argv);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  /* Not activated (it always is): the device is still ours. */
  gvt_session_free (run.source);
  return status;
}
