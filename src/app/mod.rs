//! The application: the command line (`cli`) and the pipeline that runs the stages in order.

pub mod cli;
pub mod pipeline;
