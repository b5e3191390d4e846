//! Test counts read from the runners' output.

/// `test result: ok. 5 passed; 0 failed; …` lines, summed.
pub(crate) fn cargo_counts(output: &str) -> Option<(u64, u64)> {
    let mut total = None;
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        let count = |label: &str| {
            rest.split(';')
                .find_map(|part| {
                    part.trim()
                        .trim_start_matches("ok. ")
                        .trim_start_matches("FAILED. ")
                        .strip_suffix(label)
                })
                .and_then(|n| n.trim().parse::<u64>().ok())
        };
        let (p, f) = total.unwrap_or((0, 0));
        total = Some((p + count(" passed")?, f + count(" failed")?));
    }
    total
}

/// node's spec reporter: `ℹ pass 3` and `ℹ fail 0`.
pub(crate) fn node_counts(output: &str) -> Option<(u64, u64)> {
    let find = |label: &str| {
        output.lines().rev().find_map(|line| {
            let rest = line.trim().strip_prefix('ℹ')?.trim().strip_prefix(label)?;
            rest.trim().parse::<u64>().ok()
        })
    };
    Some((find("pass")?, find("fail")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_cargo_results_across_test_binaries() {
        let out = "running 2 tests\ntest result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s\n\
                   test result: FAILED. 3 passed; 1 failed; 0 ignored; 0 measured; 0 filtered out\n";
        assert_eq!(cargo_counts(out), Some((5, 1)));
        assert_eq!(cargo_counts("error[E0425]: cannot find value"), None);
    }

    #[test]
    fn reads_node_spec_summary() {
        let out =
            "✔ shell connects (812ms)\nℹ tests 2\nℹ suites 0\nℹ pass 1\nℹ fail 1\nℹ cancelled 0\n";
        assert_eq!(node_counts(out), Some((1, 1)));
        assert_eq!(node_counts("nothing"), None);
    }
}
