//! Feeds arbitrary bytes to the spec loader: it must return problems, never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let env = |name: &str| (name == "SET").then(|| "value".to_string());
    let _ = acgw::load::load_text("fuzz.yaml", &text, &env);
});
