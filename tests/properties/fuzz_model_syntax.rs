//! Fuzzing of the lavaan model-syntax parser inside `cargo test`: random token streams and
//! random text never panic (an `Ok` or a typed `Err`), and parse → print → parse gives the same
//! model for random valid models. Case counts are bounded so that the suite stays fast; a longer
//! run before a release: `PROPTEST_CASES=100000 cargo test --release --test properties fuzz_`.

use proptest::prelude::*;
use surveystat::sem::parse_model;

const TOKENS: &[&str] = &[
    "f1",
    "f2",
    "x1",
    "x2",
    "x3",
    "a",
    "b",
    "NA",
    "NaN",
    "1",
    "0",
    "0.5",
    "-1",
    "1e400",
    "1e-400",
    "=~",
    "~",
    "~~",
    ":=",
    "==",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "^",
    "(",
    ")",
    ",",
    ";",
    "#",
    "!",
    "\n",
    "\r\n",
    " ",
    "start(",
    "label(",
    "equal(",
    "\u{feff}",
    "满意度",
    "😀",
    "\t",
    "\"",
    "'",
    "((((((((",
    "))))))))",
    "--------",
    "^^^^",
];

fn token_stream() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..60).prop_map(|t| t.join(" "))
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(&["f1", "f2", "x1", "x2", "x3", "y", "m", "z_9", "v.1", "满意度"][..])
        .prop_map(str::to_string)
}

fn label() -> impl Strategy<Value = String> {
    prop::sample::select(&["a", "b", "c1", "ind", "w_2"][..]).prop_map(str::to_string)
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        (-1000i32..1000).prop_map(|v| f64::from(v) / 8.0),
        prop::num::f64::NORMAL.prop_filter("finite", |v| v.is_finite()),
    ]
}

fn modifier() -> impl Strategy<Value = String> {
    prop_oneof![
        number().prop_map(|v| format!("{v:e}")),
        Just("NA".to_string()),
        label(),
        number().prop_map(|v| format!("start({v:e})")),
    ]
}

fn term() -> impl Strategy<Value = String> {
    (prop::collection::vec(modifier(), 0..3), name()).prop_map(|(m, n)| {
        let mut s = String::new();
        for x in m {
            s.push_str(&x);
            s.push('*');
        }
        s.push_str(&n);
        s
    })
}

fn expr() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![label(), (0u32..50).prop_map(|v| format!("{}", f64::from(v) / 4.0))];
    leaf.prop_recursive(6, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(&["+", "-", "*", "/", "^"][..]), inner.clone())
                .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
            inner.clone().prop_map(|a| format!("-({a})")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => (name(), prop::sample::select(&["=~", "~", "~~"][..]), prop::collection::vec(term(), 1..5))
            .prop_map(|(l, op, r)| format!("{l} {op} {}", r.join(" + "))),
        1 => (label(), expr()).prop_map(|(l, e)| format!("{l}_def := {e}")),
    ]
}

fn model() -> impl Strategy<Value = String> {
    prop::collection::vec(statement(), 1..8).prop_map(|s| s.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_token_streams_never_panic(text in token_stream()) {
        let _ = parse_model(&text);
    }

    #[test]
    fn random_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_model(&text);
    }

    #[test]
    fn parse_print_parse_gives_the_same_model(text in model()) {
        let m1 = parse_model(&text).unwrap();
        let printed = m1.to_string();
        let m2 = parse_model(&printed).unwrap_or_else(|e| panic!("{e}\n{printed}"));
        prop_assert_eq!(&m1, &m2, "{}", printed);
        prop_assert_eq!(printed, m2.to_string());
    }
}
