//! Phase timings of one synthesis (for profiling; `cargo bench --bench parts`). Under
//! `valgrind --tool=callgrind` set KUMO_BENCH_ITERS to a small number for instruction counts.

fn main() {
    let stack = kumo_benches::stack_of(150);
    let n: u32 = std::env::var("KUMO_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(stack.synth().unwrap());
    }
    let synth = t.elapsed() / n;
    let template = stack.synth().unwrap();
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(template.to_json_minified());
    }
    let serialize = t.elapsed() / n;
    println!("per 150-resource stack: synth (build template + validate) {synth:?}, minified JSON {serialize:?}");
}
