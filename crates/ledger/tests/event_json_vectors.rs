//! The JSON form of events (`tests/vectors/events-v1/json/`): a receipt writes each entry's
//! event as JSON beside its signed bytes, and `verify_receipt` requires that copy to be
//! exactly the event the bytes decode to (docs/FORMAT.md section 12). A second verifier needs
//! the form, so it is frozen here: each `<Kind>.json` is the JSON of the event in
//! `events-v1/<Kind>.hex`. The files are written once; this test only reads them
//! (`SCRUTIN_WRITE_VECTORS=1 cargo test -p scrutin --test event_json_vectors`
//! writes only missing files).

use std::path::{Path, PathBuf};

use scrutin::model::{decode_event, Event};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors/events-v1")
}

/// Every `<Name>.hex` of the one-event-per-variant set, decoded.
fn events() -> Vec<(String, Event)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir()).expect("events-v1");
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "hex") {
            let name = path
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("name")
                .to_owned();
            let text = std::fs::read_to_string(&path).expect("vector");
            let event = decode_event(&hex::decode(text.trim()).expect("hex")).expect("decodes");
            out.push((name, event));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(out.len(), 20, "one vector per event variant (0 to 19)");
    out
}

fn json(event: &Event) -> String {
    let mut s = serde_json::to_string_pretty(event).expect("serialises");
    s.push('\n');
    s
}

#[test]
fn the_json_form_of_every_event_kind_is_frozen() {
    for (name, event) in events() {
        let path = dir().join("json").join(format!("{name}.json"));
        let want = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("missing vector {}: {e}", path.display()));
        assert_eq!(json(&event), want, "JSON form of {name} changed");
        let back: Event = serde_json::from_str(&want).expect("parses back");
        assert_eq!(back, event, "{name}");
    }
}

/// Every vector the generator knows is frozen: an event kind or value added without its
/// vector fails here. `SCRUTIN_WRITE_VECTORS=1` writes the missing ones (never rewriting one
/// that exists), to be reviewed and committed.
#[test]
fn every_generated_vector_is_frozen() {
    let write = std::env::var_os("SCRUTIN_WRITE_VECTORS").is_some();
    for (name, event) in events() {
        let path = dir().join("json").join(format!("{name}.json"));
        if path.exists() {
            continue;
        }
        assert!(write, "no frozen vector {}", path.display());
        std::fs::create_dir_all(dir().join("json")).expect("dir");
        std::fs::write(&path, json(&event)).expect("write");
    }
}
