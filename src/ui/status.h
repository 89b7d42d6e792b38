/* What the window tells the user when it has no picture to show: the state
 * screens ("No signal", "Unsupported format", "No picture", "Device
 * lost") and the title. The words are GTK-free and unit-tested. */
#pragma once

#include <gtk/gtk.h>

#include "display/plane.h"
#include "display/plane-source.h"
#include "qemu/vm.h"

G_BEGIN_DECLS

typedef enum {
  GVT_UI_STATE_NO_SIGNAL,   /* no primary plane (yet) */
  GVT_UI_STATE_LIVE,        /* a picture */
  GVT_UI_STATE_UNSUPPORTED, /* the guest's plane can't be shown: see the reason */
  GVT_UI_STATE_LOST,        /* the device went away */
  /* The VM's states (QEMU link): the last frame is shown dimmed beneath. */
  GVT_UI_STATE_PAUSED,      /* the VM is stopped */
  GVT_UI_STATE_SHUT_DOWN,   /* the guest is off */
  GVT_UI_STATE_QEMU_EXITED, /* QEMU is gone (the link waits for it) */
} GvtUiState;

/* "no-signal", "live", "unsupported", "lost", "paused", "shut-down",
 * "qemu-exited": for --stats-file. */
const char *gvt_ui_state_to_string (GvtUiState state);

/* The screen for the session's @state when the renderer refused the
 * picture (@render_failed): UNSUPPORTED instead of LIVE. */
GvtUiState gvt_ui_state_for (GvtSourceState state, gboolean render_failed);

/* The screen for a VM in @vm whose picture's screen is @picture: the VM's
 * own states win (a paused VM is paused whatever it showed). */
GvtUiState gvt_ui_state_for_vm (GvtVmState vm, const char *detail, GvtUiState picture);

/* TRUE for the VM's states (a dimmed last frame beneath the words). */
gboolean gvt_ui_state_is_vm (GvtUiState state);

/* Everything the words depend on. */
typedef struct {
  GvtUiState state;
  const char *name;          /* "vfio 7", "demo" */
  GvtPlane *primary;         /* for the live title; may be NULL */
  const char *reason;        /* the session's, may be NULL */
  const char *render_error;  /* why the renderer refused the plane, or NULL */
  const char *gl_error;      /* why the surface has no GL, or NULL */
  const char *reopen_device; /* a lost device being reopened, or NULL */
  const char *vm_detail;     /* QEMU's word for the VM's state, or NULL */
  const char *qmp_path;      /* the QEMU link's socket, or NULL */
  const char *grab_label;    /* "Ctrl+Alt+G" while input is grabbed, else NULL */
} GvtStatusInfo;

/* "gvt-view — 1920×1080 XR24 (linear) — vfio 7", "gvt-view — no signal — sim";
 * while grabbed " (input grabbed — Ctrl+Alt+G releases)" after it. */
char *gvt_status_title (const GvtStatusInfo *info);

/* The screen's two lines: a title and the detail, never repeating the
 * title in the detail. Both g_free()d by the caller; "" on a live picture. */
void gvt_status_message (const GvtStatusInfo *info, char **title, char **detail);

/* The page: a black box with the two labels, centred. */
typedef struct _GvtStatusPage GvtStatusPage;

GvtStatusPage *gvt_status_page_new (void);
/* The page's widget, owned by whoever packs it. */
GtkWidget *gvt_status_page_get_widget (GvtStatusPage *self);
void gvt_status_page_show (GvtStatusPage *self, const GvtStatusInfo *info);
const char *gvt_status_page_get_title (GvtStatusPage *self);
const char *gvt_status_page_get_detail (GvtStatusPage *self);
/* Frees the struct; the widget goes with its container. */
void gvt_status_page_free (GvtStatusPage *self);

G_END_DECLS
