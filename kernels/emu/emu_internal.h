/* kernels/emu/emu_internal.h — what cuda_emu.cc shares with the cuFFT and cuBLAS
 * emulations: device-memory checks, access scopes, error messages and counters. */
#ifndef NJ_EMU_INTERNAL_H
#define NJ_EMU_INTERNAL_H

#include <cstdarg>
#include <cstddef>
#include <string>

#include "cuda_emu.h"

namespace nj_emu {

/** Records `code` with a printf-style message as the thread's last error and returns
 *  it. Counts an error. */
cudaError_t fail(cudaError_t code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Records a message (for cuFFT / cuBLAS failures that have their own codes). */
void set_message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** true if [ptr, ptr+bytes) lies inside one live device allocation; else false and
 *  `why` says what the pointer is (host memory, pinned memory, past the end, ...). */
bool device_range(const void *ptr, size_t bytes, std::string &why);

/** While alive, device memory is accessible to this process (kernels, emulated
 *  library calls). Nestable, thread-safe. */
struct DeviceScope {
    DeviceScope();
    ~DeviceScope();
    DeviceScope(const DeviceScope &) = delete;
    DeviceScope &operator=(const DeviceScope &) = delete;
};

bool stream_valid(cudaStream_t stream);

enum Counter { C_FFT, C_BLAS };
void count(Counter c);

/** true when this call (of API function fn) is the one nj_emu_fail_after() chose to
 *  fail; the caller then fails with its API's code and a message. */
bool injected_failure(const char *fn);
/** live cuFFT plans / cuBLAS handles (for nj_emu_live_handles) */
size_t live_fft_plans();
size_t live_blas_handles();

} // namespace nj_emu

#endif
