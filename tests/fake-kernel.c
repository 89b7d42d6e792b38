/* placeholder */
#include "fake-kernel.h"
