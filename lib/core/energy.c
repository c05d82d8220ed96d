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

/* GPU energy through NVML, loaded with dlopen: the library must work where no
 * NVIDIA driver exists. nvmlDeviceGetTotalEnergyConsumption (Volta and later)
 * gives millijoules since the driver was loaded. */
#include <dlfcn.h>
#include <pthread.h>

typedef int (*nvml_init_fn)(void);
typedef int (*nvml_handle_fn)(unsigned int, void **);
typedef int (*nvml_energy_fn)(void *, unsigned long long *);

static void *nvml_lib;
static nvml_handle_fn get_handle;
static nvml_energy_fn get_energy;
static int nvml_state; /* 1 ready, -1 unavailable */
static char why[256];

/* Load NVML once for all threads (pthread_once). */
static void nvml_load(void)
{
    nvml_state = -1;
    nvml_lib = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!nvml_lib) {
        snprintf(why, sizeof why, "libnvidia-ml.so.1 not loadable (no NVIDIA driver)");
        return;
    }
    nvml_init_fn init = (nvml_init_fn)dlsym(nvml_lib, "nvmlInit_v2");
    get_handle = (nvml_handle_fn)dlsym(nvml_lib, "nvmlDeviceGetHandleByIndex_v2");
    get_energy = (nvml_energy_fn)dlsym(nvml_lib, "nvmlDeviceGetTotalEnergyConsumption");
    if (!init || !get_handle || !get_energy)
        snprintf(why, sizeof why, "NVML lacks the energy counter functions");
    else if (init() != 0)
        snprintf(why, sizeof why, "nvmlInit failed");
    else
        nvml_state = 1;
}

int njord_energy_gpu(int device, double *joules)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, nvml_load);
    const int state = nvml_state;
    if (state != 1) return nj_error(NJORD_ENOTSUP, "GPU energy unavailable: %s", why);
    void *h = NULL;
    unsigned long long mj = 0;
    if (get_handle((unsigned)device, &h) != 0 || get_energy(h, &mj) != 0)
        return nj_error(NJORD_ENOTSUP,
                        "GPU energy unavailable: NVML has no energy counter for device %d", device);
    *joules = (double)mj * 1e-3;
    return NJORD_OK;
}
