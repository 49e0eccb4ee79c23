//! Paging a cursor-paged connection from both ends: the chains of dependent page requests
//! (`first`/`after` forwards, `last`/`before` backwards), how the pages `totalCount` says are
//! left are split between them, and the one catch-up chain when the connection changed during
//! the read. Pure.

use serde_json::{Value, json};

use super::decode::PageInfo;

/// Which end of a connection a chain of pages reads from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dir {
    /// `first` / `after`.
    Forward,
    /// `last` / `before`.
    Backward,
}

/// The next page of a chain over a cursor-paged connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Chain {
    pub(super) dir: Dir,
    /// `after` (forwards) or `before` (backwards); `None` starts at that end.
    pub(super) cursor: Option<String>,
    /// Pages this chain still reads, this one included; `None`: until the
    /// end, or until a page brings nothing new.
    pub(super) pages: Option<usize>,
}

impl Chain {
    /// `(first, after, last, before)` of this page, `size` items.
    pub(super) fn arguments(&self, size: u32) -> (Value, Value, Value, Value) {
        let cursor = json!(self.cursor);
        match self.dir {
            Dir::Forward => (json!(size), cursor, Value::Null, Value::Null),
            Dir::Backward => (Value::Null, Value::Null, json!(size), cursor),
        }
    }

    /// The chain's next page after a page with `info` that brought `new`
    /// unseen items, if the chain goes on.
    pub(super) fn after_page(&self, info: &PageInfo, new: usize) -> Option<Chain> {
        let cursor = match self.dir {
            Dir::Forward => info.next(),
            Dir::Backward => info.previous(),
        }?;
        let pages = match self.pages {
            Some(n) if n > 1 => Some(n - 1),
            Some(_) => return None,
            None if new > 0 => None,
            None => return None,
        };
        Some(Chain {
            dir: self.dir,
            cursor: Some(cursor),
            pages,
        })
    }
}

/// The chains that read the rest of a connection after its first page, from
/// both ends: `remaining` items in pages of `size` make `ceil(remaining /
/// size)` pages, split between a forward chain continuing at `after` and a
/// backward chain starting at the end.
pub(super) fn split(after: String, remaining: usize, size: usize) -> Vec<Chain> {
    let pages = remaining.div_ceil(size.max(1));
    let forward = pages.div_ceil(2).max(1);
    let mut chains = vec![Chain {
        dir: Dir::Forward,
        cursor: Some(after),
        pages: Some(forward),
    }];
    if pages > forward {
        chains.push(Chain {
            dir: Dir::Backward,
            cursor: None,
            pages: Some(pages - forward),
        });
    }
    chains
}

/// Progress of reading one outer connection (teams or organisation members)
/// from both ends.
#[derive(Debug, Default)]
pub(super) struct Outer {
    /// The latest `totalCount` seen.
    pub(super) total: Option<usize>,
    /// Where the forward chain stopped when its share of pages was read.
    pub(super) resume: Option<String>,
    /// Whether the catch-up chain has been started (at most once).
    pub(super) caught_up: bool,
}

impl Outer {
    /// The chains to start after a page of `size` items that came from
    /// `chain` (`None`: the first page), held `on_page` items, `new` of them
    /// unseen.
    pub(super) fn next_chains(
        &mut self,
        chain: Option<&Chain>,
        info: &PageInfo,
        total: Option<usize>,
        on_page: usize,
        new: usize,
        size: usize,
    ) -> Vec<Chain> {
        if total.is_some() {
            self.total = total;
        }
        match chain {
            None => match (info.next(), total) {
                (Some(after), Some(total)) => split(after, total.saturating_sub(on_page), size),
                (Some(after), None) => vec![Chain {
                    dir: Dir::Forward,
                    cursor: Some(after),
                    pages: None,
                }],
                (None, _) => Vec::new(),
            },
            Some(c) => match c.after_page(info, new) {
                Some(next) => vec![next],
                None => {
                    if c.dir == Dir::Forward && c.pages.is_some() {
                        self.resume = info.next();
                    }
                    Vec::new()
                }
            },
        }
    }

    /// After every chain ended with `seen` items while `totalCount` promised
    /// more (the connection changed during the read): one forward chain from
    /// where the forward half stopped, until a page brings nothing new.
    pub(super) fn catch_up(&mut self, seen: usize) -> Option<Chain> {
        if self.caught_up || self.total.is_none_or(|t| seen >= t) {
            return None;
        }
        let cursor = self.resume.take()?;
        self.caught_up = true;
        Some(Chain {
            dir: Dir::Forward,
            cursor: Some(cursor),
            pages: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(next: Option<&str>, previous: Option<&str>) -> PageInfo {
        PageInfo {
            has_next_page: next.is_some(),
            end_cursor: next.map(str::to_string),
            has_previous_page: previous.is_some(),
            start_cursor: previous.map(str::to_string),
        }
    }

    fn chain(dir: Dir, cursor: Option<&str>, pages: Option<usize>) -> Chain {
        Chain {
            dir,
            cursor: cursor.map(str::to_string),
            pages,
        }
    }

    #[test]
    fn the_rest_of_a_connection_is_split_between_its_two_ends() {
        // 10,000 members, 100 on the first page: 99 more pages, 50 + 49.
        assert_eq!(
            split("c".into(), 9_900, 100),
            vec![
                chain(Dir::Forward, Some("c"), Some(50)),
                chain(Dir::Backward, None, Some(49)),
            ]
        );
        // 261 members: 161 left, one page from each end (they overlap).
        assert_eq!(
            split("c".into(), 161, 100),
            vec![
                chain(Dir::Forward, Some("c"), Some(1)),
                chain(Dir::Backward, None, Some(1)),
            ]
        );
        assert_eq!(
            split("c".into(), 50, 100),
            vec![chain(Dir::Forward, Some("c"), Some(1))]
        );
        // `hasNextPage` although `totalCount` says nothing is left: one page.
        assert_eq!(
            split("c".into(), 0, 100),
            vec![chain(Dir::Forward, Some("c"), Some(1))]
        );
    }

    #[test]
    fn chains_follow_their_own_cursor_for_their_share_of_pages() {
        let page = info(Some("end"), Some("start"));
        let forward = chain(Dir::Forward, Some("a"), Some(2));
        assert_eq!(
            forward.after_page(&page, 100),
            Some(chain(Dir::Forward, Some("end"), Some(1)))
        );
        let backward = chain(Dir::Backward, None, Some(3));
        assert_eq!(
            backward.after_page(&page, 100),
            Some(chain(Dir::Backward, Some("start"), Some(2)))
        );
        assert_eq!(
            chain(Dir::Forward, None, Some(1)).after_page(&page, 100),
            None
        );
        assert_eq!(forward.after_page(&info(None, Some("s")), 100), None);
        assert_eq!(backward.after_page(&info(Some("e"), None), 100), None);
        // A catch-up chain stops at the first page that brings nothing new.
        let open = chain(Dir::Forward, Some("a"), None);
        assert_eq!(
            open.after_page(&page, 1),
            Some(chain(Dir::Forward, Some("end"), None))
        );
        assert_eq!(open.after_page(&page, 0), None);
        assert_eq!(
            Value::Array(vec![backward.arguments(100).0, backward.arguments(100).2]),
            json!([null, 100])
        );
    }

    #[test]
    fn a_connection_that_changed_during_the_read_is_caught_up_once() {
        let mut outer = Outer::default();
        let chains = outer.next_chains(None, &info(Some("p1"), None), Some(250), 100, 100, 100);
        assert_eq!(chains.len(), 2);
        // The forward half ends with its share read; the end is still ahead.
        let forward = &chains[0];
        assert!(
            outer
                .next_chains(
                    Some(forward),
                    &info(Some("p2"), Some("x")),
                    Some(251),
                    100,
                    100,
                    100
                )
                .is_empty()
        );
        let backward = &chains[1];
        assert!(
            outer
                .next_chains(
                    Some(backward),
                    &info(None, Some("y")),
                    Some(251),
                    50,
                    50,
                    100
                )
                .is_empty()
        );
        // Read everything `totalCount` promised: nothing to catch up.
        assert_eq!(
            Outer {
                total: Some(250),
                ..Outer::default()
            }
            .catch_up(250),
            None
        );
        // 250 seen of 251: one catch-up chain from where the forward half stopped.
        assert_eq!(
            outer.catch_up(250),
            Some(chain(Dir::Forward, Some("p2"), None))
        );
        assert_eq!(outer.catch_up(250), None, "only once");
    }
}
