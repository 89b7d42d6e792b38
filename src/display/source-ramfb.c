/* The ramfb source: screendump, read, check, show. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "source-ramfb.h"
#include "common/format.h"
#include "common/gvt-error.h"
#include "common/private-dir.h"
#include "qemu/ppm.h"

typedef struct {
  GvtSource base;
  GvtVm *vm;
  char *device;          /* what screendump is asked for; NULL: QEMU's primary console */
  gboolean find_device;  /* no --ramfb: look for the VM's ramfb on each connection */
  gboolean found;        /* the search is done for this connection */
  char *dir;
  char *file;
  /* The directory as made: every access to its file goes through it, so
   * that a directory renamed or swapped for a symlink by whoever owns it
   * (QEMU's user, when gvt-view runs as root) leads nowhere else. */
  int dirfd;

  guint generation;      /* gvt_vm_get_connects when the requests below were sent */
  GvtQmp *qmp;           /* the connection they went on (compared, never used) */
  guint request;         /* in flight, or 0 */
  gint64 sent_us;
  gint64 next_us;        /* the next dump, monotonic */
  gint64 interval_us;

  GvtPlane *primary;     /* the last picture, or NULL */
  GvtSourceChange pending;
  char *reason;          /* why there is no picture; NULL when there is */
  char *said;            /* the last failure logged, to say each once */
  gboolean refused;      /* QEMU answered the last dump with an error */
  gboolean shared;       /* the directory is writable by this connection's QEMU */
  gboolean stopped_dumped; /* the one dump of a stopped VM is asked for */
  guint fetches, dumps;
} RamfbSource;

#define DUMP_NAME "screen.ppm"

static int
open_dir (const char *path)
{
  return open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* The file and the directory go, this one only: what sits at its path
 * now may be another (renamed, swapped: then it is left alone, said). */
static void
remove_dir (RamfbSource *self)
{
  struct stat mine, there;

  if (self->dirfd >= 0)
    {
      unlinkat (self->dirfd, DUMP_NAME, 0);
      if (fstat (self->dirfd, &mine) == 0 && lstat (self->dir, &there) == 0
          && mine.st_dev == there.st_dev && mine.st_ino == there.st_ino)
        {
          if (g_rmdir (self->dir) != 0)
            g_message ("can't remove %s: %s", self->dir, g_strerror (errno));
        }
      else
        g_message ("%s is not the screendump directory gvt-view made any more: left alone",
                   self->dir);
      close (self->dirfd);
    }
  self->dirfd = -1;
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->file, g_free);
}

static void
set_reason (RamfbSource *self, const char *reason)
{
  g_free (self->reason);
  self->reason = g_strdup (reason);
}

/* Said once per distinct text, not at every dump. */
static void
say_failure (RamfbSource *self, const char *what)
{
  if (g_strcmp0 (self->said, what) == 0)
    return;
  g_free (self->said);
  self->said = g_strdup (what);
  g_message ("%s: %s", self->base.name, what);
}

static void
set_name (RamfbSource *self)
{
  g_free (self->base.name);
  self->base.name = self->device ? g_strdup_printf ("ramfb %s", self->device)
                                 : g_strdup ("QEMU console");
}

static void
free_pixels (void *data, gsize size)
{
  g_free (data);
}

/* Reads @len bytes at @offset: FALSE when the file has fewer (QEMU, or
 * whoever shares the directory, may cut it while we read). */
static gboolean
read_exactly (int fd, guint8 *buf, gsize len, guint64 offset)
{
  while (len > 0)
    {
      ssize_t n = pread (fd, buf, len, (off_t) offset);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      buf += n;
      len -= (gsize) n;
      offset += (guint64) n;
    }
  return TRUE;
}

/* The dump QEMU just wrote, as a plane; NULL with why. */
static GvtPlane *
read_dump (RamfbSource *self, GError **error)
{
  int fd = openat (self->dirfd, DUMP_NAME, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0)
    {
      int e = errno;
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "QEMU said the screendump was written, but %s can't be opened: %s",
                   self->file, g_strerror (e));
      return NULL;
    }
  /* Ours alone from here: QEMU's next dump makes a new file. */
  unlinkat (self->dirfd, DUMP_NAME, 0);

  /* Unlinked, QEMU's file has no name left; a hard link to some other
   * file (made by whoever can write the directory) still has one. */
  struct stat st;
  if (fstat (fd, &st) == 0 && S_ISREG (st.st_mode) && st.st_nlink != 0)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "the screendump is a link to another file (%ju names): not read",
                   (uintmax_t) st.st_nlink);
      close (fd);
      return NULL;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode) || st.st_size <= 0
      || (guint64) st.st_size > GVT_PPM_MAX_HEADER + (guint64) GVT_PPM_MAX_PIXELS * 3)
    {
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL,
                   "the screendump is not a file of a size a picture can have (%lld bytes)",
                   (long long) st.st_size);
      close (fd);
      return NULL;
    }
  /* Read, not mapped: a file that someone else can still cut would make
   * every later touch of a mapping a SIGBUS. */
  guint8 header[GVT_PPM_MAX_HEADER];
  gsize head = MIN ((gsize) st.st_size, sizeof header);
  GvtPpmInfo info;
  if (!read_exactly (fd, header, head, 0))
    g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL, "the screendump was cut while read");
  else if (gvt_ppm_parse_header (header, head, (guint64) st.st_size, &info, error))
    {
      gsize bytes = (gsize) info.stride * info.height;
      g_autofree guint8 *pixels = g_malloc (bytes);
      if (read_exactly (fd, pixels, bytes, info.offset))
        {
          close (fd);
          g_autoptr (GvtBuffer) buffer =
            gvt_buffer_new_memory (g_steal_pointer (&pixels), bytes, free_pixels);
          return gvt_plane_new_memory (GVT_FORMAT_BGR888, info.width, info.height, info.stride,
                                       buffer);
        }
      g_set_error (error, GVT_ERROR, GVT_ERROR_PROTOCOL, "the screendump was cut while read");
    }
  close (fd);
  return NULL;
}

static gboolean
same_picture (GvtPlane *a, GvtPlane *b)
{
  if (a == NULL || b == NULL || gvt_plane_get_width (a) != gvt_plane_get_width (b)
      || gvt_plane_get_height (a) != gvt_plane_get_height (b))
    return FALSE;
  GvtBuffer *ba = gvt_plane_get_buffer (a), *bb = gvt_plane_get_buffer (b);
  return memcmp (gvt_buffer_map (ba, NULL), gvt_buffer_map (bb, NULL),
                 gvt_buffer_get_size (ba)) == 0;
}

static void
on_dump (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  RamfbSource *self = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr (GError) read_error = NULL;

  self->request = 0;
  /* What a dump costs QEMU is about its round trip: keep them to a
   * twentieth of its time. */
  self->interval_us = CLAMP ((now - self->sent_us) * GVT_SOURCE_RAMFB_COST_FACTOR,
                             GVT_SOURCE_RAMFB_MIN_INTERVAL_US, GVT_SOURCE_RAMFB_MAX_INTERVAL_US);
  self->next_us = now + self->interval_us;
  if (error != NULL)
    {
      /* The connection's end is the VM link's news; QEMU's refusal ours. */
      if (g_error_matches (error, GVT_ERROR, GVT_ERROR_QMP))
        {
          g_autofree char *why = g_strdup_printf ("QEMU refuses the screendump: %s",
                                                  error->message);
          self->refused = TRUE;
          say_failure (self, why);
          if (self->primary == NULL)
            set_reason (self, why);
          self->next_us = now + GVT_SOURCE_RAMFB_MAX_INTERVAL_US;
        }
      return;
    }
  self->dumps++;
  self->refused = FALSE;
  GvtPlane *plane = read_dump (self, &read_error);
  if (plane == NULL)
    {
      say_failure (self, read_error->message);
      if (self->primary == NULL)
        set_reason (self, read_error->message);
      return;
    }
  g_clear_pointer (&self->said, g_free);
  g_clear_pointer (&self->reason, g_free);
  if (same_picture (self->primary, plane))
    {
      /* Most dumps: nothing moved. No change, no upload. */
      gvt_plane_unref (plane);
      return;
    }
  if (self->primary == NULL)
    g_debug ("%s: %ux%u", self->base.name, gvt_plane_get_width (plane),
             gvt_plane_get_height (plane));
  g_clear_pointer (&self->primary, gvt_plane_unref);
  self->primary = plane;
  self->fetches++;
  self->pending |= GVT_SOURCE_PRIMARY_CHANGED;
}

static void
send_dump (RamfbSource *self, GvtQmp *qmp, gint64 now)
{
  g_autoptr (JsonObject) args = json_object_new ();

  json_object_set_string_member (args, "filename", self->file);
  if (self->device != NULL)
    json_object_set_string_member (args, "device", self->device);
  json_object_set_string_member (args, "format", "ppm");
  self->sent_us = now;
  self->request = gvt_qmp_execute (qmp, "screendump", args, 0, on_dump, self);
}

/* qom-list /machine/peripheral: the devices given an id; the first
 * child<ramfb> is the one. */
static void
on_devices (GvtQmp *qmp, JsonNode *result, const GError *error, gpointer user_data)
{
  RamfbSource *self = user_data;
  JsonArray *list = result && JSON_NODE_HOLDS_ARRAY (result) ? json_node_get_array (result) : NULL;

  self->request = 0;
  if (error != NULL && !g_error_matches (error, GVT_ERROR, GVT_ERROR_QMP))
    return;
  self->found = TRUE;
  g_clear_pointer (&self->device, g_free);
  for (guint i = 0; list != NULL && i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonNode *name = o ? json_object_get_member (o, "name") : NULL;
      JsonNode *type = o ? json_object_get_member (o, "type") : NULL;
      if (name && type && json_node_get_value_type (name) == G_TYPE_STRING
          && json_node_get_value_type (type) == G_TYPE_STRING
          && g_strcmp0 (json_node_get_string (type), "child<ramfb>") == 0
          && json_node_get_string (name)[0] != '\0')
        {
          self->device = g_strdup (json_node_get_string (name));
          break;
        }
    }
  if (self->device == NULL)
    say_failure (self, "the VM has no ramfb with an id (-device ramfb,id=fb0): showing QEMU's "
                       "primary console; name a device with --ramfb ID");
  set_name (self);
}

static void
find_device (RamfbSource *self, GvtQmp *qmp)
{
  g_autoptr (JsonObject) args = json_object_new ();

  json_object_set_string_member (args, "path", "/machine/peripheral");
  self->request = gvt_qmp_execute (qmp, "qom-list", args, 0, on_devices, self);
}

/* QEMU writes the dumps into our private directory. When it runs as
 * another user (libvirt's libvirt-qemu), that user must reach it: root
 * makes one under the temporary directory (every user may pass through
 * it, unlike $XDG_RUNTIME_DIR) and gives it to QEMU's user; still 0700, so
 * no one else may read the guest's screen or swap the file, and root reads
 * what QEMU writes. */
static void
share_dir (RamfbSource *self, GvtQmp *qmp)
{
  guint uid, gid;
  struct stat st;

  if (!gvt_qmp_get_peer (qmp, &uid, &gid) || stat (self->dir, &st) < 0 || st.st_uid == uid)
    return;
  if (geteuid () != 0)
    {
      say_failure (self, "QEMU runs as another user and can't write screendumps into gvt-view's "
                         "private directory: run gvt-view as QEMU's user, or as root");
      return;
    }
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = gvt_private_dir_make (g_get_tmp_dir (), "QEMU's screendumps", &error);
  /* Opened while it is still ours alone, then given away. */
  int dirfd = dir ? open_dir (dir) : -1;
  if (dir == NULL || dirfd < 0 || fchown (dirfd, uid, gid) != 0)
    {
      g_message ("%s: no screendump directory for QEMU's user (uid %u): %s", self->base.name,
                 uid, error ? error->message : g_strerror (errno));
      if (dirfd >= 0)
        close (dirfd);
      if (dir != NULL)
        g_rmdir (dir);
      return;
    }
  g_debug ("%s: QEMU runs as uid %u: screendumps go to %s", self->base.name, uid, dir);
  remove_dir (self);
  self->dir = g_steal_pointer (&dir);
  self->file = g_build_filename (self->dir, DUMP_NAME, NULL);
  self->dirfd = dirfd;
}

static GvtSourceChange
ramfb_poll (GvtSource *source, gint64 now_us)
{
  RamfbSource *self = (RamfbSource *) source;
  GvtQmp *qmp = gvt_vm_get_qmp (self->vm);
  guint generation = gvt_vm_get_connects (self->vm);
  GvtSourceChange change = self->pending;

  self->pending = GVT_SOURCE_NOTHING;
  if (generation != self->generation || qmp != self->qmp)
    {
      /* A new connection (or none): what was in flight went with the old. */
      if (self->request != 0 && self->qmp != NULL && self->qmp == qmp)
        gvt_qmp_cancel (qmp, self->request);
      self->request = 0;
      self->generation = generation;
      self->qmp = qmp;
      self->found = !self->find_device;
      self->next_us = 0;
      self->shared = FALSE;
    }
  if (qmp == NULL || self->request != 0)
    return change;
  if (!self->shared && gvt_qmp_is_ready (qmp))
    {
      share_dir (self, qmp);
      self->shared = TRUE;
    }

  GvtVmState state = gvt_vm_get_state (self->vm);
  /* A stopped VM's picture can't change: one dump after it stopped, for
   * the picture as it stopped beneath the "paused" screen, then none. */
  gboolean stopped = state == GVT_VM_PAUSED || state == GVT_VM_SHUT_DOWN;
  if (!stopped)
    self->stopped_dumped = FALSE;
  else if (self->stopped_dumped || state == GVT_VM_SHUT_DOWN)
    return change;
  if (!self->found)
    find_device (self, qmp);
  else if (stopped || now_us >= self->next_us)
    {
      send_dump (self, qmp, now_us);
      self->stopped_dumped = stopped;
    }
  return change;
}

static GvtSourceState
ramfb_get_state (GvtSource *source)
{
  return ((RamfbSource *) source)->primary ? GVT_SOURCE_STATE_LIVE : GVT_SOURCE_STATE_NO_SIGNAL;
}

static const char *
ramfb_get_reason (GvtSource *source)
{
  RamfbSource *self = (RamfbSource *) source;

  if (self->primary != NULL)
    return NULL;
  if (self->reason != NULL)
    return self->reason;
  return gvt_vm_get_qmp (self->vm) ? "waiting for QEMU's first screendump"
                                   : "waiting for the QEMU link";
}

static GvtPlane *ramfb_get_primary (GvtSource *source) { return ((RamfbSource *) source)->primary; }
static GvtPlane *ramfb_get_cursor (GvtSource *source) { return NULL; }

static void
ramfb_drop (GvtSource *source)
{
  RamfbSource *self = (RamfbSource *) source;

  if (self->primary != NULL)
    self->pending |= GVT_SOURCE_PRIMARY_CHANGED;
  g_clear_pointer (&self->primary, gvt_plane_unref);
  self->next_us = 0;
}

static void
ramfb_finalize (GvtSource *source)
{
  RamfbSource *self = (RamfbSource *) source;

  if (self->request != 0 && self->qmp != NULL && self->qmp == gvt_vm_get_qmp (self->vm))
    gvt_qmp_cancel (self->qmp, self->request);
  g_clear_pointer (&self->primary, gvt_plane_unref);
  remove_dir (self);
  g_free (self->device);
  g_free (self->reason);
  g_free (self->said);
}

static const GvtSourceOps ramfb_ops = {
  .kind = "ramfb",
  .poll = ramfb_poll,
  .get_state = ramfb_get_state,
  .get_reason = ramfb_get_reason,
  .get_primary = ramfb_get_primary,
  .get_cursor = ramfb_get_cursor,
  .drop = ramfb_drop,
  .finalize = ramfb_finalize,
};

GvtSource *
gvt_source_ramfb_new (GvtVm *vm, const char *device_id, GError **error)
{
  /* 0700: nobody else may read the guest's screen or swap the file. */
  g_autofree char *dir = gvt_private_dir_make (NULL, "screendumps", error);
  if (dir == NULL)
    return NULL;
  int dirfd = open_dir (dir);
  if (dirfd < 0)
    {
      int e = errno;
      g_set_error (error, GVT_ERROR, GVT_ERROR_FAILED, "can't open %s: %s", dir, g_strerror (e));
      g_rmdir (dir);
      return NULL;
    }
  RamfbSource *self = gvt_source_alloc (sizeof (RamfbSource), &ramfb_ops, "ramfb");
  self->vm = vm;
  self->dir = g_steal_pointer (&dir);
  self->file = g_build_filename (self->dir, DUMP_NAME, NULL);
  self->dirfd = dirfd;
  self->device = g_strdup (device_id);
  self->find_device = device_id == NULL;
  self->interval_us = GVT_SOURCE_RAMFB_MIN_INTERVAL_US;
  set_name (self);
  return &self->base;
}

static RamfbSource *
ramfb (GvtSource *source)
{
  return source != NULL && source->ops == &ramfb_ops ? (RamfbSource *) source : NULL;
}

guint gvt_source_ramfb_get_fetches (GvtSource *s) { return ramfb (s) ? ramfb (s)->fetches : 0; }
gboolean gvt_source_ramfb_is_refused (GvtSource *s) { return ramfb (s) && ramfb (s)->refused; }
guint gvt_source_ramfb_get_dumps (GvtSource *s) { return ramfb (s) ? ramfb (s)->dumps : 0; }
const char *gvt_source_ramfb_get_dir (GvtSource *s) { return ramfb (s) ? ramfb (s)->dir : NULL; }

void
gvt_source_ramfb_fetch_soon (GvtSource *source)
{
  if (ramfb (source) != NULL)
    ramfb (source)->next_us = 0;
}
