//! The rules of the informational-interview workflow, as pure functions of records and a time:
//! no I/O, and "now" is always a parameter.

pub mod agenda;
pub mod calendar;
pub mod etiquette;
pub mod meeting;
pub mod pipeline;
pub mod ranking;
pub mod tally;
pub mod template;
