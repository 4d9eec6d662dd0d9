//! The global allocator: mimalloc (Cargo.toml says why), called through its plain entry
//! points whenever the requested alignment is one they always give (the word size), as
//! the standard library's `System` allocator does with `malloc`. The `mimalloc` crate's own
//! wrapper always takes the aligned entry points, which cost a few dozen instructions
//! more on every allocation.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// mimalloc's size classes are multiples of the word size and its pages start aligned,
/// so every block `mi_malloc` returns is at least word-aligned. Larger alignments (rare:
/// `u128`, SIMD types) take the aligned entry points.
const WORD_ALIGN: usize = std::mem::size_of::<usize>();

pub struct MiMalloc;

/// Whether the plain entry points satisfy `align`.
#[inline(always)]
fn plain(align: usize) -> bool {
    align <= WORD_ALIGN
}

// SAFETY: every block comes from mimalloc and goes back to it (`mi_free` takes blocks
// from either family of entry points); alignment is honoured as described at `WORD_ALIGN`.
unsafe impl GlobalAlloc for MiMalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: plain FFI calls; a null result reports failure as `GlobalAlloc` expects.
        unsafe {
            if plain(layout.align()) {
                mi::mi_malloc(layout.size()) as *mut u8
            } else {
                mi::mi_malloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe {
            if plain(layout.align()) {
                mi::mi_zalloc(layout.size()) as *mut u8
            } else {
                mi::mi_zalloc_aligned(layout.size(), layout.align()) as *mut u8
            }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` was returned by this allocator.
        unsafe { mi::mi_free(ptr as *mut c_void) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` was returned by this allocator with `layout`.
        unsafe {
            if plain(layout.align()) {
                mi::mi_realloc(ptr as *mut c_void, new_size) as *mut u8
            } else {
                mi::mi_realloc_aligned(ptr as *mut c_void, new_size, layout.align()) as *mut u8
            }
        }
    }
}
