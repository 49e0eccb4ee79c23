//! `par_map`: order-preserving parallel map over a slice with scoped threads.
//!
//! Loading and checking an org is embarrassingly parallel per file; this is all the parallelism
//! orgctl needs, so it does without a thread-pool crate.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};

fn threads() -> usize {
    std::thread::available_parallelism()
        .map(NonZeroUsize::get)
        .unwrap_or(1)
        .min(8)
}

/// Applies `f` to every item on up to `available_parallelism` threads; results keep input order.
/// Threads take blocks of consecutive items as they go, so items of uneven cost (a team file
/// costs four person files) still keep every thread busy until the end.
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads();
    if threads <= 1 || items.len() < 64 {
        return items.iter().map(&f).collect();
    }
    let block = (items.len() / (threads * 16)).max(16);
    let blocks: Vec<&[T]> = items.chunks(block).collect();
    let parts = par_map_uneven(&blocks, |part| part.iter().map(&f).collect::<Vec<R>>());
    let mut out = Vec::with_capacity(items.len());
    for mut part in parts {
        out.append(&mut part);
    }
    out
}

/// Like [`par_map`], for a few items of uneven cost (rules): threads take the next item as they
/// finish one, so one slow item does not leave the other threads idle. Results keep input order.
pub fn par_map_uneven<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads().min(items.len());
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (f, next) = (&f, &next);
                scope.spawn(move || {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        let mut all = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(mut part) => all.append(&mut part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        all
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order() {
        let v: Vec<u32> = (0..1000).collect();
        assert_eq!(
            super::par_map(&v, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
    }

    #[test]
    fn uneven_keeps_order() {
        let v: Vec<u64> = (0..30).collect();
        let slow = |x: &u64| {
            if x % 7 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            x * 3
        };
        assert_eq!(
            super::par_map_uneven(&v, slow),
            v.iter().map(|x| x * 3).collect::<Vec<_>>()
        );
        assert!(super::par_map_uneven(&[] as &[u64], slow).is_empty());
    }
}
