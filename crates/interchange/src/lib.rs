#![doc = include_str!("../README.md")]

mod csv_in;
mod error;
mod meeting;
mod near;

pub use csv_in::{
    parse_csv, parse_csv_with_progress, Columns, CsvChunk, CsvImport, CsvKind, CsvStream, Origin,
    Part, PartKey,
};
pub use error::{ImportError, Rule};
pub use meeting::{parse_meeting, MeetingPlan, ResolutionTerms};
