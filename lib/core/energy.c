/* lib/core/energy.c — CPU energy from RAPL (/sys/class/powercap). Where it is not
 * readable the figure is reported unavailable, never estimated. */
#include <stdio.h>
#include <string.h>

#include "common.h"

int njord_energy_cpu(double *joules)
{
    /* sum the package domains intel-rapl:N (not the sub-domains intel-rapl:N:M) */
    double total = 0;
    int found = 0;
    for (int n = 0; n < 16; n++) {
        char path[96];
        snprintf(path, sizeof path, "/sys/class/powercap/intel-rapl:%d/energy_uj", n);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        unsigned long long uj = 0;
        if (fscanf(f, "%llu", &uj) == 1) {
            total += (double)uj * 1e-6;
            found++;
        }
        fclose(f);
    }
    if (!found)
        return nj_error(NJORD_ENOTSUP,
                        "CPU energy unavailable: no readable RAPL counter under /sys/class/powercap");
    *joules = total;
    return NJORD_OK;
}
