//! The report: ours against the reference, as a table and as `bench relay/…` lines.

use crate::measure::Figures;

/// ours / bare, or `n/a`.
fn ratio(ours: f64, bare: f64) -> String {
    if bare > 0.0 && ours.is_finite() && bare.is_finite() {
        format!("{:.2}", ours / bare)
    } else {
        "n/a".to_owned()
    }
}

/// Prints the comparison of `ours` and `bare`; `asked` idle connections were asked for.
pub fn report(ours: &Figures, bare: &Figures, asked: usize) {
    table(ours, bare, asked);
    notes(ours, bare);
    machine_lines(ours, bare, asked);
}

fn table(ours: &Figures, bare: &Figures, asked: usize) {
    println!("\nrelay under load (loopback, same run):");
    println!(
        "  {:<36} {:>12} {:>12} {:>10}",
        "", "ours", "bare", "ours/bare"
    );
    let (o, b) = (ours, bare);
    println!(
        "  {:<36} {:>12} {:>12}",
        "idle connections held",
        format!("{}/{asked}", o.idle.held),
        format!("{}/{asked}", b.idle.held)
    );
    // Label, ours, bare, decimals.
    let rows = [
        (
            "  opened in (s)",
            o.idle.open_seconds,
            b.idle.open_seconds,
            1,
        ),
        (
            "KB per idle connection (RSS)",
            o.idle.kb_each,
            b.idle.kb_each,
            1,
        ),
        (
            "envelopes/s delivered (+acked)",
            o.delivered_per_s,
            b.delivered_per_s,
            0,
        ),
        ("  stored (Sent) /s", o.stored_per_s, b.stored_per_s, 0),
        ("  relay CPU (cores)", o.server_cpu, b.server_cpu, 2),
        (
            "  generator CPU (cores)",
            o.generator_cpu,
            b.generator_cpu,
            2,
        ),
        ("half-rate target /s", o.latency_rate, b.latency_rate, 0),
        ("  achieved /s", o.achieved_rate, b.achieved_rate, 0),
        (
            "  p50 send→receive (ms)",
            o.p50_us / 1000.0,
            b.p50_us / 1000.0,
            2,
        ),
        (
            "  p99 send→receive (ms)",
            o.p99_us / 1000.0,
            b.p99_us / 1000.0,
            2,
        ),
    ];
    for (label, o, b, digits) in rows {
        println!(
            "  {label:<36} {o:>12.digits$} {b:>12.digits$} {:>10}",
            ratio(o, b)
        );
    }
}

fn notes(ours: &Figures, bare: &Figures) {
    if let Some(acks) = ours.acks_per_s {
        println!("  ours: acks applied {acks:.0}/s");
    }
    if let Some(ms) = ours.commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (throughput)");
    }
    if let Some(ms) = ours.latency_commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (half rate)");
    }
    println!(
        "  errors: ours {} bare {}; sends skipped at a full window (latency phase): ours {} bare {}",
        ours.errors, bare.errors, ours.skipped, bare.skipped
    );
}

/// `bench relay/NAME ours=… bare=… ratio=…`, for scripts.
fn machine_lines(ours: &Figures, bare: &Figures, asked: usize) {
    println!(
        "bench relay/connections ours={} bare={} asked={asked}",
        ours.idle.held, bare.idle.held
    );
    let line = |name: &str, o: f64, b: f64| {
        println!(
            "bench relay/{name} ours={o:.1} bare={b:.1} ratio={}",
            ratio(o, b)
        );
    };
    line(
        "kb_per_idle_connection",
        ours.idle.kb_each,
        bare.idle.kb_each,
    );
    line("throughput", ours.delivered_per_s, bare.delivered_per_s);
    line("p50_us_half_rate", ours.p50_us, bare.p50_us);
    line("p99_us_half_rate", ours.p99_us, bare.p99_us);
    line(
        "p50_us_at_our_half_rate",
        ours.p50_us,
        bare.same_rate_p50_us,
    );
    line(
        "p99_us_at_our_half_rate",
        ours.p99_us,
        bare.same_rate_p99_us,
    );
}
