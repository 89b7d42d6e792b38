/* The state screens and the title. */
#include <string.h>

#include "status.h"
#include "common/format.h"
#include "display/session.h"

const char *
gvt_ui_state_to_string (GvtUiState state)
{
  switch (state)
    {
    case GVT_UI_STATE_NO_SIGNAL:   return "no-signal";
    case GVT_UI_STATE_LIVE:        return "live";
    case GVT_UI_STATE_UNSUPPORTED: return "unsupported";
    case GVT_UI_STATE_LOST:        return "lost";
    case GVT_UI_STATE_PAUSED:      return "paused";
    case GVT_UI_STATE_SHUT_DOWN:   return "shut-down";
    case GVT_UI_STATE_QEMU_EXITED: return "qemu-exited";
    default:                       return "?";
    }
}

GvtUiState
gvt_ui_state_for (GvtSourceState state, gboolean render_failed)
{
  switch (state)
    {
    case GVT_SOURCE_STATE_LIVE:
      return render_failed ? GVT_UI_STATE_UNSUPPORTED : GVT_UI_STATE_LIVE;
    case GVT_SOURCE_STATE_INVALID: return GVT_UI_STATE_UNSUPPORTED;
    case GVT_SOURCE_STATE_LOST:    return GVT_UI_STATE_LOST;
    case GVT_SOURCE_STATE_NO_SIGNAL:
    default:                       return GVT_UI_STATE_NO_SIGNAL;
    }
}

GvtUiState
gvt_ui_state_for_vm (GvtVmState vm, const char *detail, GvtUiState picture)
{
  switch (vm)
    {
    case GVT_VM_PAUSED:
      /* A VM that never ran (-S) has no last frame to dim: whatever its
       * vGPU shows already (a device programmed from outside, a VM
       * restored from a snapshot) is shown as it is. */
      if (g_strcmp0 (detail, "prelaunch") == 0 && picture == GVT_UI_STATE_LIVE)
        return GVT_UI_STATE_LIVE;
      return GVT_UI_STATE_PAUSED;
    case GVT_VM_SHUT_DOWN: return GVT_UI_STATE_SHUT_DOWN;
    case GVT_VM_GONE:      return GVT_UI_STATE_QEMU_EXITED;
    case GVT_VM_NONE:
    case GVT_VM_CONNECTING:
    case GVT_VM_RUNNING:
    default:               return picture;
    }
}

gboolean
gvt_ui_state_is_vm (GvtUiState state)
{
  return state == GVT_UI_STATE_PAUSED || state == GVT_UI_STATE_SHUT_DOWN
         || state == GVT_UI_STATE_QEMU_EXITED;
}

char *
gvt_status_title (const GvtStatusInfo *info)
{
  static const char *const words[] = {
    [GVT_UI_STATE_NO_SIGNAL] = "no signal",
    [GVT_UI_STATE_LIVE] = "live",
    [GVT_UI_STATE_UNSUPPORTED] = "unsupported format",
    [GVT_UI_STATE_LOST] = "device lost",
    [GVT_UI_STATE_PAUSED] = "VM paused",
    [GVT_UI_STATE_SHUT_DOWN] = "VM shut down",
    [GVT_UI_STATE_QEMU_EXITED] = "QEMU exited",
  };

  g_autofree char *grab = info->grab_label
    ? g_strdup_printf (" (input grabbed — %s releases)", info->grab_label) : NULL;
  if (info->state == GVT_UI_STATE_LIVE && info->primary != NULL)
    {
      char fcc[5], mod[GVT_MODIFIER_NAME_MAX];
      GvtPlane *p = info->primary;
      return g_strdup_printf ("gvt-view — %u×%u %s (%s) — %s%s", gvt_plane_get_width (p),
                              gvt_plane_get_height (p),
                              gvt_fourcc_to_string (gvt_plane_get_fourcc (p), fcc),
                              gvt_modifier_to_string (gvt_plane_get_modifier (p), mod),
                              info->name, grab ? grab : "");
    }
  return g_strdup_printf ("gvt-view — %s — %s%s", words[info->state], info->name,
                          grab ? grab : "");
}

/* @detail without a leading copy of @title (the poller's reasons start with
 * the screen's words: say them once). */
static const char *
skip_title (const char *detail, const char *title)
{
  gsize n = strlen (title);

  if (n == 0 || strncmp (detail, title, n) != 0)
    return detail;
  detail += n;
  while (*detail == ' ' || *detail == ':' || g_str_has_prefix (detail, "—"))
    detail += *detail == ' ' || *detail == ':' ? 1 : strlen ("—");
  return detail;
}

void
gvt_status_message (const GvtStatusInfo *info, char **title_out, char **detail_out)
{
  g_autofree char *detail = NULL;
  const char *title = "";
  const char *reason = info->reason;

  switch (info->state)
    {
    case GVT_UI_STATE_NO_SIGNAL:
      title = "No signal — waiting for the guest display";
      detail = g_strdup (reason ? reason : "");
      break;
    case GVT_UI_STATE_UNSUPPORTED:
      title = info->gl_error ? "No picture" : "Unsupported format";
      detail = g_strdup (info->gl_error ? info->gl_error
                         : info->render_error ? info->render_error : reason ? reason : "");
      break;
    case GVT_UI_STATE_LOST:
      title = "Device lost";
      if (info->reopen_device != NULL)
        detail = g_strdup_printf ("%s\nreopening %s every %d s", reason ? reason : "",
                                  info->reopen_device,
                                  (int) (GVT_SESSION_REOPEN_INTERVAL_US / G_USEC_PER_SEC));
      else
        detail = g_strdup (reason ? reason : "the device went away");
      break;
    case GVT_UI_STATE_PAUSED:
      title = "VM paused";
      /* QEMU's own words for why it stopped, when not a plain `stop`. */
      if (g_strcmp0 (info->vm_detail, "prelaunch") == 0)
        detail = g_strdup ("QEMU was started with -S: the VM runs at `cont`");
      else if (info->vm_detail != NULL && g_strcmp0 (info->vm_detail, "paused") != 0)
        detail = g_strdup_printf ("QEMU says: %s", info->vm_detail);
      else
        detail = g_strdup ("the VM runs again at `cont`");
      break;
    case GVT_UI_STATE_SHUT_DOWN:
      title = "VM shut down";
      detail = info->vm_detail ? g_strdup_printf ("QEMU says: %s", info->vm_detail)
                               : g_strdup ("the guest is off");
      break;
    case GVT_UI_STATE_QEMU_EXITED:
      title = "QEMU exited";
      detail = g_strdup_printf ("waiting for a QEMU at %s (trying every second)",
                                info->qmp_path ? info->qmp_path : "the same socket");
      break;
    case GVT_UI_STATE_LIVE:
    default:
      break;
    }
  const char *shown = skip_title (detail ? detail : "", title);
  if (*shown == '\0' && info->state == GVT_UI_STATE_NO_SIGNAL)
    shown = "the guest has not enabled a display plane yet (firmware, no driver, or display off)";
  *title_out = g_strdup (title);
  *detail_out = g_strdup (shown);
}

struct _GvtStatusPage {
  GtkWidget *page;
  GtkWidget *title;
  GtkWidget *detail;
};

GvtStatusPage *
gvt_status_page_new (void)
{
  GvtStatusPage *self = g_new0 (GvtStatusPage, 1);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);

  self->page = gtk_event_box_new ();
  gtk_style_context_add_class (gtk_widget_get_style_context (self->page), "gvt-black");
  self->title = gtk_label_new ("");
  self->detail = gtk_label_new ("");
  gtk_label_set_justify (GTK_LABEL (self->detail), GTK_JUSTIFY_CENTER);
  gtk_label_set_line_wrap (GTK_LABEL (self->detail), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->detail), 80);
  gtk_style_context_add_class (gtk_widget_get_style_context (self->title), "gvt-message");
  gtk_style_context_add_class (gtk_widget_get_style_context (self->detail), "gvt-detail");
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (box, GTK_ALIGN_CENTER);
  gtk_container_add (GTK_CONTAINER (box), self->title);
  gtk_container_add (GTK_CONTAINER (box), self->detail);
  gtk_container_add (GTK_CONTAINER (self->page), box);
  return self;
}

GtkWidget *gvt_status_page_get_widget (GvtStatusPage *self) { return self->page; }
const char *gvt_status_page_get_title (GvtStatusPage *self) { return gtk_label_get_text (GTK_LABEL (self->title)); }
const char *gvt_status_page_get_detail (GvtStatusPage *self) { return gtk_label_get_text (GTK_LABEL (self->detail)); }

void
gvt_status_page_show (GvtStatusPage *self, const GvtStatusInfo *info)
{
  g_autofree char *title = NULL;
  g_autofree char *detail = NULL;

  gvt_status_message (info, &title, &detail);
  gtk_label_set_text (GTK_LABEL (self->title), title);
  gtk_label_set_text (GTK_LABEL (self->detail), detail);
}

void
gvt_status_page_free (GvtStatusPage *self)
{
  g_free (self);
}
