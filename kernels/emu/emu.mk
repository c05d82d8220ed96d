# kernels/emu/emu.mk — build variables for the CUDA sources, included by the top-level
# Makefile. Two builds of the same .cu files:
#   host emulation (runs everywhere):  g++ -x c++ $(EMU_CXXFLAGS) file.cu $(EMU_OBJ) $(EMU_LIBS)
#   real CUDA (needs nvcc):            $(NVCC) $(NVCC_FLAGS) file.cu $(CUDA_LIBS)
# See kernels/emu/README.md for the exact commands and what the emulation checks.

CUDA_HOME     ?= /usr/local/cuda
NVCC          ?= $(CUDA_HOME)/bin/nvcc
EMU_CXX       ?= g++
EMU_MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
EMU_BLASDIR   ?= /usr/lib/$(EMU_MULTIARCH)/openblas-openmp
EMU_BLASINC   ?= /usr/include/$(EMU_MULTIARCH)/openblas-openmp

EMU_SRC       := kernels/emu/cuda_emu.cc kernels/emu/cufft_emu.cc kernels/emu/cublas_emu.cc
EMU_HDR       := kernels/emu/cuda_emu.h kernels/emu/cufft_emu.h kernels/emu/cublas_emu.h \
                 kernels/emu/emu_internal.h kernels/common/nj_cuda.h
EMU_CXXFLAGS  := -std=c++17 -O2 -g -fPIC -fopenmp -Wall -Wextra -Werror -Wshadow \
                 -Wno-unknown-pragmas -DNJ_CUDA_EMU -Ikernels -Ikernels/common -I$(EMU_BLASINC)
EMU_LIBS      := -lfftw3 -lfftw3f -L$(EMU_BLASDIR) -Wl,-rpath,$(EMU_BLASDIR) -lopenblas -fopenmp -lm

NVCC_FLAGS    := -std=c++17 -O3 -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
                 -Xcompiler -fPIC -Ikernels -Ikernels/common
CUDA_LIBS     := -L$(CUDA_HOME)/lib64 -Xlinker -rpath=$(CUDA_HOME)/lib64 -lcudart -lcufft -lcublas
