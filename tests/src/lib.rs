//! Cross-crate stories live in tests/stories.
