// What every kernel file here starts with: 128-bit SIMD, the export attribute, and unaligned
// vector loads and stores (tensors in the backend's memory are 4-byte aligned, not 16).
#ifndef SIMD_H
#define SIMD_H
#include <wasm_simd128.h>

typedef v128_t V;
#define EXPORT(name) __attribute__((export_name(#name)))
#define LOAD(p) wasm_v128_load(p)
#define STORE(p, v) wasm_v128_store(p, v)
#endif
