//! The step loop allocates nothing: a counting global allocator watches 40 000 steps (20 s of
//! simulated time, about 24 beats, so beat completion and the beat log are exercised too).

use ecmo_unload::{Engine, presets};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn stepping_the_engine_does_not_allocate() {
    for preset in ["healthy", "cardiogenic-shock"] {
        let mut e = Engine::new(presets::load(preset).unwrap()).unwrap();
        // Fill the beat log past its capacity first, so the ring is in its steady state.
        e.run_for(70.0);
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        let mut beats = 0;
        for _ in 0..40_000 {
            beats += usize::from(e.step().is_some());
        }
        let after = ALLOCATIONS.load(Ordering::Relaxed);
        assert!(beats > 20, "{preset}: only {beats} beats");
        assert_eq!(
            after - before,
            0,
            "{preset}: {} allocations in 40 000 steps",
            after - before
        );
    }
}
