//! In-process synthesis: target < 1 ms for a 150-resource stack (build + validate + render minified
//! JSON, what `kumo synth`/`deploy` do per stack).

fn main() {
    divan::main();
}

#[divan::bench]
fn synth_150_resources(bencher: divan::Bencher<'_, '_>) {
    let stack = kumo_benches::stack_of(150);
    bencher.bench(|| {
        let template = stack.synth().expect("valid");
        divan::black_box(template.to_json_minified())
    });
}

#[divan::bench]
fn build_and_synth_150_resources() -> String {
    let stack = kumo_benches::stack_of(150);
    stack.synth().expect("valid").to_json_minified()
}

#[divan::bench]
fn synth_150_resources_pretty_json(bencher: divan::Bencher<'_, '_>) {
    let stack = kumo_benches::stack_of(150);
    bencher.bench(|| divan::black_box(stack.synth().expect("valid").to_json()));
}

/// What `kumo synth` adds per stack since the security rules: every rule on the synthesized template.
#[divan::bench]
fn security_rules_150_resources(bencher: divan::Bencher<'_, '_>) {
    let template = kumo_benches::stack_of(150).synth().expect("valid");
    bencher.bench(|| divan::black_box(template.security_report()));
}
