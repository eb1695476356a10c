//! The process's allocator, and giving back what a start freed.
//!
//! A start from the snapshot reads each model's bytes (hundreds of MiB for a
//! full union) and frees them once the model is made; mimalloc keeps freed
//! pages to reuse them and returns them only on later allocator activity,
//! which an idle server has none of: measured on the full union, 2.6 GiB
//! resident after such a start against 1.8 GiB with the pages given back
//! (BENCHMARKS.md, issue 15). So once the read models have caught up the
//! first time, `serve` asks for them back, once.

#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Returns the memory freed so far to the operating system.
pub fn give_back() {
    #[cfg(feature = "mimalloc")]
    // SAFETY: mi_collect only walks mimalloc's own structures; no pointer of
    // ours is passed, and it may be called from any thread at any time.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}
