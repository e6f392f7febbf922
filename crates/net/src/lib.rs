//! scrutin-net: scrutin's side of the transparency-log network standards, over HTTP.
//!
//! - C2SP tlog-witness (c2sp.org/tlog-witness): a witness server for `POST /add-checkpoint`
//!   ([`Witness`], [`serve_witness`]) and the log's client ([`submit`]);
//! - C2SP tlog-tiles (c2sp.org/tlog-tiles): the static layout ([`export`]), a read-only
//!   server for many ledgers ([`serve_tiles`]), and a reader that verifies a meeting from its
//!   tiles ([`verify_tiles`]) or a receipt's checkpoint against the published log
//!   ([`check_against_log`]).
//!
//! Every client request has a deadline and a body limit, follows no redirect and ignores
//! proxies from the environment ([`Client`]). `scrutin-log` stays free of network code.

mod client;
mod error;
mod read;
mod server;
mod tiles;
mod witness;

use std::sync::Arc;

pub use client::{Client, Reply, DEFAULT_TIMEOUT};
pub use error::NetError;
pub use read::{
    check_against_log, consistency_proof, read_checkpoint, source_for, verify_tiles, DirSource,
    HttpSource, LogCheck, TileSource,
};
pub use server::{Request, Response, Running};
pub use tiles::{
    export, hash_tiles, index_path, serve as serve_tiles, ExportSummary, Kind, Tile,
    CACHE_CHECKPOINT, CACHE_IMMUTABLE, CACHE_PARTIAL, MAX_BUNDLE_ENTRY, TILE_WIDTH,
};
pub use witness::{
    cosignature_line, parse_decimal, submit, AddCheckpoint, Answer, LogKey, Outcome, Witness,
    ADD_CHECKPOINT_PATH, MAX_PROOF_LINES, MAX_REQUEST_BYTES, MAX_RESPONSE_BYTES, SIZE_CONTENT_TYPE,
};

/// Serves `witness` at `listen` (`POST /add-checkpoint`, tlog-witness) on `threads` workers.
/// Bodies above [`MAX_REQUEST_BYTES`] are answered 413.
///
/// # Errors
/// [`NetError::Usage`] if the address does not bind.
pub fn serve_witness(witness: Witness, listen: &str, threads: usize) -> Result<Running, NetError> {
    let w = Arc::new(witness);
    server::start(
        listen,
        threads,
        MAX_REQUEST_BYTES,
        Arc::new(move |r: &Request<'_>| {
            if r.url.split('?').next() != Some(ADD_CHECKPOINT_PATH) {
                return Response::text(404, "not found");
            }
            if r.method != "POST" {
                return Response::text(405, "POST only");
            }
            let a = w.add_checkpoint(r.body.as_deref().unwrap_or_default());
            Response {
                status: a.status,
                headers: vec![("Content-Type", a.content_type.into())],
                body: a.body,
            }
        }),
    )
}
