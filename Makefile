# Njord — one entry point: make, make check, make bench-sht, make install.
#
#   make                 install missing Debian packages, build libnjord (double) and
#                        libnjord_sp (single), the njord command and the examples
#   make check           build and run the test suite for both precisions
#   make PRECISION=single  build only the single-precision library and its tests
#   make install PREFIX=/usr/local
#   make bench-sht       transform benchmark -> bench/results/sht.json
#   make bench-mpi       distributed transform benchmark -> bench/results/mpi.json
#   make sanitize        test suite under AddressSanitizer + UBSan
#   make valgrind        test suite under valgrind memcheck

PREFIX     ?= /usr/local
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
LDLIBS_COMMON := -L$(BLASDIR) -Wl,-rpath,$(BLASDIR) -lopenblas -lnetcdf $(MPI_LIBS) -lm -fopenmp

# per precision
CFLAGS_dp  := $(CFLAGS_ALL)
CFLAGS_sp  := $(CFLAGS_ALL) -DNJORD_SINGLE
LIBNAME_dp := njord
LIBNAME_sp := njord_sp
FFTW_dp    := -lfftw3
FFTW_sp    := -lfftw3f

LIB_SRC    := $(sort $(wildcard lib/*/*.c))
TEST_SRC   := $(sort $(wildcard tests/test_*.c))
TOOL_SRC   := $(sort $(wildcard tests/*_tool.c tests/mpi_*.c))
EX_SRC     := $(sort $(wildcard examples/*.c))

.PHONY: all deps lib check test install uninstall clean bench-sht bench-mpi sanitize valgrind run
.DEFAULT_GOAL := all

all: deps lib $(BUILD)/njord examples

deps:
	@tools/install-deps.sh

# ---------------------------------------------------------------- per-precision rules
define PREC_RULES
OBJ_$(1)  := $$(LIB_SRC:%.c=$(BUILD)/$(1)/%.o)
LIBA_$(1) := $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).a
LIBSO_$(1):= $(BUILD)/$(1)/lib$$(LIBNAME_$(1)).so.$(VERSION)
TESTS_$(1):= $$(TEST_SRC:tests/%.c=$(BUILD)/$(1)/tests/%)
TOOLS_$(1):= $$(TOOL_SRC:tests/%.c=$(BUILD)/$(1)/tests/%)
EXS_$(1)  := $$(EX_SRC:examples/%.c=$(BUILD)/$(1)/examples/%)
LINK_$(1) := $$(FFTW_$(1)) $$(LDLIBS_COMMON)

$(BUILD)/$(1)/%.o: %.c $$(wildcard include/*.h include/njord/*.h lib/*/*.h kernels/common/*.h) | deps
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo '  CC    $$@')
	$$(Q)$$(CC) $$(CFLAGS_$(1)) -c $$< -o $$@

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
tests: $(foreach p,$(PRECS),$(TESTS_$(p)) $(TOOLS_$(p)))

# the njord command of the first precision built (double unless PRECISION=single)
$(BUILD)/njord: $(BUILD)/$(firstword $(PRECS))/apps/njord
	cp $< $@

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
	BUILD=$(BUILD) PRECS="$(PRECS)" PYTHON="$(PYTHON)" NJ_QUICK=1 NJ_WRAP="valgrind --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite --suppressions=tests/valgrind.supp -q" tests/run.sh

# ---------------------------------------------------------------- benchmarks
BENCH_BINS := bench/build/bench_sht_dp bench/build/bench_sht_sp bench/build/bench_mpi_dp

bench/build/%_dp: bench/%.c $(LIBA_dp)
	@mkdir -p bench/build
	$(Q)$(CC) $(CFLAGS_dp) $< -o $@ $(LIBA_dp) $(LINK_dp)

bench/build/%_sp: bench/%.c $(LIBA_sp)
	@mkdir -p bench/build
	$(Q)$(CC) $(CFLAGS_sp) $< -o $@ $(LIBA_sp) $(LINK_sp)

bench-sht: deps
	$(MAKE) PRECISION=both lib bench/build/bench_sht_dp bench/build/bench_sht_sp
	bench/run-sht.sh bench/build

bench-mpi: deps
	$(MAKE) PRECISION=both lib bench/build/bench_mpi_dp
	bench/run-mpi.sh bench/build

# ---------------------------------------------------------------- install
install: lib $(BUILD)/njord
	install -d $(DESTDIR)$(PREFIX)/include/njord $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/bin
	install -m 644 include/njord.h $(DESTDIR)$(PREFIX)/include/
	install -m 644 include/njord/*.h $(DESTDIR)$(PREFIX)/include/njord/
	install -m 755 $(BUILD)/njord $(DESTDIR)$(PREFIX)/bin/njord
	@for p in $(PRECS); do \
	  n=$$( [ $$p = sp ] && echo njord_sp || echo njord ); \
	  install -m 644 $(BUILD)/$$p/lib$$n.a $(DESTDIR)$(PREFIX)/lib/; \
	  install -m 755 $(BUILD)/$$p/lib$$n.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/; \
	  ln -sf lib$$n.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/lib$$n.so.$(SOVERSION); \
	  ln -sf lib$$n.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/lib$$n.so; \
	  extra=$$( [ $$p = sp ] && echo "-DNJORD_SINGLE" || true ); \
	  fftw=$$( [ $$p = sp ] && echo "fftw3f" || echo "fftw3" ); \
	  sed -e "s|@PREFIX@|$(PREFIX)|g" -e "s|@NAME@|$$n|g" -e "s|@VERSION@|$(VERSION)|g" \
	      -e "s|@EXTRA_CFLAGS@|$$extra $(MPI_CFLAGS)|g" -e "s|@FFTW@|$$fftw|g" \
	      -e "s|@LIBS_PRIVATE@|-L$(BLASDIR) -Wl,-rpath,$(BLASDIR) -lopenblas -lnetcdf $(MPI_LIBS) -lm -fopenmp|g" \
	      tools/njord.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/$$n.pc; \
	  echo "installed $$n ($$p) into $(DESTDIR)$(PREFIX)"; \
	done

uninstall:
	rm -rf $(DESTDIR)$(PREFIX)/include/njord $(DESTDIR)$(PREFIX)/include/njord.h
	rm -f $(DESTDIR)$(PREFIX)/lib/libnjord*.* $(DESTDIR)$(PREFIX)/lib/pkgconfig/njord*.pc $(DESTDIR)$(PREFIX)/bin/njord

clean:
	rm -rf build build-san bench/build
