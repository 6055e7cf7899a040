//! Publishing: which folder an output may replace (`guard`), and moving a finished output into
//! place safely (`folder`).

pub mod folder;
pub mod guard;
pub mod manifest;

pub use folder::publish;
pub use guard::{check_target, Protected};
