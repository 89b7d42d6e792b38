/* placeholder */
#include "scanout.h"
