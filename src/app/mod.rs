//! The application: the command line (`cli`) and the pipeline that runs the stages in order,
//! and `verify`.

pub mod cli;
pub mod init;
pub mod pipeline;
mod run_manifest;
mod verify;
