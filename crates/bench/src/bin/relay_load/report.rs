//! The report: ours against the reference (and against ours before the relay hardening, when
//! measured), as a table and as `bench relay/…` lines.

use crate::measure::Figures;

/// ours / other, or `n/a`.
fn ratio(ours: f64, other: f64) -> String {
    if other > 0.0 && ours.is_finite() && other.is_finite() {
        format!("{:.2}", ours / other)
    } else {
        "n/a".to_owned()
    }
}

/// Prints the comparison of `ours`, `before` (if measured) and `bare`; `asked` idle
/// connections were asked for.
pub fn report(ours: &Figures, before: Option<&Figures>, bare: &Figures, asked: usize) {
    table(ours, before, bare, asked);
    notes(ours, before, bare);
    machine_lines(ours, before, bare, asked);
}

/// A row of the table: its label, the figure it shows, its decimals.
type Row = (&'static str, fn(&Figures) -> f64, usize);

const ROWS: [Row; 10] = [
    ("  opened in (s)", |f| f.idle.open_seconds, 1),
    ("KB per idle connection (RSS)", |f| f.idle.kb_each, 1),
    ("envelopes/s delivered (+acked)", |f| f.delivered_per_s, 0),
    ("  stored (Sent) /s", |f| f.stored_per_s, 0),
    ("  relay CPU (cores)", |f| f.server_cpu, 2),
    ("  generator CPU (cores)", |f| f.generator_cpu, 2),
    ("half-rate target /s", |f| f.latency_rate, 0),
    ("  achieved /s", |f| f.achieved_rate, 0),
    ("  p50 send→receive (ms)", |f| f.p50_us / 1000.0, 2),
    ("  p99 send→receive (ms)", |f| f.p99_us / 1000.0, 2),
];

fn table(ours: &Figures, before: Option<&Figures>, bare: &Figures, asked: usize) {
    println!("\nrelay under load (loopback, same run):");
    let mut head = format!("  {:<36} {:>12}", "", "ours");
    if before.is_some() {
        head.push_str(&format!(" {:>12}", "before"));
    }
    head.push_str(&format!(" {:>12} {:>10}", "bare", "ours/bare"));
    if before.is_some() {
        head.push_str(&format!(" {:>12}", "ours/before"));
    }
    println!("{head}");
    let held = |f: &Figures| format!("{}/{asked}", f.idle.held);
    let mut line = format!("  {:<36} {:>12}", "idle connections held", held(ours));
    if let Some(before) = before {
        line.push_str(&format!(" {:>12}", held(before)));
    }
    println!("{line} {:>12}", held(bare));
    for (label, figure, digits) in ROWS {
        let (o, b) = (figure(ours), figure(bare));
        let mut line = format!("  {label:<36} {o:>12.digits$}");
        if let Some(before) = before {
            line.push_str(&format!(" {:>12.digits$}", figure(before)));
        }
        line.push_str(&format!(" {b:>12.digits$} {:>10}", ratio(o, b)));
        if let Some(before) = before {
            line.push_str(&format!(" {:>12}", ratio(o, figure(before))));
        }
        println!("{line}");
    }
}

fn notes(ours: &Figures, before: Option<&Figures>, bare: &Figures) {
    if let Some(acks) = ours.acks_per_s {
        println!("  ours: acks applied {acks:.0}/s");
    }
    if let Some(ms) = ours.commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (throughput)");
    }
    if let Some(ms) = ours.latency_commit_ms {
        println!("  ours: a Send waits {ms:.2} ms on average for its group commit (half rate)");
    }
    if let Some(before) = before {
        println!(
            "  before: the relay built from the commit before the hardening; at our half rate \
             p50 {:.2} ms, p99 {:.2} ms",
            before.same_rate_p50_us / 1000.0,
            before.same_rate_p99_us / 1000.0
        );
        println!(
            "  the hardening costs {:.1}% of delivered throughput (1 - ours/before)",
            (1.0 - ours.delivered_per_s / before.delivered_per_s) * 100.0
        );
    }
    println!(
        "  errors: ours {} bare {}; sends skipped at a full window (latency phase): ours {} bare {}",
        ours.errors, bare.errors, ours.skipped, bare.skipped
    );
}

/// `bench relay/NAME ours=… [before=…] bare=… ratio=… [hardening=…]`, for scripts: `ratio` is
/// ours/bare, `hardening` ours/before.
fn machine_lines(ours: &Figures, before: Option<&Figures>, bare: &Figures, asked: usize) {
    println!(
        "bench relay/connections ours={} bare={} asked={asked}",
        ours.idle.held, bare.idle.held
    );
    // `other` reads the before and bare figures: the same as ours' but for the latencies at
    // our half rate, which they measured in a run of their own.
    let line = |name: &str, figure: fn(&Figures) -> f64, other: fn(&Figures) -> f64| {
        let (o, b) = (figure(ours), other(bare));
        let mut text = format!("bench relay/{name} ours={o:.1}");
        if let Some(before) = before {
            text.push_str(&format!(" before={:.1}", other(before)));
        }
        text.push_str(&format!(" bare={b:.1} ratio={}", ratio(o, b)));
        if let Some(before) = before {
            text.push_str(&format!(" hardening={}", ratio(o, other(before))));
        }
        println!("{text}");
    };
    line(
        "kb_per_idle_connection",
        |f| f.idle.kb_each,
        |f| f.idle.kb_each,
    );
    line("throughput", |f| f.delivered_per_s, |f| f.delivered_per_s);
    line("p50_us_half_rate", |f| f.p50_us, |f| f.p50_us);
    line("p99_us_half_rate", |f| f.p99_us, |f| f.p99_us);
    line(
        "p50_us_at_our_half_rate",
        |f| f.p50_us,
        |f| f.same_rate_p50_us,
    );
    line(
        "p99_us_at_our_half_rate",
        |f| f.p99_us,
        |f| f.same_rate_p99_us,
    );
}
