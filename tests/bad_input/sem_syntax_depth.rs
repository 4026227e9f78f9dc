//! Model syntax that used to exhaust the stack (an uncatchable abort): deep nesting in `:=`
//! expressions, long chains of unary minus or `^`, a huge sum. Each is now a syntax error; a
//! UTF-8 byte-order mark at the start of a model file is accepted.

use surveystat::Error;
use surveystat::sem::{Sem, parse_model};

const HEAD: &str = "x9 ~ a*x1 + b*x5\n";

fn assert_too_deep(model: &str) {
    match parse_model(model) {
        Err(Error::Syntax { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("nested too deeply"), "{message}");
        }
        other => panic!("expected a syntax error, got {:?}", other.map(|_| "a model")),
    }
}

#[test]
fn deep_parentheses_are_a_syntax_error() {
    let n = 9000;
    assert_too_deep(&format!("{HEAD}d := {}a{}", "(".repeat(n), ")".repeat(n)));
    // unbalanced too
    assert_too_deep(&format!("{HEAD}d := {}a", "(".repeat(n)));
}

#[test]
fn long_sign_and_power_chains_are_a_syntax_error() {
    assert_too_deep(&format!("{HEAD}d := {}a", "-".repeat(19_000)));
    assert_too_deep(&format!("{HEAD}d := {}a", "+-".repeat(10_000)));
    assert_too_deep(&format!("{HEAD}d := a{}", "^a".repeat(19_000)));
    assert_too_deep(&format!("{HEAD}d := a{}", "^-a".repeat(19_000)));
}

#[test]
fn huge_sum_is_a_syntax_error_not_a_crash_when_printed() {
    let terms = vec!["a"; 37_000].join(" + ");
    assert_too_deep(&format!("{HEAD}d := {terms}"));
    let prods = vec!["a"; 37_000].join("*");
    assert_too_deep(&format!("{HEAD}d := {prods}"));
}

#[test]
fn moderate_expressions_still_parse_print_and_fit() {
    let terms = vec!["a*b"; 100].join(" + ");
    let text = format!("{HEAD}d := {}{terms}{} - --a^2", "(".repeat(50), ")".repeat(50));
    let m = parse_model(&text).unwrap();
    assert_eq!(parse_model(&m.to_string()).unwrap(), m);
}

#[test]
fn byte_order_mark_at_the_start_of_a_model_is_accepted() {
    let plain = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6";
    let with_bom = format!("\u{feff}{plain}");
    assert_eq!(parse_model(&with_bom).unwrap(), parse_model(plain).unwrap());
    assert!(Sem::from_syntax(&with_bom).is_ok());
    // a BOM elsewhere is still an error
    assert!(parse_model(&format!("{plain}\n\u{feff}speed =~ x7 + x8 + x9")).is_err());
}
