/* The one error domain of gvt-view. */
#include "gvt-error.h"

G_DEFINE_QUARK (gvt-error-quark, gvt_error)
