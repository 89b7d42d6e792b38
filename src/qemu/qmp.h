/* A QMP client: one connection to QEMU's monitor over a UNIX socket,
 * asynchronous on the thread-default GMainContext of the thread that
 * connects (GIO streams, no blocking call anywhere). It reads the
 * greeting, negotiates capabilities, runs commands (each with an id and a
 * timeout; replies matched by id, in any order), delivers events, and
 * closes. The peer is untrusted (qmp-message.h): anything it breaks ends
 * the connection with a clear error, never a crash, a hang or unbounded
 * memory. Reconnecting is the caller's business (a closed client is dead;
 * make a new one). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _GvtQmp GvtQmp;

/* Default for connect and command timeouts. */
#define GVT_QMP_DEFAULT_TIMEOUT_MS 5000

typedef struct {
  /* The greeting came and qmp_capabilities was accepted (@error NULL), or
   * connecting failed (@error set; closed follows with the same error).
   * Called once. */
  void (*ready) (GvtQmp *qmp, const GError *error, gpointer user_data);
  /* An event: @name ("STOP", "RESET", ...), @data its "data" object or
   * NULL. Events before ready are delivered after it, in order. */
  void (*event) (GvtQmp *qmp, const char *name, JsonObject *data, gpointer user_data);
  /* The connection is over and nothing more will be called (but the
   * replies of commands executed after it, from an idle): @error says
   * why (G_IO_ERROR_CONNECTION_CLOSED for QEMU closing it or going away,
   * ECONNRESET included; GVT_ERROR_PROTOCOL, GVT_ERROR_TIMED_OUT, ...).
   * Each waiting command had its reply with @error before. Not called for
   * gvt_qmp_close(). Called once. */
  void (*closed) (GvtQmp *qmp, const GError *error, gpointer user_data);
} GvtQmpCallbacks;

/* Starts connecting to the UNIX socket at @path. @timeout_ms bounds
 * connect + greeting + capabilities (0: the default); a socket that is not
 * QMP (no greeting, or something else first) fails with a message naming
 * @path and what came ("PATH: not a QMP socket: it sent '...'", "PATH: no
 * QMP greeting in 5 s"). Errors: G_IO_ERROR_NOT_FOUND (no such socket),
 * G_IO_ERROR_CONNECTION_REFUSED (nobody listening: QEMU gone), permission,
 * GVT_ERROR_PROTOCOL, GVT_ERROR_TIMED_OUT — all through ready then closed,
 * never synchronously. @callbacks is copied; any member may be NULL. */
GvtQmp *gvt_qmp_connect (const char *path, guint timeout_ms, const GvtQmpCallbacks *callbacks,
                         gpointer user_data);

/* Closes now (no callback is called after it, also from inside one) and
 * frees. Pending commands are dropped without their callback. Accepts
 * NULL. Safe to call from any callback of this client. Also needed after
 * closed was called (the client is dead then, not freed). The socket's fd
 * is closed at once; the memory of the I/O this cancels goes when that
 * I/O returns, at the context's next iteration. */
void gvt_qmp_close (GvtQmp *self);

gboolean gvt_qmp_is_ready (GvtQmp *self);
const char *gvt_qmp_get_path (GvtQmp *self);
/* The user and group QEMU runs as (the socket's peer), once connected. */
gboolean gvt_qmp_get_peer (GvtQmp *self, guint *uid, guint *gid);
/* QEMU's version from the greeting (0s before it). */
void gvt_qmp_get_version (GvtQmp *self, int *major, int *minor, int *micro);

/* A command's answer: @result the "return" value (borrowed, for the call)
 * or NULL with @error: GVT_ERROR_QMP ("CLASS: desc" as QEMU said it),
 * or the connection's error when it closed first. Not called when the
 * client is closed with gvt_qmp_close() or the command cancelled. */
typedef void (*GvtQmpReply) (GvtQmp *qmp, JsonNode *result, const GError *error,
                             gpointer user_data);

/* Sends @command with @arguments (NULL for none; written out as JSON at
 * once, so later changes are not sent) once ready (queued before; its
 * timeout starts when it is sent). Returns its id (> 0; 0 is the
 * client's own qmp_capabilities). On a dead connection the reply comes
 * from an idle with the connection's error. A command not answered
 * in @timeout_ms (0: the default) closes the connection with
 * GVT_ERROR_TIMED_OUT ("QEMU did not answer 'CMD' in 5 s"): a monitor that
 * stopped answering can't be trusted to answer the next one in order. A
 * reply whose id was never sent (or has none) is a protocol error that
 * closes the connection too. At most 64 commands may wait at once; beyond,
 * the reply is called at once (from an idle) with G_IO_ERROR_BUSY. */
guint gvt_qmp_execute (GvtQmp *self, const char *command, JsonObject *arguments,
                       guint timeout_ms, GvtQmpReply reply, gpointer user_data);

/* The reply of @id is not wanted any more (its callback won't be called;
 * the answer, when it comes, is dropped quietly). A command not sent yet
 * is not sent; one sent still counts as pending until QEMU answers it, and
 * its timeout still applies. */
void gvt_qmp_cancel (GvtQmp *self, guint id);

/* Test hook: commands waiting for QEMU's answer (queued, or sent). */
guint gvt_qmp_get_pending (GvtQmp *self);

G_END_DECLS
