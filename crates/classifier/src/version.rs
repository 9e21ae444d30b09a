//! Rule visibility windows: a rule is visible to lookups in versions
//! `[added, removed)`, so a bundle of adds and deletes made under version
//! `v + 1` becomes visible at once when the owner starts looking up with it.

/// A classifier version number.
pub type Version = u64;

/// A version later than any real one: "not removed".
pub const VERSION_NEVER: Version = Version::MAX;

/// The versions in which a rule is visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Visibility {
    pub added: Version,
    pub removed: Version,
}

impl Visibility {
    pub fn from(added: Version) -> Visibility {
        Visibility {
            added,
            removed: VERSION_NEVER,
        }
    }

    #[inline]
    pub fn visible_in(&self, version: Version) -> bool {
        self.added <= version && version < self.removed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_is_half_open() {
        let mut v = Visibility::from(3);
        assert!(!v.visible_in(2));
        assert!(v.visible_in(3));
        assert!(v.visible_in(u64::MAX - 1));
        v.removed = 5;
        assert!(v.visible_in(4));
        assert!(!v.visible_in(5));
    }
}
