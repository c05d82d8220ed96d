# Njord — one entry point: make, make check, make bench-sht, make install.
#
#   make                 install missing Debian packages, build libnjord (double) and
#                        libnjord_sp (single), the njord command and the examples
#   make run             the default forecast (Galewsky T85, 6 days) -> build/run/
#   make check           build and run the test suite for both precisions
#   make PRECISION=single  build only the single-precision library and its tests
#   make install PREFIX=/usr/local
#   make bench-sht       transform benchmark -> bench/results/sht.json
#   make bench-mpi       distributed transform benchmark -> bench/results/mpi.json
#   make bench-sw        shallow-water model SDPD and time split -> bench/results/sw.json
#   make bench-dry       primitive-equation model (JW06, T85L26, T170L26) -> bench/results/dry.json
#   make validate-dry    long validation of the dry core (JW06 convergence, 30-day
#                        steady state, Held-Suarez climate) -> bench/results/validate-dry/
#   make sanitize        test suite under AddressSanitizer + UBSan
#   make valgrind        test suite under valgrind memcheck

PREFIX     ?= /usr/local
comma      := ,
PRECISION  ?= both
CC         ?= gcc
OPT        ?= -O3
PYTHON     ?= /usr/bin/python3
BUILD      ?= build
V          ?= 0
ifeq ($(V),0)
  Q := @
endif
VERSION    := 0.1.0
SOVERSION  := 0

ifeq ($(PRECISION),both)
  PRECS := dp sp
else ifeq ($(PRECISION),double)
  PRECS := dp
else ifeq ($(PRECISION),single)
  PRECS := sp
else
  $(error PRECISION must be double, single or both (got '$(PRECISION)'))
endif

MULTIARCH  := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
BLASDIR    := /usr/lib/$(MULTIARCH)/openblas-openmp
BLASINC    := /usr/include/$(MULTIARCH)/openblas-openmp
MPI_CFLAGS := $(shell mpicc --showme:compile 2>/dev/null)
MPI_LIBS   := $(shell mpicc --showme:link 2>/dev/null)

WARN       := -Wall -Wextra -Werror -Wshadow -Wno-unknown-pragmas
CFLAGS_ALL := -std=c11 $(OPT) -g -fPIC -fopenmp $(WARN) -D_GNU_SOURCE \
              -Iinclude -Ilib -I$(BLASINC) $(MPI_CFLAGS) $(EXTRA_CFLAGS)
LDLIBS_COMMON := -L$(BLASDIR) -Wl,-rpath,$(BLASDIR) -lopenblas -lnetcdf $(MPI_LIBS) -lm -ldl -fopenmp

# per precision
CFLAGS_dp  := $(CFLAGS_ALL)
CFLAGS_sp  := $(CFLAGS_ALL) -DNJORD_SINGLE
LIBNAME_dp := njord
LIBNAME_sp := njord_sp
FFTW_dp    := -lfftw3
FFTW_sp    := -lfftw3f

# CUDA: the backend is compiled whenever nvcc is found (CUDA=0 disables it); the
# same kernels/*.cu also build against the host emulation (kernels/emu) for the
# GPU test suite, which `make check` runs everywhere.
CUDA       ?= auto
include kernels/emu/emu.mk
ifeq ($(CUDA),auto)
  HAVE_CUDA := $(if $(wildcard $(NVCC)),1,0)
else ifeq ($(CUDA),0)
  HAVE_CUDA := 0
else
  HAVE_CUDA := 1
endif
CU_SRC     := $(sort $(wildcard kernels/*.cu))
GPU_TEST_SRC := $(sort $(wildcard tests/gpu_*.c)) tests/mpi_sht.c tests/mpi_sw.c tests/mpi_pe.c

# The Legendre-step kernels, the FFTs and the Legendre recurrence multiply-add in
# one rounding where the processor can (lib/backend/cpu_leg.c, cpu_fft.c,
# lib/sht/legendre.c); the rest of the library is ISO C without contraction.
# -fno-math-errno: sqrt becomes the (correctly rounded) instruction, without the
# errno branch that kept the recurrence's factors from being vectorised.
CONTRACT_SRC   := lib/backend/cpu_leg.c lib/backend/cpu_fft.c lib/sht/legendre.c
CONTRACT_FLAGS := -ffp-contract=fast -fno-math-errno -Wno-psabi
LIB_SRC    := $(filter-out lib/backend/cuda_probe.c,$(sort $(wildcard lib/*/*.c)))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/*_tool.c tests/mpi_*.c))
EX_SRC     := $(sort $(wildcard examples/*.c))

.PHONY: all deps lib check test install uninstall clean bench-sht bench-mpi bench-sw bench-dry validate-dry sanitize valgrind run
.DEFAULT_GOAL := all

all: deps lib $(BUILD)/njord examples

deps:
	@NJORD_DEPS="$(NJORD_DEPS)" tools/install-deps.sh

# ---------------------------------------------------------------- per-precision rules
define PREC_RULES
CORE_$(1) := $$(LIB_SRC:%.c=$(BUILD)/$(1)/%.o)
ifeq ($(HAVE_CUDA),1)
OBJ_$(1)  := $$(CORE_$(1)) $$(CU_SRC:%.cu=$(BUILD)/$(1)/%.cu.o)
else
OBJ_$(1)  := $$(CORE_$(1)) $(BUILD)/$(1)/lib/backend/cuda_probe.o
endif
EMUOBJ_$(1) := $$(CORE_$(1)) $$(CU_SRC:%.cu=$(BUILD)/emu-$(1)/%.o) $$(EMU_SRC:%.cc=$(BUILD)/emu-$(1)/%.o)
LIBEMU_$(1) := $(BUILD)/emu-$(1)/libnjord_emu.a
GPUTESTS_EMU_$(1) := $$(GPU_TEST_SRC:tests/%.c=$(BUILD)/emu-$(1)/tests/%)
GPUTESTS_$(1) := $$(if $$(filter 1,$(HAVE_CUDA)),$$(GPU_TEST_SRC:tests/%.c=$(BUILD)/$(1)/tests/%))
LIBA_$(1) := $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).a
LIBSO_$(1):= $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).so.$(VERSION)
TESTS_$(1):= $$(TEST_SRC:tests/%.c=$(BUILD)/$(1)/tests/%)
TOOLS_$(1):= $$(TOOL_SRC:tests/%.c=$(BUILD)/$(1)/tests/%)
EXS_$(1)  := $$(EX_SRC:examples/%.c=$(BUILD)/$(1)/examples/%)
LINK_$(1) := $$(FFTW_$(1)) $$(LDLIBS_COMMON) $$(if $$(filter 1,$(HAVE_CUDA)),$$(CUDA_LIBS) -lstdc++)
LINKEMU_$(1) := $$(FFTW_$(1)) $$(LDLIBS_COMMON) $$(EMU_LIBS) -lstdc++

$(BUILD)/$(1)/%.cu.o: %.cu $$(wildcard include/*.h include/njord/*.h lib/*/*.h kernels/common/*.h) | deps
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  NVCC  $$@')
	$$(Q)$$(NVCC) $$(NVCC_FLAGS) $$(if $$(filter sp,$(1)),-DNJORD_SINGLE) -Iinclude -Ilib $$(MPI_CFLAGS) -c $$< -o $$@

$(BUILD)/emu-$(1)/%.o: %.cu $$(wildcard include/*.h include/njord/*.h lib/*/*.h kernels/common/*.h) $$(EMU_HDR) | deps
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  EMU   $$@')
	$$(Q)$$(EMU_CXX) -x c++ $$(EMU_CXXFLAGS) $$(if $$(filter sp,$(1)),-DNJORD_SINGLE) -Iinclude -Ilib $$(MPI_CFLAGS) -c $$< -o $$@

$(BUILD)/emu-$(1)/%.o: %.cc $$(EMU_HDR) | deps
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  EMU   $$@')
	$$(Q)$$(EMU_CXX) $$(EMU_CXXFLAGS) -c $$< -o $$@

$$(LIBEMU_$(1)): $$(EMUOBJ_$(1))
	$$(Q)rm -f $$@
	$$(Q)ar rcs $$@ $$^

# GPU tests: against the host emulation (runs everywhere) and the real backend
$(BUILD)/emu-$(1)/tests/%: tests/%.c $$(LIBEMU_$(1))
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  LINK  $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$< -o $$@ $$(LIBEMU_$(1)) -lcmocka $$(LINKEMU_$(1))

$(BUILD)/$(1)/%.o: %.c $$(wildcard include/*.h include/njord/*.h lib/*/*.h kernels/common/*.h) | deps
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  CC    $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$(if $$(filter $$(CONTRACT_SRC),$$<),$$(CONTRACT_FLAGS)) -c $$< -o $$@

$$(LIBA_$(1)): $$(OBJ_$(1))
	@rm -f $$@
	$$(Q)ar rcs $$@ $$^

$$(LIBSO_$(1)): $$(OBJ_$(1))
	@$$(if $$(Q),echo '  LD    $$@')
	$$(Q)$$(CC) -shared -Wl,-soname,lib$$(LIBNAME_$(1)).so.$(SOVERSION) -o $$@ $$^ $$(LINK_$(1))
	$$(Q)ln -sf lib$$(LIBNAME_$(1)).so.$(VERSION) $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).so.$(SOVERSION)
	$$(Q)ln -sf lib$$(LIBNAME_$(1)).so.$(SOVERSION) $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).so

$(BUILD)/$(1)/tests/%: tests/%.c $$(LIBA_$(1))
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  LINK  $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$< -o $$@ $$(LIBA_$(1)) -lcmocka $$(LINK_$(1))

$(BUILD)/$(1)/examples/%: examples/%.c $$(LIBA_$(1))
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  LINK  $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$< -o $$@ $$(LIBA_$(1)) $$(LINK_$(1))

$(BUILD)/$(1)/apps/njord: apps/njord.c $$(LIBA_$(1))
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  LINK  $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) $$< -o $$@ $$(LIBA_$(1)) $$(LINK_$(1))
endef
$(foreach p,dp sp,$(eval $(call PREC_RULES,$(p))))

lib: $(foreach p,$(PRECS),$(LIBA_$(p)) $(LIBSO_$(p)))
examples: $(foreach p,$(PRECS),$(EXS_$(p)))
# the emulation's own test (tests/test_cuda_emu.cu): against the emulation, and
# compiled by nvcc for a real GPU
$(BUILD)/emu/test_cuda_emu: tests/test_cuda_emu.cu $(EMU_SRC:%.cc=$(BUILD)/emu-dp/%.o) $(EMU_HDR)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  EMU   $@')
	$(Q)$(EMU_CXX) $(EMU_CXXFLAGS) -x c++ $< -x none $(EMU_SRC:%.cc=$(BUILD)/emu-dp/%.o) -o $@ -lcmocka $(EMU_LIBS)

$(BUILD)/cuda/test_cuda_emu: tests/test_cuda_emu.cu kernels/common/nj_cuda.h
	@mkdir -p $(dir $@)
	@$(if $(Q),echo '  NVCC  $@')
	$(Q)$(NVCC) $(NVCC_FLAGS) $< -o $@ -lcmocka $(CUDA_LIBS)

EMU_SELFTEST := $(BUILD)/emu/test_cuda_emu $(if $(filter 1,$(HAVE_CUDA)),$(BUILD)/cuda/test_cuda_emu)

tests: $(foreach p,$(PRECS),$(TESTS_$(p)) $(TOOLS_$(p)) $(GPUTESTS_EMU_$(p)) $(GPUTESTS_$(p))) $(EMU_SELFTEST)

# the njord command of the first precision built (double unless PRECISION=single);
# checked on every make, since a build with another PRECISION leaves a newer copy
$(BUILD)/njord: $(BUILD)/$(firstword $(PRECS))/apps/njord FORCE
	@cmp -s $< $@ || cp $< $@

FORCE:

# ---------------------------------------------------------------- the default forecast
# Galewsky's barotropic instability at T85 for 6 days; NetCDF + quick-look PNG
RUN_DIR ?= $(BUILD)/run
run: all
	@mkdir -p $(RUN_DIR)
	NJ_BLAS_PROBE=$(BUILD)/njord . tools/blas-env.sh; $(BUILD)/njord run data/galewsky.ini -o $(RUN_DIR)/galewsky.nc
	$(PYTHON) tools/quicklook.py $(RUN_DIR)/galewsky.nc vor $(RUN_DIR)/galewsky_vor.png

# ---------------------------------------------------------------- tests
check: deps lib tests $(BUILD)/njord
	@BUILD=$(BUILD) PRECS="$(PRECS)" PYTHON="$(PYTHON)" tests/run.sh

test: check

# Sanitizer builds live in build-san/, so they never mix with the normal build.
sanitize: deps
	$(MAKE) BUILD=build-san tests OPT="-O1 -fno-omit-frame-pointer" \
	  EXTRA_CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  LDLIBS_COMMON="$(LDLIBS_COMMON) -fsanitize=address,undefined"
	BUILD=build-san PRECS="$(PRECS)" NJ_QUICK=1 NJ_WRAP=env \
	  ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/lsan.supp tests/run.sh

valgrind: deps tests
	OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive BUILD=$(BUILD) PRECS="$(PRECS)" PYTHON="$(PYTHON)" NJ_QUICK=2 NJ_WRAP="valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp -q" tests/run.sh

# ---------------------------------------------------------------- benchmarks
BENCH_BINS := bench/build/bench_sht_dp bench/build/bench_sht_sp bench/build/bench_mpi_dp

bench/build/%_dp: bench/%.c $(LIBA_dp)
	@mkdir -p bench/build
	$(Q)$(CC) $(CFLAGS_dp) $< -o $@ $(LIBA_dp) $(LINK_dp)

bench/build/%_sp: bench/%.c $(LIBA_sp)
	@mkdir -p bench/build
	$(Q)$(CC) $(CFLAGS_sp) $< -o $@ $(LIBA_sp) $(LINK_sp)

# GPU transform benchmark (bench/bench_sht_gpu.cu): real CUDA build, and a host-
# emulation build that checks the program runs (its times mean nothing)
bench/build/bench_sht_gpu_dp: bench/bench_sht_gpu.cu $(LIBA_dp)
	@mkdir -p bench/build
	$(Q)$(NVCC) $(NVCC_FLAGS) -Iinclude -Ilib $(MPI_CFLAGS) $< -o $@ $(LIBA_dp) $(subst -fopenmp,-Xcompiler -fopenmp,$(subst -Wl$(comma),-Xlinker ,$(LINK_dp)))

bench/build/bench_sht_gpu_sp: bench/bench_sht_gpu.cu $(LIBA_sp)
	@mkdir -p bench/build
	$(Q)$(NVCC) $(NVCC_FLAGS) -DNJORD_SINGLE -Iinclude -Ilib $(MPI_CFLAGS) $< -o $@ $(LIBA_sp) $(subst -fopenmp,-Xcompiler -fopenmp,$(subst -Wl$(comma),-Xlinker ,$(LINK_sp)))

bench/build/bench_sht_gpu_emu_dp: bench/bench_sht_gpu.cu $(LIBEMU_dp)
	@mkdir -p bench/build
	$(Q)$(EMU_CXX) -x c++ $(EMU_CXXFLAGS) -Iinclude -Ilib $(MPI_CFLAGS) $< -x none -o $@ $(LIBEMU_dp) $(LINKEMU_dp)

bench/build/bench_sht_gpu_emu_sp: bench/bench_sht_gpu.cu $(LIBEMU_sp)
	@mkdir -p bench/build
	$(Q)$(EMU_CXX) -x c++ $(EMU_CXXFLAGS) -DNJORD_SINGLE -Iinclude -Ilib $(MPI_CFLAGS) $< -x none -o $@ $(LIBEMU_sp) $(LINKEMU_sp)

bench-sht: deps
	$(MAKE) PRECISION=both lib bench/build/bench_sht_dp bench/build/bench_sht_sp $(if $(filter 1,$(HAVE_CUDA)),bench/build/bench_sht_gpu_dp bench/build/bench_sht_gpu_sp)
	bench/run-sht.sh bench/build
	@mkdir -p bench/results/gpu; for p in dp sp; do b=bench/build/bench_sht_gpu_$$p; [ -x $$b ] || continue; \
	  $$b -o bench/results/gpu/bench_sht_gpu_$$p.json; rc=$$?; [ $$rc = 77 ] && echo "bench_sht_gpu_$$p: no usable GPU, skipped"; true; done

bench-sw: all
	bench/run-model.sh $(BUILD)/njord data/galewsky.ini bench/results/sw.json \
	  "85:300s:1d 170:150s:6h 341:75s:1h" "njord shallow-water model, Galewsky case, leapfrog"

bench-dry: all
	bench/run-model.sh $(BUILD)/njord data/jw06_wave.ini bench/results/dry.json \
	  "85:600s:12h 170:300s:2h" "njord primitive-equation model, JW06 baroclinic wave, L26, leapfrog"

validate-dry: all
	tools/validate-dry.sh $(BUILD)/njord

bench-mpi: deps
	$(MAKE) PRECISION=both lib bench/build/bench_mpi_dp
	bench/run-mpi.sh bench/build

# ---------------------------------------------------------------- install
# make install [PREFIX=/usr/local] [DESTDIR=/staging/root]: the headers, the
# libraries of PRECISION (static and shared, with soname symlinks), njord.pc /
# njord_sp.pc, the njord command, and the configurations of data/ with the level
# tables of data/levels/ in PREFIX/share/njord; builds what is missing first. PREFIX and
# DESTDIR may contain spaces (the .pc files escape them, as pkg-config expects).
# The .pc files: Libs.private names everything the static libraries need (with the
# CUDA backend compiled in, the CUDA libraries and libstdc++), so that
# `pkg-config --static` links libnjord.a; Cflags skip Open MPI's C++ bindings, so
# that C++ code including <njord.h> links without -lmpi_cxx.
PC_CUDA_LIBS := $(if $(filter 1,$(HAVE_CUDA)),-L$(CUDA_HOME)/lib64 -Wl$(comma)-rpath$(comma)$(CUDA_HOME)/lib64 -lcudart -lcufft -lcublas -lstdc++)
INSTALL_DIR   = "$(DESTDIR)$(PREFIX)"
# (the njord command of PRECISION's first precision: $(BUILD)/njord may hold the
# other one, from an earlier build with another PRECISION)
INSTALL_NJORD := $(BUILD)/$(firstword $(PRECS))/apps/njord
install: lib $(INSTALL_NJORD)
	install -d $(INSTALL_DIR)/include/njord $(INSTALL_DIR)/lib/pkgconfig $(INSTALL_DIR)/bin
	install -m 644 include/njord.h $(INSTALL_DIR)/include/
	install -m 644 include/njord/*.h $(INSTALL_DIR)/include/njord/
	install -m 755 $(INSTALL_NJORD) $(INSTALL_DIR)/bin/njord
	install -d $(INSTALL_DIR)/share/njord/levels
	install -m 644 data/*.ini $(INSTALL_DIR)/share/njord/
	install -m 644 data/levels/*.txt $(INSTALL_DIR)/share/njord/levels/
	@pcprefix=$$(printf '%s\n' "$(PREFIX)" | sed -e 's/[\\&|]/\\&/g' -e 's/ /\\\\ /g'); \
	for p in $(PRECS); do \
	  n=$$( [ $$p = sp ] && echo njord_sp || echo njord ); \
	  install -m 644 $(BUILD)/$$p/lib$$n.a $(INSTALL_DIR)/lib/ || exit 1; \
	  install -m 755 $(BUILD)/$$p/lib$$n.so.$(VERSION) $(INSTALL_DIR)/lib/ || exit 1; \
	  ln -sf lib$$n.so.$(VERSION) $(INSTALL_DIR)/lib/lib$$n.so.$(SOVERSION) || exit 1; \
	  ln -sf lib$$n.so.$(SOVERSION) $(INSTALL_DIR)/lib/lib$$n.so || exit 1; \
	  extra=$$( [ $$p = sp ] && echo "-DNJORD_SINGLE" || true ); \
	  fftw=$$( [ $$p = sp ] && echo "fftw3f" || echo "fftw3" ); \
	  sed -e "s|@PREFIX@|$$pcprefix|g" -e "s|@NAME@|$$n|g" -e "s|@VERSION@|$(VERSION)|g" \
	      -e "s|@EXTRA_CFLAGS@|$$extra $(MPI_CFLAGS) -DOMPI_SKIP_MPICXX|g" -e "s|@FFTW@|$$fftw|g" \
	      -e "s|@MPI_LIBS@|$(MPI_LIBS)|g" \
	      -e "s|@LIBS_PRIVATE@|-L$(BLASDIR) -Wl,-rpath,$(BLASDIR) -lopenblas -lnetcdf $(MPI_LIBS) -lm -ldl -fopenmp $(PC_CUDA_LIBS)|g" \
	      tools/njord.pc.in > $(INSTALL_DIR)/lib/pkgconfig/$$n.pc || exit 1; \
	  echo "installed $$n ($$p) into $(DESTDIR)$(PREFIX)"; \
	done

uninstall:
	rm -rf $(INSTALL_DIR)/include/njord $(INSTALL_DIR)/include/njord.h
	rm -f $(INSTALL_DIR)/lib/libnjord.a $(INSTALL_DIR)/lib/libnjord.so* $(INSTALL_DIR)/lib/libnjord_sp.a \
	  $(INSTALL_DIR)/lib/libnjord_sp.so* $(INSTALL_DIR)/lib/pkgconfig/njord.pc \
	  $(INSTALL_DIR)/lib/pkgconfig/njord_sp.pc $(INSTALL_DIR)/bin/njord
	rm -rf $(INSTALL_DIR)/share/njord

clean:
	rm -rf build build-san bench/build
