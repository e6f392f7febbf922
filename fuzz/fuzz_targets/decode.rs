//! Event and entry decoding: never panic, and whatever decodes is canonical (re-encoding gives
//! the input bytes back, and an event's JSON copy, as receipts carry it, reads back the same).
#![no_main]

use libfuzzer_sys::fuzz_target;
use scrutin_log::Entry;
use scrutin_model::{decode_event, encode_event, Event};

fn event_round_trip(bytes: &[u8]) {
    if let Ok(event) = decode_event(bytes) {
        let again = encode_event(&event).expect("a decoded event re-encodes");
        assert_eq!(
            again, bytes,
            "decode_event accepted a non-canonical encoding"
        );
        let json = serde_json::to_string(&event).expect("an event serialises to JSON");
        let back: Event = serde_json::from_str(&json).expect("an event's JSON reads back");
        assert_eq!(back, event, "JSON copy of an event differs: {json}");
    }
}

fuzz_target!(|data: &[u8]| {
    event_round_trip(data);
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(
            entry.encode(),
            data,
            "Entry::decode accepted a non-canonical encoding"
        );
        let leaf = entry.leaf_bytes();
        assert_eq!(&data[..leaf.len()], &leaf[..]);
        let _ = entry.hash();
        let _ = entry.verify_signature();
        event_round_trip(&entry.payload);
    }
});
