/* `gvt-view doctor [DEVICE|qemu:PID|NAME] [--json]`: the host's set-up,
 * checked (doctor.c), for people or for scripts.
 *
 * JSON output: one array, an object per check, in the order run:
 *
 *   [
 *     {
 *       "id": "gvt-enabled",     stable name of the check
 *       "status": "fail",        "ok", "warn", "fail" or "skip"
 *       "summary": "i915.enable_gvt is off ('N')",   what was seen
 *       "fix": "echo 'options i915 enable_gvt=1' | sudo tee ..."
 *                                commands to paste (lines joined by \n), or null
 *     }
 *   ]
 *
 * Exit status: 0 when no check fails (warnings allowed), 1 when one does,
 * 2 for bad usage. */
#include <json-glib/json-glib.h>

#include "cmd.h"
#include "cmd-render.h"
#include "doctor.h"

static void
print_text (FILE *out, GPtrArray *checks)
{
  guint counts[4] = { 0 };

  for (guint i = 0; i < checks->len; i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      counts[c->status]++;
      fprintf (out, "%-4s  %-24s %s\n", gvt_doctor_status_to_string (c->status), c->id,
               c->summary);
      if (c->fix == NULL)
        continue;
      g_auto (GStrv) lines = g_strsplit (c->fix, "\n", -1);
      for (char **l = lines; *l; l++)
        fprintf (out, "%-4s  %-24s %s %s\n", "", "", l == lines ? "fix:" : "    ", *l);
    }
  fprintf (out, "%u ok, %u warn, %u fail, %u skip\n", counts[GVT_DOCTOR_OK],
           counts[GVT_DOCTOR_WARN], counts[GVT_DOCTOR_FAIL], counts[GVT_DOCTOR_SKIP]);
}

static void
print_json (FILE *out, GPtrArray *checks)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < checks->len; i++)
    {
      const GvtDoctorCheck *c = checks->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, c->id);
      json_builder_set_member_name (b, "status");
      json_builder_add_string_value (b, gvt_doctor_status_to_string (c->status));
      json_builder_set_member_name (b, "summary");
      json_builder_add_string_value (b, c->summary);
      json_builder_set_member_name (b, "fix");
      if (c->fix)
        json_builder_add_string_value (b, c->fix);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  gvt_cmd_print_json (out, b, TRUE);
}

int
gvt_cmd_doctor_host (int argc, char **argv, FILE *out, FILE *err, const GvtDoctorHost *host)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print JSON (see README: doctor JSON)", NULL },
    { NULL }
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new (
    "[DEVICE|qemu:PID|NAME] — check the host's set-up for vGPUs (and a device's, a VM's)");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx,
    "Each check says ok, warn, fail or skip, what it saw, and the commands that fix it.\n"
    "Exit status: 0 when nothing fails, 1 when a check fails.\n\n"
    "DEVICE: /dev/vfio/N, /dev/vfio/devices/vfioX, an mdev UUID, /sys/bus/mdev/devices/UUID,\n"
    "sim; qemu:PID or qemu:NAME checks that VM (its QEMU, memory lock, QMP) and its vGPU.");
  if (!gvt_cmd_parse_device_args (ctx, &argc, &argv, &error))
    return gvt_cmd_fail (err, error);

  g_autoptr (GPtrArray) checks = gvt_doctor_run (host, argc > 1 ? argv[1] : NULL);
  gboolean failed = FALSE;
  for (guint i = 0; i < checks->len; i++)
    failed |= ((GvtDoctorCheck *) checks->pdata[i])->status == GVT_DOCTOR_FAIL;
  if (json)
    print_json (out, checks);
  else
    print_text (out, checks);
  return failed ? 1 : 0;
}

int
gvt_cmd_doctor (int argc, char **argv, FILE *out, FILE *err)
{
  const GvtDoctorHost host = { .egl = TRUE };
  return gvt_cmd_doctor_host (argc, argv, out, err, &host);
}
