//! `results.json` read back (by `derivbench plot` and `derivbench check`) gives every
//! f64 of the run bit for bit, as the CSV files do.

mod report_fixture;

use derivbench::report::{read_results, write_all, Staging};
use report_fixture::{fixture, fresh_dir};

/// f64 values spread over every exponent and mantissa (a fixed pseudo-random sequence).
fn values(count: usize) -> Vec<f64> {
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let v = f64::from_bits(s);
        if v.is_finite() {
            out.push(v);
        }
    }
    // decimal strings that a parser without exact rounding reads one ulp off
    out.extend([
        0.09144338512092887,
        0.9146155235219107,
        117.63331139400017,
        122.41629403378658,
        10587.436593658975,
        1.5777777777770001,
        -4.4737164812014446e192,
    ]);
    out
}

#[test]
fn every_value_reads_back_bit_for_bit() {
    let mut r = fixture();
    let vals = values(4000);
    let mut k = 0;
    let mut next = || {
        k += 1;
        vals[k % vals.len()]
    };
    // enough rows to hold every value once
    let s = &mut r.scenarios[0];
    let template = s.accuracy[0].clone();
    while s.accuracy.len() < vals.len() {
        s.accuracy.push(template.clone());
    }
    for s in &mut r.scenarios {
        for a in &mut s.accuracy {
            a.value = Some(next());
            a.reference = next();
            a.abs_err = Some(next());
        }
        for c in &mut s.cost {
            c.ratio = next();
            c.wall_ns = next();
            c.wall_ratio = next();
            c.wall_ratio_q1 = next();
            c.wall_ratio_q3 = next();
            c.wall_pairs = Some(5);
        }
        s.tensor_wall = Some(derivbench::results::WallRatio {
            median: next(),
            q1: next(),
            q3: next(),
            pairs: 7,
        });
    }
    r.settings.wall_ms = Some(1234);
    let dir = fresh_dir("results-json-round-trip");
    let st = Staging::create(&dir).unwrap();
    write_all(&st, &r).unwrap();
    st.commit().unwrap();
    let back = read_results(&dir).unwrap();

    let bits = |r: &derivbench::results::RunResults| -> Vec<u64> {
        let mut out = Vec::new();
        for s in &r.scenarios {
            for a in &s.accuracy {
                out.push(a.value.unwrap().to_bits());
                out.push(a.reference.to_bits());
                out.push(a.abs_err.unwrap().to_bits());
            }
            for c in &s.cost {
                for v in [
                    c.ratio,
                    c.wall_ns,
                    c.wall_ratio,
                    c.wall_ratio_q1,
                    c.wall_ratio_q3,
                ] {
                    out.push(v.to_bits());
                }
            }
            let w = s.tensor_wall.expect("tensor_wall read back");
            out.extend([w.median, w.q1, w.q3].map(f64::to_bits));
        }
        out
    };
    assert_eq!(back.settings.wall_ms, Some(1234));
    for s in &back.scenarios {
        assert_eq!(s.tensor_wall.map(|w| w.pairs), Some(7));
        assert!(s.cost.iter().all(|c| c.wall_pairs == Some(5)));
    }
    let (want, got) = (bits(&r), bits(&back));
    assert_eq!(want.len(), got.len());
    let wrong: Vec<String> = want
        .iter()
        .zip(&got)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| {
            format!(
                "{:e} read back as {:e}",
                f64::from_bits(*a),
                f64::from_bits(*b)
            )
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} value(s) changed, e.g. {:?}",
        wrong.len(),
        &wrong[..wrong.len().min(5)]
    );
}
