/* placeholder */
#include "cmd.h"
