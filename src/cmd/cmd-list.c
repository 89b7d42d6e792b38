/* placeholder: gvt-view list */
#include "cmd.h"
int gvt_cmd_list (int argc, char **argv, FILE *out, FILE *err) { return 1; }
