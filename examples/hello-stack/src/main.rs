//! `cargo run -p hello-stack` prints the example stack's template.

fn main() {
    let stack = hello_stack::hello_stack("Hello", "10.1.0.0/16", 2);
    match stack.synth() {
        Ok(template) => print!("{}", template.to_json()),
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(2);
        }
    }
}
