/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_t operations on the compiler's __atomic builtins: wasm32 without the
 * threads feature lowers them to plain loads and stores, and the simulator
 * switches CPUs only at calls and loop back-edges, so each one is indivisible.
 * The including header has defined atomic_t (linux/types.h, or 2.2's asm/atomic.h).
 */
#ifndef __ASM_GENERIC_ATOMIC_H
#define __ASM_GENERIC_ATOMIC_H

#define __DL_ATOMIC_OPS(prefix, type, ctype) \
static inline ctype prefix##_read(const type *v) { return __atomic_load_n(&v->counter, __ATOMIC_RELAXED); } \
static inline void prefix##_set(type *v, ctype i) { __atomic_store_n(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void prefix##_add(ctype i, type *v) { __atomic_fetch_add(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void prefix##_sub(ctype i, type *v) { __atomic_fetch_sub(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void prefix##_inc(type *v) { prefix##_add(1, v); } \
static inline void prefix##_dec(type *v) { prefix##_sub(1, v); } \
static inline ctype prefix##_add_return(ctype i, type *v) { return __atomic_add_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_sub_return(ctype i, type *v) { return __atomic_sub_fetch(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_inc_return(type *v) { return prefix##_add_return(1, v); } \
static inline ctype prefix##_dec_return(type *v) { return prefix##_sub_return(1, v); } \
static inline ctype prefix##_fetch_add(ctype i, type *v) { return __atomic_fetch_add(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_fetch_sub(ctype i, type *v) { return __atomic_fetch_sub(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_fetch_inc(type *v) { return prefix##_fetch_add(1, v); } \
static inline ctype prefix##_fetch_dec(type *v) { return prefix##_fetch_sub(1, v); } \
static inline ctype prefix##_fetch_and(ctype i, type *v) { return __atomic_fetch_and(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_fetch_or(ctype i, type *v) { return __atomic_fetch_or(&v->counter, i, __ATOMIC_SEQ_CST); } \
static inline void prefix##_and(ctype i, type *v) { __atomic_fetch_and(&v->counter, i, __ATOMIC_RELAXED); } \
static inline void prefix##_or(ctype i, type *v) { __atomic_fetch_or(&v->counter, i, __ATOMIC_RELAXED); } \
static inline int prefix##_sub_and_test(ctype i, type *v) { return prefix##_sub_return(i, v) == 0; } \
static inline int prefix##_dec_and_test(type *v) { return prefix##_dec_return(v) == 0; } \
static inline int prefix##_inc_and_test(type *v) { return prefix##_inc_return(v) == 0; } \
static inline int prefix##_add_negative(ctype i, type *v) { return prefix##_add_return(i, v) < 0; } \
static inline ctype prefix##_xchg(type *v, ctype n) { return __atomic_exchange_n(&v->counter, n, __ATOMIC_SEQ_CST); } \
static inline ctype prefix##_cmpxchg(type *v, ctype old, ctype n) \
{ \
	__atomic_compare_exchange_n(&v->counter, &old, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
	return old; \
} \
static inline int prefix##_try_cmpxchg(type *v, ctype *old, ctype n) \
{ \
	return __atomic_compare_exchange_n(&v->counter, old, n, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST); \
} \
/* Adds i unless the value is u; whether it added. */ \
static inline int prefix##_add_unless(type *v, ctype i, ctype u) \
{ \
	ctype c = prefix##_read(v); \
	do { \
		if (c == u) \
			return 0; \
	} while (!prefix##_try_cmpxchg(v, &c, c + i)); \
	return 1; \
} \
static inline int prefix##_inc_not_zero(type *v) { return prefix##_add_unless(v, 1, 0); }

__DL_ATOMIC_OPS(atomic, atomic_t, int)

#endif
