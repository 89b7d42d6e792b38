/* placeholder: the simulated vGPU */
#include "vgpu-sim.h"
GvtVgpu *gvt_sim_new (GvtSimMode m, GvtSimQuirks q, guint32 x, guint32 y) { return NULL; }
GvtSim *gvt_vgpu_get_sim (GvtVgpu *v) { return NULL; }
void gvt_sim_set_mode (GvtSim *s, guint32 f, guint64 m, guint32 w, guint32 h, guint32 st) { }
