//! Link the `surveystat` executable at a fixed address on x86-64 Linux/glibc (`-no-pie`).
//!
//! A position-independent executable is relocated by the dynamic loader at every start: about
//! 8 000 relative relocations and the page faults of writing them, which cost about a tenth of
//! the instructions of a short run such as `surveystat alpha`. Linked at a fixed address, the
//! executable needs none of them; shared libraries keep their randomised addresses. The
//! library, tests and examples are linked as before.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if os == "linux" && env == "gnu" && arch == "x86_64" {
        println!("cargo:rustc-link-arg-bin=surveystat=-no-pie");
    }
}
