//! Arrow IPC files (feature `arrow`): the file format (Feather v2, `.arrow`, `.feather`) and the
//! stream format, told apart by the file format's leading magic bytes `ARROW1`. LZ4-compressed
//! buffers (pyarrow's `write_feather` default) are read; ZSTD-compressed ones are an error.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use arrow_ipc::reader::{FileReader, StreamReader};

use super::Table;
use super::arrow_table::{append, empty_table};
use crate::error::{Error, Result};

const FORMAT: &str = "Arrow IPC";

pub(super) fn read(path: &Path, source: &str) -> Result<Table> {
    let bad = |m: String| Error::DataFormat {
        path: source.to_string(),
        format: FORMAT.into(),
        message: m,
    };
    let io = |e: std::io::Error| Error::Io { path: source.to_string(), message: e.to_string() };
    let mut file = File::open(path).map_err(io)?;
    let mut magic = [0u8; 6];
    let is_file = file.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let file = BufReader::new(file);
    if is_file {
        let reader = FileReader::try_new(file, None).map_err(|e| bad(e.to_string()))?;
        let mut table = empty_table(&reader.schema());
        for batch in reader {
            append(&mut table, &batch.map_err(|e| bad(e.to_string()))?, source, FORMAT)?;
        }
        Ok(table)
    } else {
        let reader = StreamReader::try_new(file, None).map_err(|e| bad(e.to_string()))?;
        let mut table = empty_table(&reader.schema());
        for batch in reader {
            append(&mut table, &batch.map_err(|e| bad(e.to_string()))?, source, FORMAT)?;
        }
        Ok(table)
    }
}
