//! Bits of error and cost ratios are never negative: a results file with a negative one
//! (edited by hand) is malformed, exit 2 naming the scenario and the method or mode, since
//! a negative figure reads as better than any allowance or bound.

mod check_support;

use check_support::*;

#[test]
fn negative_figures_in_the_results_are_malformed() {
    let (dir, r, b, results) = passing_results("negative-figures");

    let mut ratio = r.clone();
    let s = ratio
        .scenarios
        .iter_mut()
        .find(|s| s.name == "perceptron")
        .expect("the perceptron");
    s.cost
        .iter_mut()
        .find(|c| c.mode == "tangent")
        .unwrap()
        .ratio = -1.0;
    write_results(&results, &ratio);
    let o = check_bin(&b, &results, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err} {:?}", lines(&o));
    assert!(
        err.contains("scenario 'perceptron': cost mode tangent has a negative ratio (-1)"),
        "{err}"
    );

    let mut bits = r.clone();
    let s = bits
        .scenarios
        .iter_mut()
        .find(|s| s.name == "perceptron")
        .expect("the perceptron");
    let row = s
        .accuracy
        .iter_mut()
        .find(|a| a.method == "reverse")
        .unwrap();
    row.bits_err = Some(-3.0);
    write_results(&results, &bits);
    let o = check_bin(&b, &results, &[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err} {:?}", lines(&o));
    assert!(
        err.contains("scenario 'perceptron': reverse has negative bits of error (-3)"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
