/* Input to the VM through QMP input-send-event: keys by qcode, buttons,
 * absolute (0..0x7FFF, a tablet's) and relative pointer motion. Events are
 * queued and sent as one command per main-loop turn, commands pipelined
 * (not waiting for each answer); pointer motion is coalesced: a move
 * queued after a move replaces it (absolute) or adds to it (relative),
 * and while motion alone is waiting, it waits for the command in flight,
 * so a fast mouse costs at most one command per round trip. Order is kept
 * otherwise (a button goes where the pointer was when it was pressed).
 * Keys and buttons down are tracked: a key already down is not sent again
 * (host auto-repeat: the guest repeats on its own), and release_all lets
 * go of everything (focus lost, window hidden, link dropped: no stuck keys
 * in the guest). Asynchronous on the thread-default main context of the
 * creator. */
#pragma once

#include <glib.h>

#include "vm.h"

G_BEGIN_DECLS

/* QEMU's abs axis range (both axes). */
#define GVT_QEMU_ABS_MAX 0x7FFF

typedef enum {
  GVT_QEMU_BUTTON_LEFT,
  GVT_QEMU_BUTTON_MIDDLE,
  GVT_QEMU_BUTTON_RIGHT,
  GVT_QEMU_BUTTON_WHEEL_UP,
  GVT_QEMU_BUTTON_WHEEL_DOWN,
  GVT_QEMU_BUTTON_SIDE,
  GVT_QEMU_BUTTON_EXTRA,
  GVT_QEMU_BUTTON_WHEEL_LEFT,
  GVT_QEMU_BUTTON_WHEEL_RIGHT,
} GvtQemuButton;

/* QMP's InputButton names: "left", ..., "wheel-up", ... */
const char *gvt_qemu_button_name (GvtQemuButton button);

typedef struct {
  guint64 commands;        /* input-send-event commands sent */
  guint64 events;          /* events in them */
  guint64 coalesced;       /* motion events merged into another */
  guint64 repeats_dropped; /* key presses of keys already down */
  guint64 errors;          /* commands QEMU refused */
  guint keys_down;         /* keys down in the guest now, as sent */
  guint queued;            /* inputs waiting to be sent (a move counts one),
                            * releases owed included */
  guint in_flight;         /* commands waiting for QEMU's answer */
} GvtQemuInputStats;

typedef struct _GvtQemuInput GvtQemuInput;

/* Sends through @vm's connection (borrowed: free the input first; asked
 * at each send, so a reconnected QEMU gets the next events). Nothing is
 * sent while @vm has no connection: queued events are dropped then, and
 * keys still down are released on the next connection, once the VM runs
 * (QEMU refuses input while it is paused: releases it refused are sent
 * again when it runs). A kind of event QEMU has no device for ("Input
 * handler not found", abs without a tablet) is not sent again on that
 * connection: QEMU refuses a whole command for one such event. */
GvtQemuInput *gvt_qemu_input_new (GvtVm *vm);
/* Drops what is queued; answers still to come are not waited for.
 * Accepts NULL. */
void gvt_qemu_input_free (GvtQemuInput *self);

/* @qcode is a gvt_keymap_qcode name (not checked here: QEMU refuses
 * unknown ones, said once). */
void gvt_qemu_input_key (GvtQemuInput *self, const char *qcode, gboolean down);
void gvt_qemu_input_button (GvtQemuInput *self, GvtQemuButton button, gboolean down);
/* One wheel step: the button down and up. */
void gvt_qemu_input_wheel (GvtQemuInput *self, GvtQemuButton button);
/* Each 0..GVT_QEMU_ABS_MAX (clamped). */
void gvt_qemu_input_abs (GvtQemuInput *self, guint x, guint y);
void gvt_qemu_input_rel (GvtQemuInput *self, int dx, int dy);
/* Every key and button down goes up (queued like the rest). */
void gvt_qemu_input_release_all (GvtQemuInput *self);

void gvt_qemu_input_get_stats (GvtQemuInput *self, GvtQemuInputStats *stats);

/* A guest position @x in 0..@size (clamped; fractions dropped) as QEMU's
 * abs value, the way QEMU scales its own displays' pointers
 * (qemu_input_queue_abs over 0..surface width): x * 0x7FFF / size. */
guint gvt_qemu_abs_from_pixel (double x, guint size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GvtQemuInput, gvt_qemu_input_free)

G_END_DECLS
