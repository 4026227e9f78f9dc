//! Diagram boxes are sized by the display width of their labels: an East Asian wide character
//! takes two columns, so Chinese variable names get boxes as wide as Latin names of twice as
//! many characters, and their text does not overflow the box.

use surveystat::diagram::PathDiagram;

#[test]
fn wide_characters_count_twice_in_node_widths() {
    let cjk = "满意度满意度满意度"; // 9 characters, 18 columns
    let latin18 = "abcdefghijklmnopqr";
    let latin9 = "abcdefghi";
    let mut d = PathDiagram::new();
    d.observed(cjk).observed(latin18).observed(latin9);
    d.regression(cjk, latin18, "0.50").regression(latin9, latin18, "0.20");
    let l = d.layout().unwrap();
    let width = |id: &str| l.nodes().iter().find(|n| n.id() == id).unwrap().bbox().width;
    assert!((width(cjk) - width(latin18)).abs() < 1e-9, "{} vs {}", width(cjk), width(latin18));
    assert!(width(cjk) > width(latin9) + 1.0, "{} vs {}", width(cjk), width(latin9));
}
