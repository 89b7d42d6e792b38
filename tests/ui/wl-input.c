/* wl-input: a virtual pointer and a virtual keyboard on a wlroots
 * compositor (sway), driven by commands on stdin, for the Wayland input
 * tests. The devices live until stdin ends: a compositor adds a device to
 * the seat when it is made and takes it away when it goes, and clients
 * (GTK) get their wl_pointer / wl_keyboard only some time after, so a
 * short-lived device per event would lose events. While the keyboard is
 * there the seat has one, so the focused window has the keyboard focus as
 * on a desktop.
 *
 *   abs X Y W H       the pointer to (X, Y) of a W x H box over the outputs
 *   move DX DY        relative motion (what a mouse sends)
 *   button N press|release   N a Linux BTN_ code (272 = BTN_LEFT)
 *   key N press|release      N a Linux KEY_ code (the us layout); the
 *                     modifiers follow (a virtual keyboard sends them itself)
 *   sync              a round trip, then "ok" on stdout: all before it has
 *                     reached the compositor
 *
 * Every pointer event is followed by a frame. Exit status 0 at the end of
 * stdin, 1 on a bad line or a lost connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>
#include <xkbcommon/xkbcommon.h>

#include "virtual-keyboard-unstable-v1-client-protocol.h"
#include "virtual-pointer-unstable-v1-client-protocol.h"

static struct wl_seat *seat;
static struct zwlr_virtual_pointer_manager_v1 *manager;
static struct zwp_virtual_keyboard_manager_v1 *keyboard_manager;

static void
on_global (void *data, struct wl_registry *registry, uint32_t name, const char *interface,
           uint32_t version)
{
  if (strcmp (interface, wl_seat_interface.name) == 0 && seat == NULL)
    seat = wl_registry_bind (registry, name, &wl_seat_interface, 1);
  else if (strcmp (interface, zwlr_virtual_pointer_manager_v1_interface.name) == 0)
    manager = wl_registry_bind (registry, name, &zwlr_virtual_pointer_manager_v1_interface, 1);
  else if (strcmp (interface, zwp_virtual_keyboard_manager_v1_interface.name) == 0)
    keyboard_manager = wl_registry_bind (registry, name,
                                         &zwp_virtual_keyboard_manager_v1_interface, 1);
}

static void
on_global_remove (void *data, struct wl_registry *registry, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = { on_global, on_global_remove };

static uint32_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (uint32_t) (ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/* The keyboard, with the default (us) keymap of xkeyboard-config; its
 * state, to send the modifiers each key makes. */
static struct zwp_virtual_keyboard_v1 *
keyboard_new (struct xkb_state **state_out)
{
  struct xkb_context *context = xkb_context_new (XKB_CONTEXT_NO_FLAGS);
  struct xkb_keymap *keymap = context != NULL
    ? xkb_keymap_new_from_names (context, NULL, XKB_KEYMAP_COMPILE_NO_FLAGS) : NULL;
  if (keymap == NULL)
    {
      fprintf (stderr, "wl-input: no xkb keymap (xkb-data)\n");
      exit (1);
    }
  char *text = xkb_keymap_get_as_string (keymap, XKB_KEYMAP_FORMAT_TEXT_V1);
  size_t size = strlen (text) + 1;
  int fd = memfd_create ("keymap", MFD_CLOEXEC);
  if (fd < 0 || write (fd, text, size) != (ssize_t) size)
    {
      fprintf (stderr, "wl-input: cannot write the keymap\n");
      exit (1);
    }
  struct zwp_virtual_keyboard_v1 *keyboard =
    zwp_virtual_keyboard_manager_v1_create_virtual_keyboard (keyboard_manager, seat);
  zwp_virtual_keyboard_v1_keymap (keyboard, WL_KEYBOARD_KEYMAP_FORMAT_XKB_V1, fd, size);
  close (fd);
  free (text);
  *state_out = xkb_state_new (keymap);
  xkb_keymap_unref (keymap);
  xkb_context_unref (context);
  return keyboard;
}

int
main (void)
{
  struct wl_display *display = wl_display_connect (NULL);
  if (display == NULL)
    {
      fprintf (stderr, "wl-input: no Wayland display (WAYLAND_DISPLAY)\n");
      return 1;
    }
  struct wl_registry *registry = wl_display_get_registry (display);
  wl_registry_add_listener (registry, &registry_listener, NULL);
  wl_display_roundtrip (display);
  if (manager == NULL || keyboard_manager == NULL || seat == NULL)
    {
      fprintf (stderr, "wl-input: the compositor has no %s\n",
               manager == NULL ? "zwlr_virtual_pointer_manager_v1"
               : keyboard_manager == NULL ? "zwp_virtual_keyboard_manager_v1" : "seat");
      return 1;
    }
  struct zwlr_virtual_pointer_v1 *pointer =
    zwlr_virtual_pointer_manager_v1_create_virtual_pointer (manager, seat);
  struct xkb_state *xkb;
  struct zwp_virtual_keyboard_v1 *keyboard = keyboard_new (&xkb);
  wl_display_roundtrip (display);

  char line[256];
  while (fgets (line, sizeof line, stdin) != NULL)
    {
      double dx, dy;
      unsigned x, y, w, h, button;
      char state[16];

      if (sscanf (line, "abs %u %u %u %u", &x, &y, &w, &h) == 4)
        zwlr_virtual_pointer_v1_motion_absolute (pointer, now_ms (), x, y, w, h);
      else if (sscanf (line, "move %lf %lf", &dx, &dy) == 2)
        zwlr_virtual_pointer_v1_motion (pointer, now_ms (), wl_fixed_from_double (dx),
                                        wl_fixed_from_double (dy));
      else if (sscanf (line, "button %u %15s", &button, state) == 2
               && (strcmp (state, "press") == 0 || strcmp (state, "release") == 0))
        zwlr_virtual_pointer_v1_button (pointer, now_ms (), button,
                                        strcmp (state, "press") == 0
                                          ? WL_POINTER_BUTTON_STATE_PRESSED
                                          : WL_POINTER_BUTTON_STATE_RELEASED);
      else if (sscanf (line, "key %u %15s", &button, state) == 2
               && (strcmp (state, "press") == 0 || strcmp (state, "release") == 0))
        {
          int down = strcmp (state, "press") == 0;
          zwp_virtual_keyboard_v1_key (keyboard, now_ms (), button,
                                       down ? WL_KEYBOARD_KEY_STATE_PRESSED
                                            : WL_KEYBOARD_KEY_STATE_RELEASED);
          /* xkb keycodes are evdev codes + 8. */
          if (xkb_state_update_key (xkb, button + 8, down ? XKB_KEY_DOWN : XKB_KEY_UP) != 0)
            zwp_virtual_keyboard_v1_modifiers (
              keyboard, xkb_state_serialize_mods (xkb, XKB_STATE_MODS_DEPRESSED),
              xkb_state_serialize_mods (xkb, XKB_STATE_MODS_LATCHED),
              xkb_state_serialize_mods (xkb, XKB_STATE_MODS_LOCKED),
              xkb_state_serialize_layout (xkb, XKB_STATE_LAYOUT_EFFECTIVE));
          if (wl_display_flush (display) < 0)
            break;
          continue;
        }
      else if (strcmp (line, "sync\n") == 0)
        {
          if (wl_display_roundtrip (display) < 0)
            break;
          printf ("ok\n");
          fflush (stdout);
          continue;
        }
      else
        {
          fprintf (stderr, "wl-input: what is \"%.*s\"?\n", (int) strcspn (line, "\n"), line);
          return 1;
        }
      zwlr_virtual_pointer_v1_frame (pointer);
      if (wl_display_flush (display) < 0)
        break;
    }
  int lost = wl_display_get_error (display) != 0;
  zwlr_virtual_pointer_v1_destroy (pointer);
  zwp_virtual_keyboard_v1_destroy (keyboard);
  xkb_state_unref (xkb);
  wl_display_roundtrip (display);
  wl_display_disconnect (display);
  if (lost)
    fprintf (stderr, "wl-input: the connection to the compositor broke\n");
  return lost;
}
