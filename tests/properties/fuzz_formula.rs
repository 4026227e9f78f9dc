//! Fuzzing of the regression formula parser inside `cargo test`: random token streams and random
//! text never panic (an `Ok` or a typed `Err`). The parse → print → parse round trip of the
//! formula's terms is a unit test next to the parser (src/regression/formula.rs), where the
//! parsed form is visible.

use proptest::prelude::*;
use surveystat::regression::Ols;

const TOKENS: &[&str] = &[
    "y",
    "x1",
    "x2",
    "g",
    "~",
    "+",
    "-",
    "*",
    "/",
    ":",
    "^",
    "(",
    ")",
    ",",
    ".",
    "0",
    "1",
    "2",
    "factor(",
    "C(",
    "I(",
    "log(",
    "exp(",
    "nosuch(",
    "`odd name`",
    "`",
    "1e400",
    "NaN",
    "😀",
    "满意度",
    " ",
    "((((((((",
    "))))))))",
    "--------",
    "^^^^",
    "~~",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_token_streams_never_panic(
        t in prop::collection::vec(prop::sample::select(TOKENS), 0..60)
    ) {
        let _ = Ols::from_formula(&t.join(" "));
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = Ols::from_formula(&text);
    }
}

/// The error message of a formula that must be refused.
fn refused(formula: &str) -> String {
    match Ols::from_formula(formula) {
        Ok(_) => panic!("accepted: {formula:.80}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn deep_and_long_formulas_are_refused_not_overflowed() {
    // run on a thread with a small stack, as a library caller's worker thread might have
    let h = std::thread::Builder::new()
        .stack_size(4 << 20)
        .spawn(|| {
            let deep = format!("y ~ {}x{}", "(".repeat(20_000), ")".repeat(20_000));
            let e = refused(&deep);
            assert!(e.contains("nested too deeply"), "{e}");
            let long = format!("y ~ {}", vec!["x"; 30_000].join(" + "));
            let e = refused(&long);
            assert!(e.contains("nested too deeply"), "{e}");
            let signs = format!("y ~ {}x", "-".repeat(20_000));
            assert!(Ols::from_formula(&signs).is_err());
            // within the limit, a formula of a hundred terms parses
            let ok = format!(
                "y ~ {}",
                (0..100).map(|k| format!("x{k}")).collect::<Vec<_>>().join(" + ")
            );
            assert!(Ols::from_formula(&ok).is_ok());
        })
        .unwrap();
    h.join().unwrap();
}
