//! Fake GitHub (to be written).
